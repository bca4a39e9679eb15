"""No self-echo, end to end: a replay thread, the real classifier with the shipped rules, and a
reply an agent sent: the brand's posts are decided `ignore` and the customer's post answered."""

from __future__ import annotations

import json
from pathlib import Path

from classifiers.pipeline import Classifier
from kernel.models import Route, SentMessage
from listener.replay import ReplaySource
from tests.classifiers.test_encoder import tiny_model  # noqa: F401 (fixture)
from tests.classifiers.test_pipeline import classifier, tiny_heads  # noqa: F401 (fixtures)
from triage.classify_job import classify_pending
from triage.storage import Store
from triage.storage.answers import answered_post_ids, record_sent
from triage.storage.decisions import DecisionStore

THREAD = [
    {
        "source": "x",
        "external_id": "1",
        "text": "@acme you charged my card twice, refund my money",
        "created_at": "2026-11-20T09:00:00Z",
        "author": {"handle": "dani"},
    },
    {
        "source": "x",
        "external_id": "2",
        "text": "@dani so sorry! Send us a DM with your order number and we will refund it",
        "created_at": "2026-11-20T09:05:00Z",
        "author": {"handle": "AcmeSupport"},
        "parent_id": "1",
    },
    {
        "source": "x",
        "external_id": "3",
        "text": "@acme the app is down again, worst",
        "created_at": "2026-11-20T09:10:00Z",
        "author": {"handle": "lee"},
    },
]


def test_brand_replies_are_ignored_and_answer_their_posts(
    tmp_path: Path,
    sqlite_store: Store,
    classifier: Classifier,  # noqa: F811
) -> None:
    store = sqlite_store
    path = tmp_path / "thread.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in THREAD), encoding="utf-8")
    source = ReplaySource(name="replay", path=path, brand_handles=frozenset({"acmesupport"}))
    for page in source.poll(None):
        store.save_page("replay", "replay", page.posts, page.cursor)
    ids = {p.post.external_id: p.id for p in store.iter_posts()}

    # An agent answers post 3 through a responder; the reply is recorded before any poll.
    asked = store.get_post(ids["3"])
    assert asked is not None
    sent = SentMessage(channel="reply", text="@lee sorry, we are on it", external_id="4")
    assert record_sent(store, asked, sent, author_handle="AcmeSupport") is not None
    ids["4"] = next(p.id for p in store.iter_posts() if p.post.external_id == "4")

    assert classify_pending(store, classifier, default_sink="local") == 4
    decisions = DecisionStore(store.engine)
    for own in ("2", "4"):
        current = decisions.current(ids[own])
        assert current is not None
        assert current.decision.route == Route.IGNORE
        assert current.decision.rule == "brand-own-posts"
    assert answered_post_ids(store, ids.values()) == {ids["1"], ids["3"]}
