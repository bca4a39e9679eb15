"""`sources` and `poll-once` tell the truth: failures, skipped lines, stored resets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from config import load_settings
from triage.cli import cli
from triage.storage import Store, make_engine


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def replay_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    lines = [
        {"source": "x", "external_id": "1", "text": "ok", "created_at": "2026-11-20T10:00:00Z"},
        "this line is not JSON",
        {"source": "x", "external_id": "2", "created_at": "2026-11-20T10:00:00Z"},
        {"source": "x", "external_id": "3", "text": "ok", "created_at": "2026-11-20T10:00:00Z"},
    ]
    replay = tmp_path / "posts.jsonl"
    replay.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines))
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        json.dumps(
            {
                "database": {"url": f"sqlite:///{tmp_path}/t.db"},
                "sources": [{"name": "file", "type": "replay", "path": str(replay)}],
            }
        )
    )
    return cfg


def test_skipped_replay_lines_are_counted_and_shown(replay_config: Path) -> None:
    out = invoke("poll-once", "--config", str(replay_config)).output
    assert "file: ok fetched=2 new=2 pages=1 skipped=2" in out
    shown = invoke("sources", "--config", str(replay_config)).output
    assert "file (replay, every 60s): healthy;" in shown and "skipped=2 (last poll)" in shown
    [row] = json.loads(invoke("sources", "--config", str(replay_config), "--json").output)
    assert row["last_skipped"] == 2 and row["last_status"] == "ok"


def test_a_failed_poll_is_not_shown_healthy(replay_config: Path, tmp_path: Path) -> None:
    invoke("poll-once", "--config", str(replay_config))
    (tmp_path / "posts.jsonl").unlink()  # the next poll fails
    assert invoke("poll-once", "--config", str(replay_config)).exit_code == 1
    shown = invoke("sources", "--config", str(replay_config)).output
    first = shown.splitlines()[0]
    assert ": FAILING;" in first and "healthy" not in first
    assert "cannot read replay file" in shown


def test_poll_once_honours_a_stored_rate_limit_reset_unless_forced(replay_config: Path) -> None:
    invoke("poll-once", "--config", str(replay_config))
    settings = load_settings(replay_config)
    store = Store(make_engine(settings.database.url))
    reset = (datetime.now(UTC) + timedelta(minutes=20)).replace(microsecond=0)
    run = store.start_poll("file")
    store.finish_poll(run, status="rate_limited", fetched=0, new=0, pages=0)
    store.set_health("file", "replay", healthy=True, message="429", next_poll_at=reset)

    waiting = invoke("poll-once", "--config", str(replay_config))
    assert waiting.exit_code == 0
    line = f"file: rate_limited fetched=0 new=0 pages=0 skipped=0 next_poll_at={reset.isoformat()}"
    assert line in waiting.output
    assert "--force" in waiting.output and len(store.poll_runs("file")) == 2
    assert "rate limited" in invoke("sources", "--config", str(replay_config)).output

    forced = invoke("poll-once", "--config", str(replay_config), "--force")
    assert "file: ok" in forced.output and len(store.poll_runs("file")) == 3


def test_an_environment_override_error_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_CLASSIFIER__INTERVAL_SECONDS", "often")
    result = CliRunner().invoke(cli, ["sources"])
    assert result.exit_code == 2
    assert "TRIAGE_CLASSIFIER__INTERVAL_SECONDS" in result.output
    assert "classifier.interval_seconds" in result.output


def test_demo_takes_config_and_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("classifier: {interval_seconds: often}\n")
    result = CliRunner().invoke(cli, ["demo", "--config", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"error: {bad}: classifier.interval_seconds")


def test_sources_resume_lifts_a_pause_and_keeps_the_cursor(replay_config: Path) -> None:
    invoke("poll-once", "--config", str(replay_config))
    store = Store(make_engine(load_settings(replay_config).database.url))
    cursor = store.get_cursor("file")
    until = datetime.now(UTC) + timedelta(days=2)
    store.pause("file", "replay", until=until, reason="x usage cap reached (UsageCapExceeded)")
    shown = invoke("sources", "--config", str(replay_config)).output
    assert ": PAUSED until " in shown and "UsageCapExceeded" in shown
    paused = invoke("poll-once", "--config", str(replay_config))
    assert "file: paused" in paused.output and "sources resume file" in paused.output

    resumed = invoke("sources", "resume", "file", "--config", str(replay_config))
    assert resumed.exit_code == 0 and "file resumed" in resumed.output
    assert store.get_cursor("file") == cursor
    assert "file: ok" in invoke("poll-once", "--config", str(replay_config)).output
    unknown = CliRunner().invoke(cli, ["sources", "resume", "nope", "--config", str(replay_config)])
    assert unknown.exit_code == 2 and "nope" in unknown.output


def test_sources_shows_x_reads_used_and_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "cfg.yaml"
    source = {"name": "brand-x", "type": "x", "queries": ["acme"], "monthly_read_budget": 5000}
    cfg.write_text(
        json.dumps({"database": {"url": f"sqlite:///{tmp_path}/t.db"}, "sources": [source]})
    )
    invoke("migrate", "--config", str(cfg))
    store = Store(make_engine(load_settings(cfg).database.url))
    run = store.start_poll("brand-x")
    store.finish_poll(run, status="ok", fetched=100, new=100, pages=2, reads=120)
    store.set_health("brand-x", "x", healthy=True, message=None)
    shown = invoke("sources", "--config", str(cfg)).output
    assert "    reads: 120 this period of 5000 (left 4880), since " in shown
    [row] = json.loads(invoke("sources", "--config", str(cfg), "--json").output)
    assert (row["reads_used"], row["read_budget"], row["reads_left"]) == (120, 5000, 4880)
