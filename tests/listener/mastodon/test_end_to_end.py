"""A Mastodon source end to end on SQLite and PostgreSQL: the daemon's poller stores each
mention once through the real Mastodon.py client, a second poll stores nothing new, and the
queue answers (dry run, then live through the real client) with the brand's reply read back
as the row already stored."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from config.schema import Settings
from tests.httpserver import FakeAPI, Response
from tests.listener.mastodon import helpers as m
from tests.queue.seed import users
from tests.queue.test_answer_flow import decide_public
from triage.polling import poll_source
from triage.queue.service import QueueService
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.answers import is_answered

SENT = m.recorded("test_status_reply.yaml", "POST", m.STATUSES, 1)


def settings(api: FakeAPI, *, dry_run: bool) -> Settings:
    source = {"name": "brand-mastodon", "type": "mastodon", "instance_url": api.url}
    return Settings.model_validate({"sources": [source], "replies": {"dry_run": dry_run}})


def test_poll_store_once_and_answer_from_the_queue(
    store: Store, fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_MASTODON_TOKEN", m.TOKEN)
    first = [m.mention(n, n * 10) for n in (16, 15, 14)]
    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page(first, next_max_id="14"))
    fake_api.add(
        "GET", m.NOTIFICATIONS, m.notifications_page([m.mention(13, 130)], next_max_id=None)
    )
    outcome = poll_source(store, m.make_source(fake_api))
    assert outcome.status == "ok" and outcome.new == 4 and store.count_posts() == 4

    fake_api.add("GET", m.NOTIFICATIONS, m.notifications_page(first, next_max_id="14"))
    again = poll_source(store, m.make_source(fake_api))
    assert again.status == "ok" and again.new == 0 and store.count_posts() == 4
    assert fake_api.requests[-1].param("min_id") == "16"

    users(store)
    asked = store.find_post("mastodon", "160")
    assert asked is not None and asked.post.author.handle.startswith("admin@")
    decide_public(store, asked.id)
    ana = UserStore(store.engine).get("ana")
    assert ana is not None

    dry = QueueService(settings(fake_api, dry_run=True), store)
    sent = dry.respond(asked.id, ana, "we are on it!", channel="reply")
    assert sent.dry_run and fake_api.requests_to(m.STATUSES) == []
    dry.close()

    live = QueueService(settings(fake_api, dry_run=False), store)
    fake_api.add("POST", m.STATUSES, SENT)
    # The dry run counted as an answer: sending for real is answering again, on purpose.
    sent = live.respond(asked.id, ana, "we are on it!", channel="reply", again=True)
    assert not sent.dry_run and sent.external_id == SENT.body["id"]
    (request,) = fake_api.requests_to(m.STATUSES)
    assert parse_qs(request.body.decode())["in_reply_to_id"] == ["160"]
    assert is_answered(store, asked.id)
    live.close()

    # The brand's reply, read back on a hashtag timeline, is the row the answer stored.
    before = store.count_posts()
    fake_api.add("GET", "/api/v1/timelines/tag/acme", Response(body=[SENT.body]))
    echo = poll_source(store, m.make_source(fake_api, mentions=False, hashtags=["acme"]))
    assert echo.status == "ok" and echo.new == 0 and store.count_posts() == before
