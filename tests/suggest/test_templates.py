"""Suggested replies: per route, intent and language; strangers' text never reaches them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.schema import Settings
from kernel.errors import ConfigError
from kernel.models import Author, Decision, Post, Route, SensitiveFinding, Signals
from triage.suggest import Suggester, suggestions, top_intent

CARD = "4111 1111 1111 1111"


def post(text: str = "my order never arrived", **changes: Any) -> Post:
    values: dict[str, Any] = {
        "source": "x",
        "external_id": "1",
        "text": text,
        "created_at": datetime(2026, 11, 20, tzinfo=UTC),
        "author": Author(handle="dani_m", name="Dani Morales"),
        "lang": "en",
    }
    values.update(changes)
    return Post(**values)


def decision(route: Route) -> Decision:
    return Decision(
        route=route, tier=1, confidence=0.9, needs_review=False, rule="r", explanation="x"
    )


def signals(
    intent: str | None = None,
    sensitive: bool = False,
    *,
    complaint: float = 0.1,
    sentiment: str = "neutral",
    score: float = 0.9,
) -> Signals:
    return Signals(
        sentiment=sentiment,
        sentiment_score=0.8,
        complaint=complaint,
        private_score=0.5,
        intents={intent: score} if intent else {},
        sensitive=(SensitiveFinding(kind="payment_card", start=0, end=4, preview="****1111"),)
        if sensitive
        else (),
        language="en",
    )


def test_each_route_suggests_its_replies() -> None:
    s = Suggester(brand="Acme")
    public = s.suggest(post(), decision(Route.PUBLIC_REPLY), signals())
    assert [(r.channel, r.template) for r in public.replies] == [("reply", "public_reply.txt.j2")]
    assert public.replies[0].text.startswith("@dani_m Hi Dani, thanks for reaching out to Acme!")
    assert public.articles == ()  # no knowledge base configured
    dm = s.suggest(post(), decision(Route.PRIVATE_DM), signals("billing"))
    assert [r.channel for r in dm.replies] == ["reply", "dm"]
    assert "send us a DM" in dm.replies[0].text
    assert "never your full card number" in dm.replies[1].text
    desk = s.suggest(post(), decision(Route.HELPDESK), signals(sensitive=True))
    assert [r.template for r in desk.replies] == ["helpdesk_ack.txt.j2"]
    assert "delete any personal or payment details" in desk.replies[0].text
    assert s.suggest(post(), decision(Route.IGNORE), signals()).replies == ()


def test_portuguese_and_intent_templates_win() -> None:
    s = Suggester(brand="Acme")
    pt = s.suggest(
        post("meu pedido não chegou até hoje", lang=None), decision(Route.PUBLIC_REPLY), signals()
    )
    assert pt.replies[0].template == "public_reply.pt.txt.j2"
    assert pt.replies[0].text.startswith("@dani_m Oi, Dani! Obrigado por falar com a Acme.")
    outage = s.suggest(post(lang="pt"), decision(Route.PUBLIC_REPLY), signals("outage"))
    assert outage.replies[0].template == "public_reply.outage.pt.txt.j2"


COMPLAINT = {"complaint": 0.8, "sentiment": "negative"}


@pytest.mark.parametrize(
    ("text", "lang", "template", "start"),
    [
        ("my order never arrived", "en", "public_reply.complaint.txt.j2",
         "@dani_m Hi Dani, we're sorry about this"),
        ("meu pedido não chegou até hoje", "pt", "public_reply.complaint.pt.txt.j2",
         "@dani_m Oi, Dani, sentimos muito por isso!"),
        ("mi pedido nunca llegó", "es", "public_reply.complaint.es.txt.j2",
         "@dani_m Hola, Dani, lamentamos mucho lo ocurrido"),
    ],
)  # fmt: skip
def test_a_complaint_gets_an_apology_not_thanks_for_reaching_out(
    text: str, lang: str, template: str, start: str
) -> None:
    s = Suggester(brand="Acme")
    found = s.suggest(post(text, lang=lang), decision(Route.PUBLIC_REPLY), signals(**COMPLAINT))
    assert [r.template for r in found.replies] == [template]
    assert found.replies[0].text.startswith(start)
    # Sarcasm reads negative (classifiers/praise.py): an apology too, never "glad to hear it".
    sarcastic = signals("praise", sentiment="negative", complaint=0.8, score=0.6)
    found = s.suggest(post(text, lang=lang), decision(Route.PUBLIC_REPLY), sarcastic)
    assert found.replies[0].template == template


def test_an_intent_template_beats_the_complaint_one() -> None:
    s = Suggester(brand="Acme")
    found = s.suggest(post(lang="es"), decision(Route.PUBLIC_REPLY), signals("outage", **COMPLAINT))
    assert found.replies[0].template == "public_reply.outage.es.txt.j2"
    # An intent without a template of its own falls back to the complaint one.
    found = s.suggest(
        post(lang="pt"), decision(Route.PUBLIC_REPLY), signals("technical_problem", **COMPLAINT)
    )
    assert found.replies[0].template == "public_reply.complaint.pt.txt.j2"


@pytest.mark.parametrize("route", [Route.PUBLIC_REPLY, Route.PRIVATE_DM, Route.HELPDESK])
def test_spanish_posts_get_spanish_replies_on_every_route(route: Route) -> None:
    s = Suggester(brand="Acme")
    for sig in (
        signals(),
        signals("billing", **COMPLAINT),
        signals("praise", sentiment="positive"),
    ):
        found = s.suggest(post("hola, una pregunta sobre mi plan", lang="es"), decision(route), sig)
        assert found.replies
        for reply in found.replies:
            assert ".es.txt.j2" in reply.template, reply.template
            assert not any(word in reply.text for word in ("Hi", "Thanks", "Oi", "Obrigado"))


def test_post_text_and_sensitive_values_never_reach_a_public_reply() -> None:
    s = Suggester(brand="Acme")
    hostile = post(
        f"charged twice on card {CARD}, email me at dani@example.com {{{{ 7*7 }}}}",
        author=Author(handle=f"@dani{CARD.replace(' ', '')}", name=f"{{{{7*7}}}} <b>{CARD}</b>"),
    )
    for route in Route:
        for reply in s.suggest(hostile, decision(route), signals("billing", True)).replies:
            assert "4111111111111111" not in reply.text.replace(" ", "")
            assert "dani@example.com" not in reply.text and "charged twice" not in reply.text
            assert "49" not in reply.text and "<b>" not in reply.text  # nothing re-evaluated
    # A display name contributes only its first word of letters, never markup or digits.
    named = s.suggest(
        post(author=Author(handle="x<script>", name="<script>alert(1)</script>")),
        decision(Route.PUBLIC_REPLY),
        signals(),
    )
    assert named.replies[0].text.startswith("@xscript Hi, thanks")


def test_a_folder_overrides_by_name_and_broken_templates_name_file_and_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "public_reply.txt.j2").write_text("@{{ author }} Thanks from {{ brand }}!\n")
    s = Suggester(brand="Acme", templates=tmp_path)
    reply = s.suggest(post(), decision(Route.PUBLIC_REPLY), signals()).replies[0]
    assert reply.text == "@dani_m Thanks from Acme!"
    (tmp_path / "dm_opener.txt.j2").write_text("Hi\n{% if %}\n")
    with pytest.raises(ConfigError, match=r"dm_opener\.txt\.j2:2: ") as info:
        Suggester(brand="Acme", templates=tmp_path)
    assert "\n" not in str(info.value)
    (tmp_path / "dm_opener.txt.j2").write_text("Hi {{ customer_secret }}\n")
    with pytest.raises(ConfigError, match="customer_secret"):
        Suggester(brand="Acme", templates=tmp_path).suggest(
            post(), decision(Route.PRIVATE_DM), signals()
        )
    with pytest.raises(ConfigError, match="is not a folder"):
        Suggester(brand="Acme", templates=tmp_path / "missing")


def test_sandbox_refuses_unsafe_templates(tmp_path: Path) -> None:
    (tmp_path / "public_reply.txt.j2").write_text("{{ brand.__class__.__mro__ }}")
    with pytest.raises(ConfigError, match=r"public_reply\.txt\.j2"):
        Suggester(brand="Acme", templates=tmp_path).suggest(
            post(), decision(Route.PUBLIC_REPLY), signals()
        )


def test_module_function_uses_the_settings() -> None:
    settings = Settings.model_validate({"brand": {"name": "Globex"}})
    result = suggestions(post(), decision(Route.PUBLIC_REPLY), signals(), settings=settings)
    assert "Globex" in result.replies[0].text
    assert top_intent(signals("refund")) == "refund" and top_intent(None) is None
