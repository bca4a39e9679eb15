"""Comment replies and private messages through the real praw client against a local server."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest

from kernel.errors import NotConfigured, ReplyError
from kernel.models import Author, Post
from listener.reddit.reply import RedditResponder
from listener.reddit.settings import RedditSourceSettings
from listener.respond import NoReplyAPI, build_responder
from tests.httpserver import FakeAPI, Request
from tests.listener.reddit.helpers import TOKEN, recorded, token_response

COMMENT = "/api/comment/"
COMPOSE = "/api/compose/"
PASSWORD = "hunter2-do-not-show"
SECRET = "csecret-do-not-show"


def post(external_id: str = "t3_4b1tfm", **changes: Any) -> Post:
    values: dict[str, Any] = {
        "source": "reddit",
        "external_id": external_id,
        "text": "Acme charged me twice",
        "created_at": datetime(2026, 11, 20, tzinfo=UTC),
        "author": Author(handle="dani_rd"),
    }
    values.update(changes)
    return Post(**values)


def responder(api: FakeAPI) -> RedditResponder:
    api.add("POST", TOKEN, token_response("access_token.script_app.json"), sticky=True)
    return RedditResponder(
        name="reddit-test",
        client_id="cid",
        client_secret=SECRET,
        username="AcmeSupport",
        password=PASSWORD,
        user_agent="social-triage-tests/0.1",
        message_subject="About your post",
        base_url=api.url,
        auth_url=api.url,
        timeout_seconds=5.0,
    )


def form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def test_reply_to_a_submission_comments_on_its_fullname(fake_api: FakeAPI) -> None:
    reddit = responder(fake_api)
    fake_api.add("POST", COMMENT, recorded("comment_reply.json"))
    sent = reddit.reply(post(), "Sorry about that! We're on it.")
    token = form(fake_api.requests_to(TOKEN)[0])
    assert token == {"grant_type": "password", "username": "AcmeSupport", "password": PASSWORD}
    auth = fake_api.requests_to(TOKEN)[0].headers["authorization"]
    assert base64.b64decode(auth.removeprefix("Basic ")) == f"cid:{SECRET}".encode()
    (request,) = fake_api.requests_to(COMMENT)
    assert form(request) == {
        "api_type": "json",
        "text": "Sorry about that! We're on it.",
        "thing_id": "t3_4b1tfm",
    }
    assert request.headers["authorization"].lower().startswith("bearer ")
    assert sent.channel == "reply" and not sent.dry_run
    assert sent.external_id == "t1_d162ara"
    assert sent.url == "https://www.reddit.com/comments/4b1tfm/_/d162ara/"


def test_reply_to_a_comment_uses_its_t1_fullname(fake_api: FakeAPI) -> None:
    reddit = responder(fake_api)
    fake_api.add("POST", COMMENT, recorded("comment_reply.json"))
    reddit.reply(post("t1_abc123"), "hi")
    assert form(fake_api.requests_to(COMMENT)[0])["thing_id"] == "t1_abc123"


def test_private_message_goes_to_the_author(fake_api: FakeAPI) -> None:
    reddit = responder(fake_api)
    fake_api.add("POST", COMPOSE, recorded("compose_ok.composite.json"))
    sent = reddit.direct_message(post(), "Hi! Could you send us your order number?")
    (request,) = fake_api.requests_to(COMPOSE)
    assert form(request) == {
        "api_type": "json",
        "subject": "About your post",
        "text": "Hi! Could you send us your order number?",
        "to": "dani_rd",
    }
    assert sent.channel == "dm" and sent.external_id is None and not sent.dry_run


def test_message_to_a_deleted_author_is_refused_without_a_request(fake_api: FakeAPI) -> None:
    reddit = responder(fake_api)
    with pytest.raises(ReplyError, match="deleted or unknown"):
        reddit.direct_message(post(author=Author(handle="[deleted]")), "hi")
    assert fake_api.requests == []


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("comment_thread_locked.composite.json", r"\(THREAD_LOCKED\): the thread is locked"),
        ("comment_deleted_link.composite.json", r"\(DELETED_LINK\): the post was deleted"),
        ("error_403_forbidden.json", r"403 Forbidden\): the thread may be locked"),
    ],
)
def test_closed_threads_are_one_line(fake_api: FakeAPI, fixture: str, expected: str) -> None:
    reddit = responder(fake_api)
    fake_api.add("POST", COMMENT, recorded(fixture))
    with pytest.raises(ReplyError, match=expected) as info:
        reddit.reply(post(), "hi")
    assert str(info.value).startswith("Reddit reply to t3_4b1tfm: ")
    assert "\n" not in str(info.value) and info.value.retry_at is None


def test_ratelimit_error_says_when_without_sleeping(fake_api: FakeAPI) -> None:
    reddit = responder(fake_api)
    fake_api.add("POST", COMMENT, recorded("comment_ratelimit.composite.json"))
    before = datetime.now(UTC)
    with pytest.raises(ReplyError, match=r"slow down \(RATELIMIT\); try again after") as info:
        reddit.reply(post(), "hi")
    assert info.value.retry_at is not None
    wait = info.value.retry_at - before
    assert timedelta(minutes=8, seconds=59) <= wait <= timedelta(minutes=9, seconds=30)
    assert len(fake_api.requests_to(COMMENT)) == 1


def test_http_429_uses_retry_after(fake_api: FakeAPI) -> None:
    reddit = responder(fake_api)
    fake_api.add("POST", COMMENT, recorded("error_429_html_retry_after.json"))
    before = datetime.now(UTC)
    with pytest.raises(ReplyError, match=r"rate limited by Reddit \(429\)") as info:
        reddit.reply(post(), "hi")
    assert info.value.retry_at is not None and info.value.retry_at > before


def test_wrong_password_names_the_settings_not_the_value(fake_api: FakeAPI) -> None:
    fake_api.add("POST", TOKEN, token_response("access_token.invalid_grant.json"), sticky=True)
    reddit = RedditResponder(
        name="reddit-test",
        client_id="cid",
        client_secret=SECRET,
        username="AcmeSupport",
        password=PASSWORD,
        user_agent="social-triage-tests/0.1",
        base_url=fake_api.url,
        auth_url=fake_api.url,
    )
    with pytest.raises(
        ReplyError, match=r"refused the account's credentials \(invalid_grant\)"
    ) as info:
        reddit.reply(post(), "hi")
    assert PASSWORD not in str(info.value) and SECRET not in str(info.value)
    assert fake_api.requests_to(COMMENT) == []


def test_not_a_reddit_id_is_refused(fake_api: FakeAPI) -> None:
    with pytest.raises(ReplyError, match="not a Reddit post or comment id"):
        responder(fake_api).reply(post("12345"), "hi")


def settings(**kwargs: Any) -> RedditSourceSettings:
    return RedditSourceSettings(name="reddit-test", subreddits=["acme"], **kwargs)


def test_build_responder_needs_the_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_REDDIT_CLIENT_ID", "cid")
    monkeypatch.setenv("TRIAGE_REDDIT_CLIENT_SECRET", SECRET)
    with pytest.raises(NotConfigured, match=r"sources\[reddit-test\].username"):
        build_responder(settings(), dry_run=False)
    monkeypatch.delenv("TRIAGE_REDDIT_PASSWORD", raising=False)
    with pytest.raises(NotConfigured, match="TRIAGE_REDDIT_PASSWORD"):
        build_responder(settings(username="AcmeSupport"), dry_run=False)


def test_build_responder_from_settings_replies(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_REDDIT_CLIENT_ID", "cid")
    monkeypatch.setenv("TRIAGE_REDDIT_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("TRIAGE_REDDIT_PASSWORD", PASSWORD)
    built = build_responder(
        settings(username="u/AcmeSupport", base_url=fake_api.url, auth_url=fake_api.url),
        dry_run=False,
    )
    assert isinstance(built, RedditResponder)
    assert "u/AcmeSupport" in built.describe() and PASSWORD not in built.describe()
    fake_api.add("POST", TOKEN, token_response("access_token.script_app.json"), sticky=True)
    fake_api.add("POST", COMMENT, recorded("comment_reply.json"))
    assert built.reply(post(), "hi").external_id == "t1_d162ara"
    built.close()


def test_feed_and_replay_sources_have_no_reply_api() -> None:
    from listener.feed.settings import FeedSourceSettings
    from listener.replay import ReplaySourceSettings

    for source in (
        ReplaySourceSettings(name="sample"),
        FeedSourceSettings(name="forum", urls=["https://example.org/latest.rss"]),
    ):
        built = build_responder(source, dry_run=False)
        assert isinstance(built, NoReplyAPI)
        with pytest.raises(ReplyError, match=f"source '{source.name}' has no reply API"):
            built.reply(post(), "hi")
        assert build_responder(source, dry_run=True).reply(post(), "hi").dry_run
    with pytest.raises(ReplyError, match="no longer configured"):
        build_responder(None, dry_run=False).direct_message(post(), "hi")
