"""Data protection at rest, edits, retention and erasure, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from classifiers.sensitive import detect
from config.operations import RetentionSettings
from kernel.models import Author, Post
from tests.test_classify_job import KeywordClassifier
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.storage import Store
from triage.storage.cases import CaseStore
from triage.storage.privacy import apply_retention
from triage.storage.tables import decisions, post_revisions, posts, retained_counts

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CARD = "4111 1111 1111 1111"


def post(i: int, text: str, *, handle: str = "jane", **raw: object) -> Post:
    return Post(
        source="x",
        external_id=str(i),
        text=text,
        created_at=T0,
        author=Author(handle=handle),
        raw={"text": text, **raw},
    )


def test_cards_and_credentials_are_masked_before_storage(store: Store) -> None:
    text = f"card {CARD} charged twice, my password: Hunter2Secret! mail jane@example.com"
    store.save_page("s", "replay", [post(1, text, nested={"deep": [text]})], None)
    with store.engine.connect() as conn:
        row = conn.execute(select(posts.c.text, posts.c.raw)).one()
    dumped = row.text + json.dumps(row.raw)
    assert CARD not in dumped and "4111111111111111" not in dumped
    assert "Hunter2Secret!" not in dumped
    assert "**** **** **** 1111" in row.text and "jane@example.com" in row.text  # kept
    assert row.raw["_masked"] == ["credential", "payment_card"]
    # A masked card is still a card: the stored post routes as the original would.
    assert {f.kind for f in detect(row.text)} >= {"payment_card", "credential"}


#: API keys and tokens of the common shapes (documentation examples and made-up values).
API_KEYS = (
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "rk_live_51H8abcDEFghiJKLmnoPQRst",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN",
    "xoxb-123456789012-abcdefghijklmnop",
    "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
)


def test_api_keys_a_customer_pastes_are_masked_at_rest_and_in_explain(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    texts = [f"@acme your integration broke, here is my key {key} please fix" for key in API_KEYS]
    store.save_page("s", "replay", [post(i, t) for i, t in enumerate(texts)], None)
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.text, posts.c.raw)).all()
        dumped = "\n".join(r.text + json.dumps(r.raw) for r in rows)
        dumped += "\n".join(map(str, conn.execute(select(decisions)).all()))
    assert len(rows) == len(API_KEYS)
    assert all("********" in r.text and r.raw["_masked"] == ["credential"] for r in rows)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    for i in range(len(API_KEYS)):
        result = CliRunner().invoke(cli, ["explain", f"x:{i}", "--config", str(cfg), "--json"])
        assert result.exit_code == 0, result.output
        dumped += result.output
    for key in API_KEYS:
        assert key not in dumped
        assert [f.kind for f in detect(f"key {key}")] == ["credential"]


def test_an_edit_is_a_new_revision_and_is_decided_again(store: Store) -> None:
    store.save_page("s", "replay", [post(1, "wifi down")], None)
    assert classify_pending(store, KeywordClassifier(), default_sink="desk") == 1
    assert store.save_page("s", "replay", [post(1, "wifi down"), post(2, "a")], None) == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(post_revisions)).scalar_one() == 0
    # Edited across pages: the old text becomes a revision, the post is decided again.
    store.save_page("s", "replay", [post(1, "my card was charged twice")], None)
    stored = store.find_post("x", "1")
    assert stored is not None and stored.post.text == "my card was charged twice"
    assert classify_pending(store, KeywordClassifier(), default_sink="desk") == 2
    with store.engine.connect() as conn:
        revisions = conn.execute(select(post_revisions.c.text)).scalars().all()
        routes = conn.execute(
            select(decisions.c.route, decisions.c.superseded_at.is_(None))
            .where(decisions.c.post_id == stored.id)
            .order_by(decisions.c.id)
        ).all()
    assert revisions == ["wifi down"]
    assert [tuple(r) for r in routes] == [("public_reply", False), ("helpdesk", True)]
    assert len(CaseStore(store.engine).list("pending")) == 1
    assert store.revisions(stored.id)[0][0] == "wifi down"
    # Edited within one page: the last version wins, earlier ones are revisions too.
    store.save_page("s", "replay", [post(3, "v1"), post(3, "v2"), post(3, "v3")], None)
    third = store.find_post("x", "3")
    assert third is not None and third.post.text == "v3"
    with store.engine.connect() as conn:
        texts = conn.execute(
            select(post_revisions.c.text)
            .where(post_revisions.c.post_id == third.id)
            .order_by(post_revisions.c.id)
        ).scalars()
        assert list(texts) == ["v1", "v2"]


def test_retention_clears_raw_payloads_and_deletes_old_posts_keeping_counts(
    store: Store,
) -> None:
    store.save_page("s", "replay", [post(1, "card one"), post(2, "spam"), post(3, "x")], None)
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    later = datetime.now(UTC) + timedelta(days=40)
    report = apply_retention(store.engine, RetentionSettings(raw_days=30), now=later)
    assert report.raw_cleared == 3 and store.count_posts() == 3
    stored = store.find_post("x", "1")
    assert stored is not None and stored.post.raw == {}
    report = apply_retention(store.engine, RetentionSettings(posts_days=30), now=later)
    assert report.posts_deleted == 3 and store.count_posts() == 0
    with store.engine.connect() as conn:
        kept = conn.execute(
            select(retained_counts.c.route, retained_counts.c.posts).order_by(
                retained_counts.c.route
            )
        ).all()
    assert [tuple(k) for k in kept] == [("helpdesk", 1), ("ignore", 1), ("public_reply", 1)]


def test_explain_shows_the_post_was_edited(store: Store, db_url: str, tmp_path: Path) -> None:
    store.save_page("s", "replay", [post(1, "wifi down")], None)
    store.save_page("s", "replay", [post(1, "wifi down since noon")], None)
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", "x:1", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "edited 1 time(s)" in result.output and "wifi down" in result.output
    result = CliRunner().invoke(cli, ["explain", "x:1", "--config", str(cfg), "--json"])
    data = json.loads(result.output)
    assert data["edited"] is True and data["revisions"][0]["text"] == "wifi down"


def test_erase_an_author_from_the_command_line(store: Store, db_url: str, tmp_path: Path) -> None:
    store.save_page(
        "s",
        "replay",
        [
            post(1, "my card", handle="Jane"),
            post(2, "hi", handle="bob"),
            post(3, "x", handle="jane"),
        ],
        None,
    )
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    store.save_page("s", "replay", [post(3, "edited", handle="jane")], None)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["erase", "--author", "@jane", "--config", str(cfg), "--json", "--yes"]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["posts"] == 2 and counts["cases"] == 1 and counts["revisions"] == 1
    assert counts["decisions"] == 2
    with store.engine.connect() as conn:
        handles = conn.execute(select(posts.c.author_handle)).scalars().all()
    assert handles == ["bob"]
