"""The learning loop's rows on SQLite and the real PostgreSQL: imported labels attach to stored
posts or become examples, the newest label counts, importing twice stores once, and head
versions are promoted, replaced and rolled back as a chain (docs/learning.md)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from classifiers.heads import HeadSet
from config.schema import DatabaseSettings, Settings
from kernel.errors import DatabaseUnavailable
from kernel.models import Author, Post
from triage.learned_heads import promoted
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.learning import ImportRow, LearningStore, read_if_present
from triage.storage.tables import audit_log, corrections, examples


def _post(external_id: str, text: str) -> Post:
    return Post(
        source="x",
        external_id=external_id,
        text=text,
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        author=Author(handle=f"user{external_id}"),
    )


def test_import_attaches_to_posts_keeps_examples_and_is_idempotent(store: Store) -> None:
    store.save_page("sample", "replay", [_post("1", "my bill doubled this month")], None)
    learning = LearningStore(store.engine)
    rows = [
        ImportRow(line=2, text="my bill doubled this month", label="negative", brand="Acme"),
        ImportRow(line=3, text="love the new app", label="positive", lang="en"),
        ImportRow(line=4, text="love the new app", label="positive"),  # same text again
    ]
    first = learning.import_labels(rows, task="sentiment", author="ana", origin="import:a.csv")
    assert (first.attached, first.examples, first.unchanged) == (1, 1, 1)
    again = learning.import_labels(rows, task="sentiment", author="ana", origin="import:a.csv")
    assert (again.attached, again.examples, again.unchanged) == (0, 0, 3)
    with store.engine.connect() as conn:
        assert len(conn.execute(select(examples)).all()) == 1
        assert len(conn.execute(select(corrections)).all()) == 2
        actions = [row.action for row in conn.execute(select(audit_log))]
    assert actions.count("corrections_import") == 2
    assert actions.count("correct") == 1  # the label on a stored post, like the queue's
    labels = learning.labels("sentiment")
    assert {(label.text, label.label, label.author) for label in labels} == {
        ("my bill doubled this month", "negative", "ana"),
        ("love the new app", "positive", "ana"),
    }
    assert next(label for label in labels if label.post_id).brand == "Acme"


def test_the_newest_label_counts(store: Store) -> None:
    learning = LearningStore(store.engine)
    row = ImportRow(line=2, text="where is my parcel", label="private_dm")
    learning.import_labels([row], task="route", author="ana", origin="import:a.csv")
    changed = ImportRow(line=2, text="where is my parcel", label="public_reply")
    result = learning.import_labels([changed], task="route", author="bia", origin="import:b.csv")
    assert result.unchanged == 0
    [label] = learning.labels("route")
    assert (label.label, label.author) == ("public_reply", "bia")
    assert learning.corrections_since(0) == 2
    assert learning.corrections_since(learning.last_correction_id()) == 0


def _version(learning: LearningStore, task: str = "route", brand: str | None = None) -> int:
    arrays = {"w0": np.zeros((2, 1), dtype=np.float32), "b0": np.zeros(1, dtype=np.float32)}
    with learning.engine.begin() as conn:
        return learning.save_version(
            conn,
            task=task,
            brand=brand,
            status="candidate",
            encoder_version="enc@1",
            metadata={"task": task, "score": np.float32(0.5)},
            arrays=arrays,
            created_by="cli:test",
            reason="test",
            run_id=None,
        )


def test_promotion_replaces_and_rollback_walks_back_the_chain(store: Store) -> None:
    learning = LearningStore(store.engine)
    v1, v2 = _version(learning), _version(learning)
    with store.engine.begin() as conn:
        learning.promote(conn, v1, by="cli:ana", reason="better")
    stamp_one = learning.active_stamp()
    with store.engine.begin() as conn:
        learning.promote(conn, v2, by="cli:ana", reason="better again")
    assert learning.active_stamp() != stamp_one
    assert [v.id for v, _ in learning.active_versions()] == [v2]
    v3 = _version(learning)
    with store.engine.begin() as conn:  # rejected candidates are kept, never active
        learning.promote(conn, v3, by="cli:ana", reason="better")
    retired, restored = learning.rollback("route", None, by="cli:bia")
    assert retired is not None and retired.id == v3 and retired.status == "retired"
    assert restored is not None and restored.id == v2 and restored.status == "active"
    retired, restored = learning.rollback("route", None, by="cli:bia")
    assert retired is not None and retired.id == v2
    assert restored is not None and restored.id == v1
    retired, restored = learning.rollback("route", None, by="cli:bia")
    assert retired is not None and retired.id == v1 and restored is None  # shipped again
    assert learning.rollback("route", None, by="cli:bia") == (None, None)
    assert learning.active_stamp() == ""
    with store.engine.connect() as conn:
        details = [json.loads(row.detail) for row in conn.execute(select(audit_log)) if row.detail]
    assert sum(1 for d in details if "retired" in d) == 3
    assert {d.get("version") for d in details if "replaces" in d} == {v1, v2, v3}


def test_a_brand_head_is_its_own_slot(store: Store) -> None:
    learning = LearningStore(store.engine)
    global_head, brand_head = _version(learning), _version(learning, brand="Acme")
    with store.engine.begin() as conn:
        learning.promote(conn, global_head, by="cli:ana", reason="better")
        learning.promote(conn, brand_head, by="cli:ana", reason="better for Acme")
    active = {(v.task, v.brand): v.id for v, _ in learning.active_versions()}
    assert active == {("route", None): global_head, ("route", "Acme"): brand_head}
    retired, restored = learning.rollback("route", "Acme", by="cli:ana")
    assert retired is not None and retired.id == brand_head and restored is None
    assert [v.id for v, _ in learning.active_versions()] == [global_head]
    version = learning.version(global_head)
    assert version is not None and version.metadata["score"] == 0.5  # numpy made plain


def test_labels_come_from_agents_of_the_queue_too(store: Store) -> None:
    """A label given in the queue (`corrections` row without origin) is a label like any."""
    store.save_page("sample", "replay", [_post("9", "app keeps crashing")], None)
    post = store.find_post("x", "9")
    assert post is not None
    UserStore(store.engine).add("ana", "agent", "correct horse battery staple")
    with store.engine.begin() as conn:
        conn.execute(
            corrections.insert().values(
                post_id=post.id,
                field="complaint",
                old_value="not_complaint",
                new_value="yes",
                author="ana",
                created_at=datetime.now(UTC),
            )
        )
    [label] = LearningStore(store.engine).labels("complaint")
    assert (label.label, label.origin, label.post_id) == ("complaint", "queue", post.id)


def test_read_if_present_creates_nothing_and_reads_a_migrated_database(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    """`classify` and `eval` judge with the promoted heads without creating a database."""
    missing = tmp_path / "nothing-here.db"
    assert read_if_present(DatabaseSettings(url=f"sqlite:///{missing}"), read=_stamp) is None
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert read_if_present(DatabaseSettings(url=f"sqlite:///{empty}"), read=_stamp) is None
    assert sqlite3.connect(empty).execute("select name from sqlite_master").fetchall() == []
    # `store` is migrated on the engine `db_url` names (SQLite or PostgreSQL)
    assert read_if_present(DatabaseSettings(url=db_url), read=_stamp) == _stamp(
        LearningStore(store.engine)
    )


def test_read_if_present_names_an_unreadable_database_in_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not sqlite, " * 400)
    with pytest.raises(DatabaseUnavailable) as raised:
        read_if_present(DatabaseSettings(url=f"sqlite:///{garbage}"), read=_stamp)
    assert "\n" not in str(raised.value) and "DatabaseError" in str(raised.value)
    settings = Settings.model_validate({"database": {"url": f"sqlite:///{garbage}"}})
    base = HeadSet({})
    assert promoted(settings, base, "encoder-v1") is base  # the shipped heads judge


def _stamp(learning: LearningStore) -> str:
    return learning.active_stamp()
