"""Answering Mastodon posts through the real Mastodon.py client: a reply threaded with
`in_reply_to_id`, a direct message (`visibility: direct`), both addressed to the author and
sent with an idempotency key; refusals as one line for the agent."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from config.schema import Settings
from kernel.errors import ReplyError
from kernel.models import Author, Post
from listener.mastodon.reply import MastodonResponder
from listener.respond import build_responder
from tests.httpserver import FakeAPI, Response
from tests.listener.mastodon import helpers as m

SENT_ID = "117020583258292382"  # what test_status_reply.yaml answers
DM_ID = "117020593780198542"  # what test_conversations.yaml answers


def post(handle: str = "mastodonpy_test_2@localhost:3000") -> Post:
    return Post(
        source="mastodon",
        external_id="117020583245459824",
        text="Toot, finally!",
        created_at=datetime(2026, 8, 1, tzinfo=UTC),
        author=Author(handle=handle, external_id="117020565700000000"),
    )


def responder(api: FakeAPI) -> MastodonResponder:
    return MastodonResponder(
        name="brand-mastodon", instance_url=api.url, access_token=m.TOKEN, account="admin"
    )


def form(api: FakeAPI) -> dict[str, list[str]]:
    (request,) = api.requests_to(m.STATUSES)
    return parse_qs(request.body.decode())


def test_reply_is_threaded_and_addressed_to_the_author(fake_api: FakeAPI) -> None:
    fake_api.add("POST", m.STATUSES, m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 1))
    sent = responder(fake_api).reply(post(), "we are on it!")
    assert sent.channel == "reply" and sent.external_id == SENT_ID and not sent.dry_run
    assert sent.url == f"http://localhost:3000/@admin/{SENT_ID}"
    sent_form = form(fake_api)
    assert sent_form["status"] == ["@mastodonpy_test_2@localhost:3000 we are on it!"]
    assert sent_form["in_reply_to_id"] == ["117020583245459824"]
    assert sent_form["visibility"] == ["public"]
    (request,) = fake_api.requests_to(m.STATUSES)
    assert len(request.headers["idempotency-key"]) == 64


def test_a_resend_of_the_same_answer_carries_the_same_idempotency_key(fake_api: FakeAPI) -> None:
    answer = m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 1)
    fake_api.add("POST", m.STATUSES, answer, sticky=True)
    replier = responder(fake_api)
    replier.reply(post(), "we are on it!")
    replier.reply(post(), "we are on it!")
    replier.reply(post(), "another text")
    keys = [r.headers["idempotency-key"] for r in fake_api.requests_to(m.STATUSES)]
    assert keys[0] == keys[1] != keys[2]


def test_direct_message_is_a_direct_status_mentioning_the_author(fake_api: FakeAPI) -> None:
    fake_api.add("POST", m.STATUSES, m.recorded("test_conversations.yaml", "POST", m.STATUSES))
    sent = responder(fake_api).direct_message(post("admin@localhost:3000"), "ilu bby ;3")
    assert sent.channel == "dm" and sent.external_id == DM_ID
    sent_form = form(fake_api)
    assert sent_form["visibility"] == ["direct"] and "in_reply_to_id" not in sent_form
    assert sent_form["status"] == ["@admin@localhost:3000 ilu bby ;3"]


def test_text_that_already_names_the_author_is_sent_as_written(fake_api: FakeAPI) -> None:
    fake_api.add("POST", m.STATUSES, m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 1))
    responder(fake_api).reply(post(), "@mastodonpy_test_2@localhost:3000 done")
    assert form(fake_api)["status"] == ["@mastodonpy_test_2@localhost:3000 done"]


def test_429_says_when_to_try_again(fake_api: FakeAPI) -> None:
    refused = m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 1)
    refused.status, refused.body = 429, {"error": "Too many requests"}
    refused.headers["x-ratelimit-remaining"] = "0"
    fake_api.add("POST", m.STATUSES, refused)
    with pytest.raises(
        ReplyError, match=r"rate limited by the instance \(429\); try again"
    ) as info:
        responder(fake_api).reply(post(), "hello")
    assert info.value.retry_at is not None and info.value.retry_at > datetime.now(UTC)


def test_401_names_the_setting_not_the_token(fake_api: FakeAPI) -> None:
    fake_api.add(
        "POST", m.STATUSES, Response(status=401, body={"error": "The access token is invalid"})
    )
    with pytest.raises(ReplyError) as info:
        responder(fake_api).reply(post(), "hello")
    message = str(info.value)
    assert "sources[brand-mastodon].access_token" in message and m.TOKEN not in message


def test_422_is_the_instances_own_words(fake_api: FakeAPI) -> None:
    body = {"error": "Validation failed: Text character limit of 500 exceeded"}
    fake_api.add("POST", m.STATUSES, Response(status=422, body=body))
    with pytest.raises(ReplyError, match=r"answered 422 .*character limit of 500"):
        responder(fake_api).reply(post(), "x" * 600)


def test_built_from_settings_outside_dry_run_only(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_MASTODON_TOKEN", m.TOKEN)
    settings = Settings.model_validate(
        {"sources": [{"name": "toots", "type": "mastodon", "instance_url": fake_api.url}]}
    )
    [source] = settings.sources
    assert build_responder(source, dry_run=True).dry_run
    live = build_responder(source, dry_run=False)
    assert isinstance(live, MastodonResponder) and m.TOKEN not in live.describe()
    assert fake_api.requests == []
    live.close()
