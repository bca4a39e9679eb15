"""No poison pills: one bad item never fails its page or holds the cursor (both engines)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from kernel.models import Author, Post
from listener.replay import ReplaySource
from triage.polling import poll_source
from triage.storage import Store
from triage.storage.tables import posts, quarantine

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def good(i: int, **changes: Any) -> Post:
    fields: dict[str, Any] = {
        "source": "x",
        "external_id": str(i),
        "text": f"post {i}",
        "created_at": T0,
        "author": Author(handle=f"user{i}"),
    }
    fields.update(changes)
    return Post(**fields)


def deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"a": value}
    return value


HOSTILE: list[Post] = [
    good(1, url={"not": "a string"}),  # type: ignore[arg-type]
    good(2, author=Author(handle="h", name={"an": "object"})),  # type: ignore[arg-type]
    good(3, author=Author(handle="h", verified="maybe")),  # type: ignore[arg-type]
    good(4, author=Author(handle="h", followers=10**30)),
    good(5, author=Author(handle="h\x00nul"), url="https://x.com/\x00"),
    good(6, lang="x" * 40),
    good(7, author=Author(handle="h" * 300)),
    good(8, raw=deep(3000)),
    good(9, text="nul\x00 in text", raw={"k\x00": "v\x00", "n": float("nan"), "big": 10**30}),
    good(10, conversation_id="c" * 500, parent_id="p" * 500),
]
UNSTORABLE: list[Post] = [
    good(11, source="s" * 65),
    good(12, external_id="e" * 192),
    good(13, external_id="\x00"),
    good(14, external_id={"id": 1}),  # type: ignore[arg-type]
    good(15, text=None),  # type: ignore[arg-type]
]


def test_hostile_items_are_repaired_or_quarantined_never_fail_the_page(store: Store) -> None:
    page = [good(0), *HOSTILE, *UNSTORABLE, good(99)]
    assert store.save_page("s", "replay", page, {"offset": 7}) == 2 + len(HOSTILE)
    assert store.get_cursor("s") == {"offset": 7}
    [state] = store.source_states()
    assert state.quarantined == len(UNSTORABLE)
    four = store.find_post("x", "4")
    assert four is not None and four.post.author.followers is None
    assert "author.followers dropped" in " ".join(four.post.raw["_normalised"])
    five = store.find_post("x", "5")
    assert five is not None and five.post.author.handle == "hnul"
    six = store.find_post("x", "6")
    assert six is not None and six.post.lang is None
    eight = store.find_post("x", "8")
    assert eight is not None and "nesting" in " ".join(eight.post.raw["_normalised"])
    with store.engine.connect() as conn:
        reasons = conn.execute(select(quarantine.c.reason)).scalars().all()
    assert any("external_id is 192 characters long" in r for r in reasons)
    assert any("source is 65 characters long" in r for r in reasons)


def _refuse_boom(store: Store) -> None:
    """A constraint the normaliser cannot know about: the database itself refuses a row."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(text("ALTER TABLE posts ADD CONSTRAINT no_boom CHECK (text <> 'boom')"))
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER no_boom BEFORE INSERT ON posts WHEN NEW.text = 'boom' "
                    "BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
                )
            )


def test_a_row_the_database_refuses_is_found_row_by_row_and_quarantined(store: Store) -> None:
    _refuse_boom(store)
    page = [good(1), good(2, text="boom"), good(3)]
    assert store.save_page("s", "replay", page, {"offset": 3}) == 2
    assert store.get_cursor("s") == {"offset": 3}
    assert store.find_post("x", "2") is None
    [state] = store.source_states()
    assert state.quarantined == 1
    with store.engine.connect() as conn:
        [row] = conn.execute(select(quarantine)).mappings().all()
    assert row["external_id"] == "2" and "database refused" in row["reason"]


def test_one_bad_line_in_a_replay_file_does_not_stop_the_rest(store: Store, tmp_path: Path) -> None:
    lines = []
    for i in range(1, 41):
        lines.append(
            json.dumps(
                {"source": "x", "external_id": str(i), "text": f"t{i}", "created_at": str(T0)}
            )
        )
    lines[10] = "[" * 3000 + "]" * 3000  # nesting past the recursion limit
    lines[20] = "{not json"
    lines[25] = json.dumps(
        {"source": "x", "external_id": "e" * 500, "text": "t", "created_at": T0.isoformat()}
    )
    lines[30] = json.dumps(
        {
            "source": "x",
            "external_id": "31",
            "text": "t",
            "created_at": T0.isoformat(),
            "url": {"an": "object"},
            "author": {"handle": "h\x00", "name": {"x": 1}, "followers": 1e300, "verified": "?"},
            "lang": "l" * 100,
        }
    )
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = poll_source(store, ReplaySource(name="r", path=path))
    assert outcome.status == "ok"
    assert store.count_posts() == 37
    [state] = store.source_states()
    assert state.quarantined == 3 and state.healthy
    assert store.get_cursor("r") == {"offset": path.stat().st_size, "line": 40}


def test_nothing_stored_holds_a_nul_byte(store: Store) -> None:
    store.save_page("s", "replay", HOSTILE, None)
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts)).mappings().all()
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == len(HOSTILE)
    for row in rows:
        assert "\x00" not in json.dumps(dict(row), default=str)
