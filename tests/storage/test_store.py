from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kernel.models import Author, Post, PostKind
from triage.storage import Store


def post(i: int, *, source: str = "x", text: str = "hello") -> Post:
    return Post(
        source=source,
        external_id=str(i),
        text=text,
        created_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC) + timedelta(minutes=i),
        author=Author(handle=f"user{i}", name="User", followers=10, verified=False),
        url=f"https://x.com/user{i}/status/{i}",
        conversation_id="1",
        parent_id="1" if i > 1 else None,
        kind=PostKind.REPLY if i > 1 else PostKind.POST,
        query="@acme",
        raw={"id": str(i), "nested": {"emoji": "🔥"}},
    )


def test_insert_or_skip_counts_only_new_rows(store: Store) -> None:
    assert store.save_page("s", "replay", [post(1), post(2)], None) == 2
    assert store.save_page("s", "replay", [post(2), post(3)], None) == 1
    assert store.save_page("s", "replay", [post(3), post(3)], None) == 0
    assert store.count_posts() == 3


def test_same_external_id_on_another_source_is_another_post(store: Store) -> None:
    store.save_page("s", "replay", [post(1, source="x"), post(1, source="reddit")], None)
    assert store.stats() == {"posts": 2, "by_source": {"reddit": 1, "x": 1}}


def test_round_trip_keeps_every_field(store: Store) -> None:
    original = post(2, text="Wi-Fi down again 😡 " + "x" * 5000)
    store.save_page("s", "replay", [original], None)
    stored = store.find_post("x", "2")
    assert stored is not None
    assert stored.post == original
    assert stored.post.created_at.tzinfo is not None
    assert store.get_post(stored.id) == stored


def test_cursor_is_stored_with_its_page(store: Store) -> None:
    assert store.get_cursor("s") is None
    store.save_page("s", "replay", [post(1)], {"offset": 10})
    store.save_page("s", "replay", [post(2)], None)  # a page that must not move the cursor
    assert store.get_cursor("s") == {"offset": 10}
    [state] = store.source_states()
    assert (state.name, state.type, state.posts) == ("s", "replay", 2)


def test_a_naive_time_is_taken_as_utc_not_a_failed_page(store: Store) -> None:
    naive = Post(source="x", external_id="9", text="x", created_at=datetime(2026, 1, 1))
    assert store.save_page("s", "replay", [post(1), naive], {"offset": 99}) == 2
    stored = store.find_post("x", "9")
    assert stored is not None and stored.post.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert store.get_cursor("s") == {"offset": 99}


def test_poll_runs_and_health(store: Store) -> None:
    run_id = store.start_poll("s")
    store.finish_poll(run_id, status="ok", fetched=3, new=2, pages=1)
    abandoned = store.start_poll("s")
    assert store.mark_abandoned_polls() == 1
    runs = store.poll_runs("s")
    assert [r.status for r in runs] == ["interrupted", "ok"]
    assert runs[1].fetched == 3 and runs[1].new == 2
    assert abandoned
    reset = datetime(2030, 1, 1, tzinfo=UTC)
    store.set_health("s", "x", healthy=False, message="401 Unauthorized", next_poll_at=reset)
    [state] = store.source_states()
    assert state.healthy is False and state.message == "401 Unauthorized"
    assert state.next_poll_at == reset and state.last_poll_at is not None


def test_iter_posts_in_id_order(store: Store) -> None:
    store.save_page("s", "replay", [post(i) for i in range(1, 6)], None)
    ids = [p.id for p in store.iter_posts()]
    assert ids == sorted(ids) and len(ids) == 5
    assert [p.post.external_id for p in store.iter_posts(after_id=ids[2])] == ["4", "5"]


def test_large_batches_are_chunked(store: Store) -> None:
    assert store.save_page("s", "replay", [post(i) for i in range(2500)], None) == 2500


@pytest.mark.postgres
def test_only_one_replica_polls_a_source(pg_url: str) -> None:
    from triage.storage import make_engine, migrate

    first, second = make_engine(pg_url), make_engine(pg_url)
    migrate(first)
    a, b = Store(first), Store(second)
    with a.source_lock("s") as got_a:
        assert got_a
        with b.source_lock("s") as got_b:
            assert not got_b
        with b.source_lock("other") as got_other:
            assert got_other
    with b.source_lock("s") as got_again:
        assert got_again
    first.dispose()
    second.dispose()
