"""Erasure and retention after agents acted on a post (issue 19, defect 1), on SQLite and
PostgreSQL: nothing of the author survives in any column of any table, nor in the file sink."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, MetaData, select

from config.operations import RetentionSettings
from escalation.file import FileSink
from escalation.retry import RetryPolicy
from kernel.models import Author, Post
from tests.queue.seed import PASSWORD
from tests.test_classify_job import KeywordClassifier
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.outbox import deliver_due
from triage.storage import Store, make_engine
from triage.storage.case_delivery import CaseDelivery
from triage.storage.privacy import apply_retention
from triage.storage.tables import audit_log, cases, posts, quarantine, queue_items, replies

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
#: What identifies the author: the handle, the display name, their words.
TRACES = ("jane", "zebracorn", "quokka")
JANE = "my card was charged for a zebracorn blender I never ordered, help"
JANE_EDIT = "my card was charged for a quokka blender I never ordered, help!!"


def _post(i: int, text: str, handle: str, **fields: object) -> Post:
    return Post(
        source="x",
        external_id=str(i),
        text=text,
        created_at=T0 + timedelta(minutes=i),
        author=Author(handle=handle, name="Jane Quokka" if handle == "Jane" else "Bob"),
        raw={"text": text, "author": {"username": handle}},
        **fields,  # type: ignore[arg-type]
    )


def _seed(store: Store, tmp_path: Path, db_url: str) -> Path:
    parent = {"external_id": "1", "text": JANE, "author": "Jane", "url": "https://x.com/Jane/1"}
    bob = _post(2, "@Jane same here, my card too", "bob")
    store.save_page("s", "replay", [_post(1, JANE, "Jane")], None)
    store.save_page(
        "s",
        "replay",
        [
            Post(
                source=bob.source,
                external_id=bob.external_id,
                text=bob.text,
                created_at=bob.created_at,
                author=bob.author,
                raw={**bob.raw, "parent": parent},
                parent_id="1",
                conversation_id="1",
            ),
            _post(3, "unrelated question about opening hours", "carol"),
        ],
        None,
    )
    store.save_page("s", "replay", [_post(1, JANE_EDIT, "Jane")], None)  # an edit: a revision
    classify_pending(store, KeywordClassifier(), default_sink="local")
    cfg = tmp_path / "cfg.yaml"
    sink_file = tmp_path / "cases.jsonl"
    cfg.write_text(
        json.dumps(
            {
                "database": {"url": db_url},
                "sinks": [{"name": "local", "type": "file", "path": str(sink_file)}],
            }
        ),
        encoding="utf-8",
    )
    sink = FileSink(name="local", path=sink_file)
    policy = RetryPolicy(base_seconds=1, max_seconds=2, max_attempts=2)
    assert deliver_due(CaseDelivery(store.engine), {"local": sink}, policy).sent == 2
    return cfg


def _cli(cfg: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    env = {"TRIAGE_USER_PASSWORD": PASSWORD}
    result = CliRunner().invoke(cli, [*args, "--config", str(cfg)], input=stdin, env=env)
    return result.exit_code, result.output


def _act_as_agents(store: Store, cfg: Path) -> tuple[int, int]:
    jane_id, bob_id = (store.find_post("x", i).id for i in ("1", "2"))  # type: ignore[union-attr]
    assert _cli(cfg, "users", "add", "agent1", "--role", "agent")[0] == 0
    code, out = _cli(
        cfg, "queue", "reply", str(jane_id), "hi @Jane, we are on it", "--as", "agent1"
    )
    assert code == 0, out
    code, out = _cli(cfg, "queue", "note", str(bob_id), "same problem as @jane's", "--as", "agent1")
    assert code == 0, out
    code, out = _cli(
        cfg, "queue", "correct", str(jane_id), "sentiment", "neutral", "--as", "agent1"
    )
    assert code == 0, out
    return jane_id, bob_id


def _traces(store: Store, sink_file: Path) -> list[str]:
    """Every column of every table (reflected from the database) and every file-sink line."""
    found = []
    reflected = MetaData()
    reflected.reflect(store.engine)
    with store.engine.connect() as conn:
        for table in reflected.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    text = json.dumps(value) if isinstance(value, dict | list) else str(value)
                    found += [f"{table.name}.{column}: {t}" for t in TRACES if t in text.lower()]
    for line in sink_file.read_text(encoding="utf-8").splitlines():
        found += [f"file: {t}" for t in TRACES if t in line.lower()]
    return found


def test_erase_after_agents_acted_leaves_no_trace(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    cfg = _seed(store, tmp_path, db_url)
    jane_id, bob_id = _act_as_agents(store, cfg)
    assert _traces(store, tmp_path / "cases.jsonl")  # the check sees them before

    # The dry run shows the counts and asks; "no" erases nothing.
    code, out = _cli(cfg, "erase", "--author", "@jane", stdin="n\n")
    assert code == 1 and "would erase @jane: posts=1 revisions=1" in out
    assert "replies=1" in out and "corrections=1" in out and "Aborted" in out
    assert store.find_post("x", "1") is not None
    code, out = _cli(cfg, "erase", "--author", "jane", "--json")
    assert code == 0 and json.loads(out)["dry_run"] is True
    assert store.find_post("x", "1") is not None

    code, out = _cli(cfg, "erase", "--author", "jane", "--yes", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["posts"] == 1 and report["cases"] == 1 and report["queue_items"] == 1
    assert report["audit_tombstones"] >= 2 and report["anonymised"] >= 2
    assert report["file_lines"] == 2  # her case dropped, bob's thread scrubbed
    assert report["tickets"] == []  # the file sink was reached

    assert _traces(store, tmp_path / "cases.jsonl") == []
    with store.engine.connect() as conn:
        tombstones = conn.execute(
            select(audit_log.c.action, audit_log.c.detail).where(audit_log.c.post_id == jane_id)
        ).all()
        assert {a for a, _ in tombstones} >= {"reply", "correct"}
        assert all(d is None for _, d in tombstones)
        bob_raw = conn.execute(select(posts.c.raw).where(posts.c.id == bob_id)).scalar_one()
    assert bob_raw["parent"]["external_id"] == "1" and bob_raw["parent"]["text"] == "[erased]"
    assert store.find_post("x", "3") is not None  # others' posts stay

    code, out = _cli(cfg, "erase", "--author", "jane", "--yes")
    assert code == 3 and "nothing stored matches author jane" in out


def test_erase_names_tickets_in_a_remote_helpdesk(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    cfg = _seed(store, tmp_path, db_url)
    data = json.loads(cfg.read_text(encoding="utf-8"))
    # The same cases, as if `local` were a remote helpdesk: erase cannot reach its tickets.
    data["sinks"] = [{"name": "local", "type": "webhook", "url": "http://127.0.0.1:9/hook"}]
    cfg.write_text(json.dumps(data), encoding="utf-8")
    jane = store.find_post("x", "1")
    assert jane is not None
    with store.engine.connect() as conn:
        ticket = conn.execute(select(cases.c.ticket_id).where(cases.c.post_id == jane.id)).scalar()
    code, out = _cli(cfg, "erase", "--author", "jane", "--yes")
    assert code == 0, out
    assert f"not reached: ticket {ticket} in helpdesk local: erase it there" in out


def test_retention_after_agents_acted(store: Store, db_url: str, tmp_path: Path) -> None:
    cfg = _seed(store, tmp_path, db_url)
    jane_id, _ = _act_as_agents(store, cfg)
    later = datetime.now(UTC) + timedelta(days=40)
    report = apply_retention(store.engine, RetentionSettings(posts_days=30), now=later)
    assert report.posts_deleted == 3
    code, out = _cli(cfg, "retention")
    assert code == 0, out
    with store.engine.connect() as conn:
        assert conn.execute(select(replies)).first() is None
        assert conn.execute(select(queue_items)).first() is None
        details = list(
            conn.execute(select(audit_log.c.detail).where(audit_log.c.post_id == jane_id)).scalars()
        )
        assert list(details) and all(d is None for d in details)


@pytest.mark.parametrize("who", ["nobody", "@nobody"])
def test_erase_nobody_says_nothing_matched(
    store: Store, db_url: str, tmp_path: Path, who: str
) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    code, out = _cli(cfg, "erase", "--author", who, "--yes")
    assert code == 3 and f"nothing stored matches author {who}" in out


def test_a_short_handle_is_erased_without_taking_source_names_or_words(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    """The handle `x` is also the platform's name, and a letter: only the author's records,
    `@x` mentions and records naming `x` as their author go."""
    now = datetime.now(UTC)
    mine = Post(source="x", external_id="1", text="my order never came, please check",
                created_at=now, author=Author(handle="x"))  # fmt: skip
    other = Post(source="x", external_id="2", text="@x same here, x marks the spot",
                 created_at=now, author=Author(handle="bob"))  # fmt: skip
    too_long = Post(source="x", external_id="e" * 500, text="t", created_at=now,
                    author=Author(handle="x"))  # fmt: skip
    not_hers = Post(source="x", external_id="f" * 500, text="t", created_at=now,
                    author=Author(handle="carol"))  # fmt: skip
    store.save_page("s", "replay", [mine, other, too_long, not_hers], None)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    code, out = _cli(cfg, "erase", "--author", "x", "--yes", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert (report["posts"], report["quarantined"], report["anonymised"]) == (1, 1, 1)
    bob = store.find_post("x", "2")
    assert bob is not None and bob.post.source == "x"
    assert bob.post.text == "[erased] same here, x marks the spot"
    with store.engine.connect() as conn:
        left = conn.execute(select(quarantine.c.source, quarantine.c.payload)).all()
        erasures = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "erase")
        ).all()
    assert len(left) == 1 and "carol" in left[0].payload and left[0].source == "s"
    assert [(a, json.loads(d)["posts"]) for a, d in erasures] == [("cli", 1)]


@pytest.mark.slow
def test_the_issue_scenario_run_once_reply_erase(db_url: str, tmp_path: Path) -> None:
    """Issue 19 as reported: `run --once` (the bundled sample, the real model), an agent
    replies to a post of X, then `erase --author X`: it succeeds, and no column of any table
    nor any file-sink line holds the handle or any of X's texts."""
    handle = "txlonghorn_ops"
    sample = Path(__file__).parents[2] / "listener" / "data" / "sample_posts.jsonl"
    records = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in records if r["author"]["handle"] == handle]
    assert texts and any(r.get("parent_id") for r in records if r["author"]["handle"] != handle)
    sink_file = tmp_path / "cases.jsonl"
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        json.dumps(
            {
                "database": {"url": db_url},
                "sinks": [{"name": "local", "type": "file", "path": str(sink_file)}],
            }
        ),
        encoding="utf-8",
    )
    code, out = _cli(cfg, "run", "--once")
    assert code == 0, out
    assert _cli(cfg, "users", "add", "agent1", "--role", "agent")[0] == 0
    engine = make_engine(db_url)
    with engine.connect() as conn:
        post_id = (
            conn.execute(
                select(posts.c.id).where(posts.c.author_handle == handle).order_by(posts.c.id)
            )
            .scalars()
            .first()
        )
    assert post_id is not None
    # The sample holds the brand's own answer in that thread: replying again is explicit.
    code, out = _cli(
        cfg, "queue", "reply", str(post_id), f"hi @{handle}", "--as", "agent1", "--again"
    )
    assert code == 0, out
    assert _sample_traces(engine, sink_file, handle, texts)  # the check sees them before
    code, out = _cli(cfg, "erase", "--author", handle, "--yes")
    assert code == 0, out
    assert _sample_traces(engine, sink_file, handle, texts) == []
    engine.dispose()


def _sample_traces(engine: Engine, sink_file: Path, handle: str, texts: list[str]) -> list[str]:
    """Every column of every table (reflected) and every file-sink line, for the handle and
    the author's texts (their first 60 characters, as stored or as JSON)."""
    found = []
    reflected = MetaData()
    reflected.reflect(engine)
    with engine.connect() as conn:
        for table in reflected.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                dumped = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
                dumped += "".join(json.dumps(v, ensure_ascii=False) for v in row.values()
                                  if isinstance(v, dict | list))  # fmt: skip
                found += [f"{table.name}: handle"] * (handle in dumped.lower())
                found += [f"{table.name}: text" for t in texts if t[:60] in dumped]
    lines = sink_file.read_text(encoding="utf-8") if sink_file.exists() else ""
    found += ["file: handle"] * (handle in lines.lower())
    found += ["file: text" for t in texts if json.dumps(t[:60])[1:-1] in lines]
    return found
