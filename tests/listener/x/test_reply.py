"""Replies and DMs through the real tweepy Client against a local HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from kernel.errors import NotConfigured, ReplyError
from kernel.models import Author, Post
from listener.respond import DryRunResponder, build_responder
from listener.x.reply import XResponder
from listener.x.settings import XSourceSettings
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import fixture, response

TWEETS = "/2/tweets"
CUSTOMER_ID = "750362064426721281"
DM = f"/2/dm_conversations/with/{CUSTOMER_ID}/messages"
SECRETS = {
    "consumer_key": "ck-0123456789",
    "consumer_secret": "cs-secret-do-not-show",
    "access_token": "at-0123456789",
    "access_token_secret": "ats-secret-do-not-show",
}
OAUTH2 = "oauth2-user-token-do-not-show"


def post(**changes: Any) -> Post:
    values: dict[str, Any] = {
        "source": "x",
        "external_id": "1456012973835788200",
        "text": "@AcmeSupport my order never arrived",
        "created_at": datetime(2026, 11, 20, tzinfo=UTC),
        "author": Author(handle="dani", external_id=CUSTOMER_ID),
    }
    values.update(changes)
    return Post(**values)


def responder(api: FakeAPI, **kwargs: Any) -> XResponder:
    options: dict[str, Any] = {
        "name": "brand-x",
        "brand_username": "AcmeSupport",
        "base_url": api.url,
        "timeout_seconds": 5.0,
        **SECRETS,
    }
    options.update(kwargs)
    return XResponder(**options)


def no_secret_in(text: str) -> None:
    for value in [*SECRETS.values(), OAUTH2]:
        assert value not in text


def test_reply_posts_in_reply_to_the_tweet_with_oauth1(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TWEETS, response("create_tweet.tweepy_cassette.json"))
    sent = responder(fake_api).reply(post(), "Hi Dani, sorry! Checking now.")
    (request,) = fake_api.requests_to(TWEETS)
    assert json.loads(request.body) == {
        "text": "Hi Dani, sorry! Checking now.",
        "reply": {"in_reply_to_tweet_id": "1456012973835788200"},
    }
    documented = fixture("create_reply.docs_example.json")["request"]["body"]
    assert json.loads(request.body).keys() == documented.keys()
    assert documented["reply"].keys() == {"in_reply_to_tweet_id"}
    assert request.headers["authorization"].startswith("OAuth ")
    assert 'oauth_consumer_key="ck-0123456789"' in request.headers["authorization"]
    assert sent.channel == "reply" and not sent.dry_run
    assert sent.external_id == "1456012973835788293"
    assert sent.url == "https://x.com/AcmeSupport/status/1456012973835788293"


def test_dm_uses_the_v2_endpoint_with_the_author_id(fake_api: FakeAPI) -> None:
    fake_api.add("POST", DM, response("dm_create_by_participant.tweepy_cassette.json"))
    sent = responder(fake_api).direct_message(post(), "Hi Dani, please send us your order number")
    (request,) = fake_api.requests_to(DM)
    assert json.loads(request.body) == {"text": "Hi Dani, please send us your order number"}
    assert request.headers["authorization"].startswith("OAuth ")
    assert sent.channel == "dm" and sent.external_id == "1585800613253812228"


def test_oauth2_user_token_is_sent_as_bearer(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TWEETS, response("create_tweet.tweepy_cassette.json"))
    x = XResponder(name="brand-x", user_access_token=OAUTH2, base_url=fake_api.url)
    x.reply(post(), "thanks!")
    assert fake_api.requests[0].headers["authorization"] == f"Bearer {OAUTH2}"
    assert OAUTH2 not in x.describe()


def test_dm_without_an_author_id_is_one_line(fake_api: FakeAPI) -> None:
    with pytest.raises(ReplyError, match="no author id"):
        responder(fake_api).direct_message(post(author=Author(handle="dani")), "hi")
    assert fake_api.requests == []


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("error_401.docs_example.json", r"X refused the credentials \(401 Unauthorized\)"),
        ("error_401.real_report.json", r"\(401 Unauthorized"),
        (
            "error_403_duplicate.composite.json",
            r"X refused a duplicate \(403\).*change the wording",
        ),
    ],
)
def test_refusals_are_one_line_without_secrets(
    fake_api: FakeAPI, fixture: str, expected: str
) -> None:
    fake_api.add("POST", TWEETS, response(fixture))
    with pytest.raises(ReplyError, match=expected) as info:
        responder(fake_api).reply(post(), "Thanks, we are on it!")
    message = str(info.value)
    assert "\n" not in message and message.startswith("X reply to post 1456012973835788200")
    no_secret_in(message)
    assert info.value.retry_at is None


def test_other_403_names_the_permission(fake_api: FakeAPI) -> None:
    body = {"title": "Forbidden", "detail": "You are not permitted to perform this action."}
    fake_api.add("POST", DM, response("error_401.docs_example.json", status=403, body=body))
    with pytest.raises(ReplyError, match=r"403 Forbidden: You are not permitted.*permission"):
        responder(fake_api).direct_message(post(), "hi")


def test_429_carries_the_reset_time(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TWEETS, response("error_429.v2_composite.json"))
    with pytest.raises(ReplyError, match=r"rate limited by X \(429\); try again after") as info:
        responder(fake_api).reply(post(), "hi")
    assert info.value.retry_at == datetime.fromtimestamp(1665183228, UTC)
    assert "2022-10-07 22:53 UTC" in str(info.value)


def test_429_of_the_24_hour_cap_uses_its_later_reset(fake_api: FakeAPI) -> None:
    headers = {
        "x-rate-limit-remaining": "150",
        "x-rate-limit-reset": "1665183228",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": "1665250000",
    }
    fake_api.add("POST", TWEETS, response("error_429.v2_composite.json", headers=headers))
    with pytest.raises(ReplyError) as info:
        responder(fake_api).reply(post(), "hi")
    assert info.value.retry_at == datetime.fromtimestamp(1665250000, UTC)


def test_server_error_and_unreachable_are_one_line(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TWEETS, response("error_401.docs_example.json", status=503, body="busy"))
    with pytest.raises(ReplyError, match="X answered 503 busy; X had a problem"):
        responder(fake_api).reply(post(), "hi")
    assert len(fake_api.requests_to(TWEETS)) == 1  # never retried: a post is not idempotent
    closed = responder(fake_api, base_url="http://127.0.0.1:9")
    with pytest.raises(ReplyError, match=r"could not reach X \(ConnectionError\)"):
        closed.reply(post(), "hi")


def test_a_201_without_an_id_is_reported(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TWEETS, response("create_tweet.tweepy_cassette.json", body={"data": {}}))
    with pytest.raises(ReplyError, match=r"sent, but X's answer has no data\.id"):
        responder(fake_api).reply(post(), "hi")


def settings(**kwargs: Any) -> XSourceSettings:
    return XSourceSettings(name="brand-x", queries=["acme"], **kwargs)


def test_build_responder_dry_run_sends_nothing(fake_api: FakeAPI) -> None:
    built = build_responder(settings(base_url=fake_api.url), dry_run=True)
    assert isinstance(built, DryRunResponder)
    sent = built.reply(post(), "hi")
    assert sent.dry_run and sent.external_id is None and fake_api.requests == []


def test_build_responder_names_the_missing_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in SECRETS:
        monkeypatch.setenv(f"TRIAGE_X_{key.upper()}", SECRETS[key])
    monkeypatch.delenv("TRIAGE_X_ACCESS_TOKEN_SECRET")
    with pytest.raises(NotConfigured, match="TRIAGE_X_ACCESS_TOKEN_SECRET") as info:
        build_responder(settings(), dry_run=False)
    assert "sources[brand-x].access_token_secret" in str(info.value)
    monkeypatch.delenv("TRIAGE_X_USER_ACCESS_TOKEN", raising=False)
    with pytest.raises(NotConfigured, match="TRIAGE_X_USER_ACCESS_TOKEN"):
        build_responder(settings(reply_auth="oauth2"), dry_run=False)


def test_build_responder_from_settings_posts(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in SECRETS.items():
        monkeypatch.setenv(f"TRIAGE_X_{key.upper()}", value)
    built = build_responder(
        settings(base_url=fake_api.url, brand_username="AcmeSupport"), dry_run=False
    )
    assert isinstance(built, XResponder)
    no_secret_in(built.describe())
    fake_api.add("POST", TWEETS, response("create_tweet.tweepy_cassette.json"))
    assert built.reply(post(), "hi").external_id == "1456012973835788293"
    built.close()
