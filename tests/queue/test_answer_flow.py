"""The queue answers through one path (`triage.storage.answers`), end to end over HTTP.

The X source stores mentions from a local stand-in of the X API; the queue replies through the
real tweepy responder; the brand's reply read back by the listener stores nothing new; a reply
the brand wrote on X itself, read back by the listener, moves its post to the Answered view
too, and both posts show the brand's reply on their card."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from config.schema import Settings
from kernel.models import Decision, Route
from tests.httpserver import FakeAPI
from tests.listener.x.helpers import BRAND_ID, response
from tests.queue.seed import signals, users
from tests.test_reply_flow import CUSTOMER, OTHER, SENT_ID, echo_page, first_page, poll
from triage.queue.models import Filters, ItemStatus, View
from triage.queue.service import QueueService
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.answers import is_answered
from triage.storage.decisions import DecisionStore

DIRECT_ID = "1456012973835700001"  # a reply the brand wrote on X itself


def decide_public(store: Store, post_id: int) -> None:
    stored = store.get_post(post_id)
    assert stored is not None
    decision = Decision(
        route=Route.PUBLIC_REPLY,
        tier=1,
        confidence=0.9,
        needs_review=False,
        rule="complaint-public",
        explanation="Rule 'complaint-public' matched.",
        priority="normal",
    )
    with store.engine.begin() as conn:
        DecisionStore(store.engine).save(conn, stored, signals(), decision)


def direct_reply_page() -> dict[str, Any]:
    """The brand's reply to the other post, written on X, as the mentions timeline has it."""
    body = echo_page()
    tweet = body["data"][0]
    tweet.update(id=DIRECT_ID, edit_history_tweet_ids=[DIRECT_ID], text="@someone DM us please")
    tweet["referenced_tweets"] = [{"type": "replied_to", "id": OTHER}]
    body["meta"] = {"result_count": 1, "newest_id": DIRECT_ID, "oldest_id": DIRECT_ID}
    return copy.deepcopy(body)


def ids(queue: QueueService, view: View) -> set[int]:
    return {i.post_id for i in queue.page(view, Filters()).items}


def test_queue_answers_through_one_path(
    store: Store, fake_api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    users(store)
    assert poll(store, fake_api, first_page()) > 0
    asked, other = store.find_post("x", CUSTOMER), store.find_post("x", OTHER)
    assert asked is not None and other is not None
    decide_public(store, asked.id)
    decide_public(store, other.id)

    for key in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.setenv(f"TRIAGE_X_{key}", f"value-of-{key.lower()}")
    settings = Settings.model_validate(
        {
            "sources": [
                {
                    "name": "brand-x",
                    "type": "x",
                    "brand_user_id": BRAND_ID,
                    "brand_username": "AcmeSupport",
                    "base_url": fake_api.url,
                }
            ],
            "replies": {"dry_run": False},
        }
    )
    queue = QueueService(settings, store)
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    assert {asked.id, other.id} <= ids(queue, View.PUBLIC_REPLY)
    assert queue.responder("brand-x") is queue.responder("brand-x")  # built once per source

    # 1. An agent replies from the queue: the real tweepy client posts to the stand-in.
    fake_api.add("POST", "/2/tweets", response("create_tweet.tweepy_cassette.json"))
    sent = queue.respond(asked.id, ana, "@maria_silva on it!", channel="reply")
    assert sent.external_id == SENT_ID and not sent.dry_run
    (request,) = fake_api.requests_to("/2/tweets")
    assert json.loads(request.body)["reply"] == {"in_reply_to_tweet_id": CUSTOMER}
    assert is_answered(store, asked.id)
    assert asked.id in ids(queue, View.ANSWERED) and asked.id not in ids(queue, View.PUBLIC_REPLY)
    before = store.count_posts()
    assert poll(store, fake_api, echo_page()) == 0  # the echo is the row `send` stored
    assert store.count_posts() == before
    detail = queue.detail(asked.id)
    assert [p.external_id for p in detail.brand_replies] == [SENT_ID]
    assert detail.item.status is ItemStatus.ANSWERED
    assert [(r.sent_by, r.external_id) for r in detail.replies] == [("ana", SENT_ID)]

    # 2. The brand answers the other post on X itself; the listener reads it back.
    assert other.id in ids(queue, View.PUBLIC_REPLY)
    assert poll(store, fake_api, direct_reply_page()) == 1
    assert other.id in ids(queue, View.ANSWERED)
    for view in (View.PUBLIC_REPLY, View.REVIEW, View.LABEL, View.IGNORED):
        assert other.id not in ids(queue, view), view
    detail = queue.detail(other.id)
    assert detail.item.status is ItemStatus.ANSWERED and detail.replies == ()
    (answer,) = detail.brand_replies
    assert answer.external_id == DIRECT_ID and answer.author.is_brand
    counts = queue.reads.counts()
    assert counts[View.PUBLIC_REPLY] == len(ids(queue, View.PUBLIC_REPLY))
    queue.close()
