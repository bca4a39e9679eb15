"""A Bluesky source end to end on SQLite and PostgreSQL: the daemon's poller stores each post
once through the real atproto client, a second poll stores nothing new, and the queue answers
(dry run, then live through the real client) with the brand's reply read back as the row
already stored."""

from __future__ import annotations

import json

import pytest

from config.schema import Settings
from tests.httpserver import FakeAPI
from tests.listener.bluesky import helpers as b
from tests.queue.seed import users
from tests.queue.test_answer_flow import decide_public
from triage.polling import poll_source
from triage.queue.service import QueueService
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.answers import is_answered

MARIA = "at://did:plc:maria3x7yq2l5kzt6f4rbwdu/app.bsky.feed.post/3lcmaria0001a"
SENT = "at://did:plc:acmebrand7kzq2vx4mvyxs3ld/app.bsky.feed.post/3lcbrandreply9"


def settings(api: FakeAPI, *, dry_run: bool) -> Settings:
    source = {"name": "brand-bsky", "type": "bluesky", "handle": b.BRAND, "service_url": api.url}
    return Settings.model_validate({"sources": [source], "replies": {"dry_run": dry_run}})


def test_poll_store_once_and_answer_from_the_queue(
    store: Store, fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_BLUESKY_APP_PASSWORD", b.PASSWORD)
    fake_api.add("POST", b.LOGIN, b.response("create_session.json"), sticky=True)
    fake_api.add("GET", b.GET_POSTS, b.response("get_posts.json"), sticky=True)
    fake_api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page1.json"))
    fake_api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page2.json"))
    outcome = poll_source(store, b.make_source(fake_api))
    assert outcome.status == "ok" and outcome.new == 5 and store.count_posts() == 5

    fake_api.add("GET", b.NOTIFICATIONS, b.response("list_notifications_page1.json"))
    again = poll_source(store, b.make_source(fake_api))
    assert again.status == "ok" and again.new == 0 and store.count_posts() == 5

    users(store)
    asked = store.find_post("bluesky", MARIA)
    assert asked is not None and asked.post.raw["parent"]["author"] == b.BRAND
    decide_public(store, asked.id)
    ana = UserStore(store.engine).get("ana")
    assert ana is not None

    dry = QueueService(settings(fake_api, dry_run=True), store)
    sent = dry.respond(asked.id, ana, "Olá Maria, vamos verificar.", channel="reply")
    assert sent.dry_run and fake_api.requests_to(b.CREATE_RECORD) == []
    dry.close()

    live = QueueService(settings(fake_api, dry_run=False), store)
    fake_api.add("POST", b.CREATE_RECORD, b.response("create_record.json"))
    # The dry run counted as an answer: sending for real is answering again, on purpose.
    sent = live.respond(asked.id, ana, "Olá Maria, vamos verificar.", channel="reply", again=True)
    assert not sent.dry_run and sent.external_id == SENT
    (request,) = fake_api.requests_to(b.CREATE_RECORD)
    reply = json.loads(request.body)["record"]["reply"]
    assert reply["parent"]["uri"] == MARIA and reply["root"]["uri"] == asked.post.conversation_id
    assert is_answered(store, asked.id)
    live.close()

    # The brand's reply, found again by a search, is the row the answer stored.
    before = store.count_posts()
    echo = b.body("get_posts.json")["posts"][0]
    echo.update(uri=SENT, cid=b.body("create_record.json")["cid"])
    fake_api.add("GET", b.SEARCH, b.response("search_posts.json", body={"posts": [echo]}))
    found = poll_source(store, b.make_source(fake_api, mentions=False, queries=["acme"]))
    assert found.status == "ok" and found.new == 0 and store.count_posts() == before
