"""Case content: Jinja2 templates, redaction in the subject, overrides from a folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from escalation.content import MAX_SUBJECT_CHARS, Renderer, profile_url, redact
from kernel.errors import ConfigError, DeliveryPermanent
from kernel.models import Author, SensitiveFinding
from tests.escalation.helpers import CARD, make_case


def test_body_has_everything_an_agent_needs() -> None:
    case = make_case()
    content = Renderer().render(case)
    body = content.body
    assert case.post.text in body  # full text: the helpdesk is private
    assert "@jane_doe (Jane Doe), 120 followers" in body
    assert "https://x.com/jane_doe" in body  # profile link
    assert case.post.url and case.post.url in body
    assert "@acmehelp" in body and "sorry to hear that" in body  # thread context
    assert "rule sensitive-data-to-helpdesk matched" in body  # explanation
    assert "Sentiment: negative (0.93)" in body
    assert "billing 0.91, refund 0.40" in body
    assert "payment_card 4111 **** 1111" in body  # kind and masked preview only
    assert content.first_response in body
    assert case.idempotency_key in body


def test_subject_is_one_redacted_line() -> None:
    content = Renderer().render(make_case())
    assert CARD not in content.subject
    assert "[payment_card redacted]" in content.subject
    assert content.subject.startswith("[helpdesk/high] @jane_doe on x (payment_card):")
    assert "\n" not in content.subject
    assert len(content.subject) <= MAX_SUBJECT_CHARS


def test_first_response_fits_the_case() -> None:
    text = Renderer().render(make_case()).first_response
    assert text.startswith("Hi @jane_doe, thanks for reaching out, and sorry for the trouble.")
    assert "look into the charge" in text
    assert "don't share personal or payment details" in text
    assert CARD not in text


def test_case_without_signals_or_thread_renders() -> None:
    case = make_case(signals=None, thread=())
    content = Renderer().render(case)
    assert "Signals" not in content.body and "Thread" not in content.body
    assert CARD in content.body  # no findings known: nothing to redact in the private body


@pytest.mark.parametrize(
    ("text", "findings", "expected"),
    [
        ("pay 1234 now", [("card", 4, 8)], "pay [card redacted] now"),
        ("a 12 b 34", [("x", 7, 9), ("y", 2, 4)], "a [y redacted] b [x redacted]"),
        ("overlap 123456", [("a", 8, 12), ("b", 10, 14)], "overlap [a redacted]"),
        ("short", [("a", 3, 99)], "sho[a redacted]"),
        ("short", [("a", 99, 120)], "short"),
    ],
)
def test_redact(text: str, findings: list[tuple[str, int, int]], expected: str) -> None:
    spans = [SensitiveFinding(kind=k, start=s, end=e, preview="*") for k, s, e in findings]
    assert redact(text, spans) == expected


def test_profile_links() -> None:
    case = make_case()
    assert profile_url(case.post) == "https://x.com/jane_doe"
    reddit = replace(case.post, source="reddit", author=Author(handle="u1"))
    assert profile_url(reddit) == "https://www.reddit.com/user/u1"
    assert profile_url(replace(case.post, author=Author(handle="[deleted]"))) is None
    assert profile_url(replace(case.post, source="forum")) is None


def test_override_folder_replaces_only_the_templates_it_has(tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text("Case {{ case.id }}: {{ post.text }}")
    content = Renderer(tmp_path).render(make_case())
    assert content.subject.startswith("Case 42: ")
    # Even an override that puts the raw text in the subject gets the values redacted.
    assert CARD not in content.subject
    assert "== Decision ==" in content.body  # the shipped body is still used


def test_missing_override_folder_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a folder"):
        Renderer(tmp_path / "nope")


def test_broken_override_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "body.txt.j2").write_text("{% if %}")
    with pytest.raises(ConfigError, match=r"body\.txt\.j2:1"):
        Renderer(tmp_path)


def test_override_using_an_unknown_name_fails_the_case_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "body.txt.j2").write_text("{{ no_such_thing }}")
    with pytest.raises(DeliveryPermanent, match="'no_such_thing' is undefined"):
        Renderer(tmp_path).render(make_case())


def test_media_the_source_kept_are_listed_for_the_agent() -> None:
    import dataclasses

    case = make_case()
    media = [
        {"type": "photo", "url": "https://pbs.twimg.com/media/Fx1.jpg", "alt_text": "receipt"},
        {"type": "video", "url": "https://pbs.twimg.com/thumb/Fx2.jpg", "alt_text": None},
    ]
    post = dataclasses.replace(case.post, raw={"media": media})
    body = Renderer().render(dataclasses.replace(case, post=post)).body
    assert 'Media:\n  photo: https://pbs.twimg.com/media/Fx1.jpg ("receipt")\n' in body
    assert "  video: https://pbs.twimg.com/thumb/Fx2.jpg\n" in body
    assert "Media:" not in Renderer().render(case).body
