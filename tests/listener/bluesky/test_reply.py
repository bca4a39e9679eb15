"""Answering Bluesky posts through the real atproto client: a reply threaded to the post's own
root and to the post as parent, a direct message through the chat service, refusals as one
line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from config.schema import Settings
from kernel.errors import ReplyError
from kernel.models import Post
from listener.bluesky.reply import BlueskyResponder
from listener.respond import build_responder
from tests.httpserver import FakeAPI
from tests.listener.bluesky import helpers as b

SENT = "at://did:plc:acmebrand7kzq2vx4mvyxs3ld/app.bsky.feed.post/3lcbrandreply9"
CONVO = "/xrpc/chat.bsky.convo.getConvoForMembers"
SEND = "/xrpc/chat.bsky.convo.sendMessage"


def stored(api: FakeAPI, index: int, page: str = "list_notifications_page2.json") -> Post:
    """A post as the source stored it (its raw record with the reply refs and CID)."""
    b.logged_in(api)
    api.add("GET", b.NOTIFICATIONS, b.response(page))
    api.add("GET", b.GET_POSTS, b.response("get_posts.json"))
    [result] = list(b.make_source(api).poll(None))
    return result.posts[index]


def responder(api: FakeAPI) -> BlueskyResponder:
    b.logged_in(api)
    return BlueskyResponder(
        name="brand-bsky", handle=b.BRAND, app_password=b.PASSWORD, service_url=api.url
    )


def created(api: FakeAPI) -> dict[str, Any]:
    (request,) = api.requests_to(b.CREATE_RECORD)
    body: dict[str, Any] = json.loads(request.body)
    return body


def test_reply_in_a_thread_keeps_its_root_and_answers_the_post(fake_api: FakeAPI) -> None:
    post = stored(fake_api, 1)  # João's reply to Lee, in the brand's thread
    fake_api.add("POST", b.CREATE_RECORD, b.response("create_record.json"))
    sent = responder(fake_api).reply(post, "Sorry! Details at https://acme.example/help.")
    assert sent.external_id == SENT and not sent.dry_run
    assert sent.url == "https://bsky.app/profile/acme.bsky.social/post/3lcbrandreply9"
    body = created(fake_api)
    assert body["repo"] == b.BRAND_DID and body["collection"] == "app.bsky.feed.post"
    reply = body["record"]["reply"]
    assert reply["parent"] == {
        "uri": post.external_id,
        "cid": post.raw["cid"],
        "$type": "com.atproto.repo.strongRef",
    }
    assert reply["root"]["uri"] == post.conversation_id != post.external_id
    [facet] = body["record"]["facets"]
    assert facet["features"][0]["uri"] == "https://acme.example/help"
    text = body["record"]["text"].encode()
    assert text[facet["index"]["byteStart"] : facet["index"]["byteEnd"]] == (
        b"https://acme.example/help"
    )
    assert body["record"]["langs"] == ["en"]


def test_reply_to_a_thread_start_uses_the_post_as_root(fake_api: FakeAPI) -> None:
    post = stored(fake_api, 0)  # Maria's mention, not a reply
    fake_api.add("POST", b.CREATE_RECORD, b.response("create_record.json"))
    responder(fake_api).reply(post, "@maria.bsky.social Olá, já verificamos. @someone.else")
    record = created(fake_api)["record"]
    assert record["reply"]["root"]["uri"] == record["reply"]["parent"]["uri"] == post.external_id
    [mention] = record["facets"]  # the author is a mention; an unknown handle stays text
    assert mention["features"][0]["did"] == post.author.external_id
    assert mention["index"]["byteStart"] == 0
    assert mention["index"]["byteEnd"] == len(b"@maria.bsky.social")


def test_direct_message_goes_through_the_chat_service(fake_api: FakeAPI) -> None:
    post = stored(fake_api, 0)
    fake_api.add("GET", CONVO, b.response("get_convo_for_members.json"))
    fake_api.add("POST", SEND, b.response("send_message.json"))
    sent = responder(fake_api).direct_message(post, "Can you send us the order number?")
    assert sent.channel == "dm" and sent.external_id == "3lcmsg000001"
    [convo] = fake_api.requests_to(CONVO)
    assert convo.query["members"] == [post.author.external_id]
    assert convo.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    [send] = fake_api.requests_to(SEND)
    assert json.loads(send.body)["convoId"] == "3lcconvo00001"
    assert json.loads(send.body)["message"]["text"] == "Can you send us the order number?"


def test_429_says_when_to_try_again(fake_api: FakeAPI) -> None:
    post = stored(fake_api, 0)
    fake_api.add("POST", b.CREATE_RECORD, b.response("error_429.json"))
    with pytest.raises(ReplyError, match=r"rate limited by Bluesky \(429\); try again") as info:
        responder(fake_api).reply(post, "hello")
    assert info.value.retry_at is not None and info.value.retry_at > datetime.now(UTC)


def test_a_refused_login_names_the_settings_not_the_password(fake_api: FakeAPI) -> None:
    post = stored(fake_api, 0)
    fake_api.add("POST", b.LOGIN, b.response("error_401_login.json"))
    replier = BlueskyResponder(
        name="brand-bsky", handle=b.BRAND, app_password=b.PASSWORD, service_url=fake_api.url
    )
    with pytest.raises(ReplyError) as info:
        replier.reply(post, "hello")
    message = str(info.value)
    assert "sources[brand-bsky].handle and app_password" in message
    assert "Invalid identifier or password" in message and b.PASSWORD not in message


def test_a_post_without_its_cid_cannot_be_answered(fake_api: FakeAPI) -> None:
    post = Post(
        source="bluesky",
        external_id="at://did:plc:x/app.bsky.feed.post/1",
        text="hi",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    with pytest.raises(ReplyError, match="no AT URI and CID"):
        responder(fake_api).reply(post, "hello")
    assert fake_api.requests_to(b.CREATE_RECORD) == []


def test_built_from_settings_outside_dry_run_only(
    fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_BLUESKY_APP_PASSWORD", b.PASSWORD)
    source = {"name": "sky", "type": "bluesky", "handle": b.BRAND, "service_url": fake_api.url}
    [settings] = Settings.model_validate({"sources": [source]}).sources
    assert build_responder(settings, dry_run=True).dry_run
    live = build_responder(settings, dry_run=False)
    assert isinstance(live, BlueskyResponder) and live.account == b.BRAND
    assert b.PASSWORD not in live.describe() and fake_api.requests == []
    live.close()
