"""Input hardening at the storage boundary (issue 19, defect 9), through a real replay file
and the real store on SQLite and PostgreSQL: text of only control characters is rejected, ids
of the wrong type are refused with one line naming the row, an unparseable line is quarantined
with its masked content, and posts dated in the far future do not sort first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from listener.replay import ReplaySource
from triage.polling import poll_source
from triage.storage import Store
from triage.storage.tables import posts, quarantine

T0 = "2026-11-20T10:00:00Z"


def _line(external_id: object, text: str = "hello", **fields: object) -> str:
    record = {"source": "x", "external_id": external_id, "text": text, "created_at": T0}
    return json.dumps({**record, **fields})


def _poll(store: Store, tmp_path: Path, lines: list[str]) -> list[dict[str, object]]:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert poll_source(store, ReplaySource(name="r", path=path)).status == "ok"
    with store.engine.connect() as conn:
        rows = conn.execute(select(quarantine).order_by(quarantine.c.id)).mappings().all()
    return [dict(r) for r in rows]


def test_text_of_only_control_characters_is_rejected(store: Store, tmp_path: Path) -> None:
    rows = _poll(store, tmp_path, [_line("1", "\x01\x02\x1b\x7f"), _line("2", " \x07 \x08 "),
                                   _line("3", "bell\x07 ok")])  # fmt: skip
    assert [r["reason"] for r in rows] == [
        f"{tmp_path / 'posts.jsonl'}:1: text is only control characters (4)",
        f"{tmp_path / 'posts.jsonl'}:2: text is only control characters (2)",
    ]
    stored = store.find_post("x", "3")
    assert stored is not None and stored.post.text == "bell ok"
    assert store.find_post("x", "1") is None and store.count_posts() == 1


def test_ids_of_the_wrong_type_are_refused_naming_the_row(store: Store, tmp_path: Path) -> None:
    lines = [
        _line(True),
        _line(1.5),
        _line({"id": 1}),
        _line("4", parent_id=False),
        _line("5", author={"handle": "h", "id": [1]}),
        json.dumps({"source": 7, "external_id": "6", "text": "t", "created_at": T0}),
        _line(7),  # platforms use numbers: kept, as "7"
        _line("8"),
    ]
    rows = _poll(store, tmp_path, lines)
    where = tmp_path / "posts.jsonl"
    assert [r["reason"] for r in rows] == [
        f"{where}:1: external_id must be a string or an integer, not true",
        f"{where}:2: external_id must be a string or an integer, not a number with a fraction",
        f"{where}:3: external_id must be a string or an integer, not an object",
        f"{where}:4: parent_id must be a string or an integer, not false",
        f"{where}:5: author.id must be a string or an integer, not a list",
        f"{where}:6: source must be a string, not int",
    ]
    with store.engine.connect() as conn:
        ids = sorted(conn.execute(select(posts.c.external_id)).scalars())
    assert ids == ["7", "8"]  # no "True", no "1.5"


def test_an_unparseable_line_is_quarantined_with_its_masked_content(
    store: Store, tmp_path: Path
) -> None:
    card, password = "4111 1111 1111 1111", "Hunter2Secret!"
    broken = f'{{"source": "x", "external_id": "9", "text": "card {card} password: {password}'
    rows = _poll(store, tmp_path, [broken, "[" * 3000 + "]" * 3000])
    assert len(rows) == 2
    assert "not valid JSON" in str(rows[0]["reason"])
    payload = str(rows[0]["payload"])
    assert "external_id" in payload  # the line as read, masked
    assert "**** **** **** 1111" in payload and "********" in payload
    assert card not in payload and password not in payload
    assert "cannot read the post: RecursionError" in str(rows[1]["reason"])
    assert str(rows[1]["payload"]).startswith('"[[[')


def test_posts_from_the_far_future_are_stored_as_read_and_do_not_sort_first(
    store: Store, tmp_path: Path
) -> None:
    before = datetime.now(UTC)
    soon = (before + timedelta(minutes=5)).isoformat()
    _poll(store, tmp_path, [_line("1", created_at="9999-12-31T23:59:59Z"), _line("2"),
                            _line("3", created_at=soon)])  # fmt: skip
    far = store.find_post("x", "1")
    assert far is not None
    assert before <= far.post.created_at <= datetime.now(UTC)
    assert "created_at 9999-12-31T23:59:59+00:00 is in the future" in far.post.raw["_normalised"][0]
    near = store.find_post("x", "3")  # a few minutes of clock skew is kept as given
    assert near is not None and near.post.created_at > datetime.now(UTC)
    with store.engine.connect() as conn:
        newest = (
            conn.execute(select(posts.c.external_id).order_by(posts.c.created_at.desc()))
            .scalars()
            .all()
        )
    assert newest[0] == "3" and newest[-1] == "2"
