"""Self-echo: the brand's public replies mark the post they answer, however they arrive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from kernel.models import Author, Post, SentMessage, StoredPost
from listener.replay import ReplaySource
from triage.storage import Store
from triage.storage.answers import (
    answered_clause,
    answered_post_ids,
    brand_answers,
    is_answered,
    record_sent,
)
from triage.storage.tables import posts

WHEN = datetime(2026, 11, 20, 9, tzinfo=UTC)


def customer(external_id: str = "100", source: str = "x") -> Post:
    return Post(
        source=source,
        external_id=external_id,
        text="@AcmeSupport my order never came",
        created_at=WHEN,
        author=Author(handle="dani", external_id="750"),
        conversation_id="100",
    )


def reply(external_id: str, parent: str, *, brand: bool, source: str = "x") -> Post:
    return Post(
        source=source,
        external_id=external_id,
        text="@dani sorry! Checking it now",
        created_at=WHEN,
        author=Author(handle="AcmeSupport" if brand else "someone", is_brand=brand),
        parent_id=parent,
    )


def stored(store: Store, post: Post) -> StoredPost:
    found = store.find_post(post.source, post.external_id)
    assert found is not None
    return found


def test_a_brand_reply_seen_by_the_listener_answers_its_parent_only(store: Store) -> None:
    store.save_page(
        "brand-x",
        "x",
        [
            customer("100"),
            customer("101"),
            customer("100", source="reddit"),  # same id elsewhere: a different post
            reply("200", "100", brand=True),
            reply("201", "101", brand=False),  # a stranger's reply answers nothing
        ],
        None,
    )
    ids = {key: stored(store, p).id for key, p in [("a", customer("100")), ("b", customer("101"))]}
    other = stored(store, customer("100", source="reddit")).id
    assert answered_post_ids(store, [ids["a"], ids["b"], other]) == {ids["a"]}
    assert is_answered(store, ids["a"]) and not is_answered(store, ids["b"])
    assert [a.post.external_id for a in brand_answers(store, ids["a"])] == ["200"]
    with store.engine.connect() as conn:
        open_ids = conn.execute(select(posts.c.id).where(~answered_clause())).scalars().all()
    assert ids["a"] not in open_ids and ids["b"] in open_ids


def test_record_sent_answers_at_once_and_the_echo_is_not_stored_twice(store: Store) -> None:
    store.save_page("brand-x", "x", [customer("100")], None)
    post = stored(store, customer("100"))
    sent = SentMessage(
        channel="reply",
        text="@dani sorry! Checking it now",
        external_id="300",
        url="https://x.com/AcmeSupport/status/300",
    )
    echo = record_sent(store, post, sent, author_handle="@AcmeSupport")
    assert echo is not None and echo.post.author.is_brand
    assert echo.post.parent_id == "100" and echo.post.author.handle == "AcmeSupport"
    assert is_answered(store, post.id)
    before = store.count_posts()
    # The listener later reads the same reply back: insert-or-skip, nothing new.
    assert store.save_page("brand-x", "x", [reply("300", "100", brand=True)], None) == 0
    assert record_sent(store, post, sent, author_handle="AcmeSupport") is not None
    assert store.count_posts() == before
    assert [a.post.external_id for a in brand_answers(store, post.id)] == ["300"]


def test_dry_runs_and_dms_are_not_public_answers(store: Store) -> None:
    store.save_page("brand-x", "x", [customer("100")], None)
    post = stored(store, customer("100"))
    for sent in (
        SentMessage(channel="reply", text="hi", dry_run=True),
        SentMessage(channel="dm", text="hi", external_id="dm-1"),
        SentMessage(channel="reply", text="hi"),  # a platform that gave no id
    ):
        assert record_sent(store, post, sent, author_handle="AcmeSupport") is None
    assert not is_answered(store, post.id) and store.count_posts() == 1


def test_replay_thread_end_to_end(tmp_path: Path, store: Store) -> None:
    """A replay file with a customer post and the brand's reply, through the real source."""
    lines = [
        {
            "source": "x",
            "external_id": "1",
            "text": "@acme where is my order??",
            "created_at": "2026-11-20T09:00:00Z",
            "author": {"handle": "dani"},
        },
        {
            "source": "x",
            "external_id": "2",
            "text": "@dani so sorry! Send us a DM with the order number",
            "created_at": "2026-11-20T09:05:00Z",
            "author": {"handle": "AcmeSupport"},
            "parent_id": "1",
        },
    ]
    path = tmp_path / "thread.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    source = ReplaySource(name="replay", path=path, brand_handles=frozenset({"acmesupport"}))
    for page in source.poll(None):
        store.save_page("replay", "replay", page.posts, page.cursor)
    asked, answer = stored(store, customer("1")), store.find_post("x", "2")
    assert answer is not None and answer.post.author.is_brand
    assert is_answered(store, asked.id) and not is_answered(store, answer.id)


def test_send_in_dry_run_records_nothing(store: Store) -> None:
    from listener.respond import DryRunResponder
    from triage.storage.answers import fetched_by, send

    store.save_page("brand-x", "x", [customer("100")], None)
    post = stored(store, customer("100"))
    assert fetched_by(store, post.id) == "brand-x" and fetched_by(store, 10_000) is None
    for channel in ("reply", "dm"):
        sent = send(
            store,
            DryRunResponder(name="brand-x"),
            post,
            "hi",
            channel=channel,
            brand_handle="AcmeSupport",
        )
        assert sent.dry_run and sent.channel == channel
    assert not is_answered(store, post.id) and store.count_posts() == 1
