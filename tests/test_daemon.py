from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from kernel.abc import Source
from kernel.errors import RateLimited
from kernel.models import Page
from listener.replay import ReplaySourceSettings
from triage.daemon import Daemon
from triage.storage import Store, make_engine, migrate


def write_posts(path: Path, n: int, *, start: int = 0) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for i in range(start, start + n):
            handle.write(
                json.dumps(
                    {
                        "source": "x",
                        "external_id": str(i),
                        "text": f"post number {i} about @acme 📶",
                        "created_at": "2026-11-20T10:00:00Z",
                        "author": {"handle": f"user{i % 97}"},
                    }
                )
                + "\n"
            )


def write_config(tmp_path: Path, db_url: str, replay: Path, **source: Any) -> Path:
    cfg = tmp_path / "cfg.yaml"
    spec = {"name": "big", "type": "replay", "path": str(replay), **source}
    # These tests are about polling: no classification or delivery in the way.
    settings = {
        "database": {"url": db_url},
        "sources": [spec],
        "classifier": {"enabled": False},
        "escalation": {"enabled": False},
    }
    cfg.write_text(json.dumps(settings), encoding="utf-8")
    return cfg


def cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from triage.cli import main; main()", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def test_sigkill_mid_poll_then_restart_loses_and_duplicates_nothing(
    tmp_path: Path, db_url: str
) -> None:
    total = 60_000
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, total)
    cfg = write_config(tmp_path, db_url, replay, max_pages=1000)
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine)

    daemon = cli("run", "--config", str(cfg), cwd=tmp_path)
    try:
        wait_for(lambda: store.count_posts() > 0)
        os.kill(daemon.pid, signal.SIGKILL)
        daemon.wait(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    stored_at_kill = store.count_posts()
    restarted = cli("run", "--once", "--config", str(cfg), cwd=tmp_path)
    _, err = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, err
    assert store.count_posts() == total  # nothing lost, and the unique key forbids duplicates
    statuses = [run.status for run in store.poll_runs("big")]
    if stored_at_kill < total:  # the kill landed mid-poll, as intended
        assert "interrupted" in statuses
    assert "running" not in statuses
    engine.dispose()


def test_sigterm_finishes_the_current_page_and_exits_cleanly(tmp_path: Path) -> None:
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, 40_000)
    db_url = f"sqlite:///{tmp_path}/t.db"
    cfg = write_config(tmp_path, db_url, replay, max_pages=1000)
    engine = make_engine(db_url)
    migrate(engine)
    store = Store(engine)
    daemon = cli("run", "--config", str(cfg), cwd=tmp_path)
    wait_for(lambda: store.count_posts() > 0)
    daemon.send_signal(signal.SIGTERM)
    _, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
    assert "received SIGTERM" in err and "stopped" in err
    runs = store.poll_runs("big")
    assert runs and runs[0].status in {"interrupted", "ok"}
    assert store.get_cursor("big") is not None
    # what was stored matches the cursor: the next poll continues, it does not start over
    assert store.count_posts() == store.get_cursor("big")["line"]  # type: ignore[index]


class RateLimitedSource(Source):
    type = "memory"

    def __init__(self, reset_at: datetime) -> None:
        super().__init__(name="limited")
        self.reset_at = reset_at
        self.polled = threading.Event()

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        self.polled.set()
        raise RateLimited("429 Too Many Requests", reset_at=self.reset_at)
        yield  # pragma: no cover


def test_rate_limit_reschedules_the_job_instead_of_blocking(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{tmp_path}/t.db"
    settings.sources = [ReplaySourceSettings(name="limited", interval_seconds=5)]
    engine = make_engine(settings.database.url)
    migrate(engine)
    daemon = Daemon(settings, Store(engine))
    reset = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    source = RateLimitedSource(reset)
    daemon.pollers["limited"].source = source
    thread = threading.Thread(target=daemon.run_forever, kwargs={"install_signals": False})
    thread.start()
    try:
        assert source.polled.wait(30)
        wait_for(
            lambda: (
                daemon._scheduler is not None
                and daemon._scheduler.get_job("limited").next_run_time == reset
            ),
            timeout=30,
        )
    finally:
        daemon.stop.set()
        thread.join(30)
    assert not thread.is_alive()
    [state] = Store(engine).source_states()
    assert state.next_poll_at == reset and state.healthy


def test_daemon_polls_on_schedule_and_stops(tmp_path: Path) -> None:
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, 10)
    settings = load_settings(
        write_config(
            tmp_path, f"sqlite:///{tmp_path}/t.db", replay, interval_seconds=1, jitter_seconds=0
        )
    )
    engine = make_engine(settings.database.url)
    migrate(engine)
    store = Store(engine)
    daemon = Daemon(settings, store)
    thread = threading.Thread(target=daemon.run_forever, kwargs={"install_signals": False})
    thread.start()
    try:
        wait_for(lambda: store.count_posts() == 10)
        write_posts(replay, 5, start=10)  # appended while the daemon runs
        wait_for(lambda: store.count_posts() == 15)
        wait_for(lambda: len(store.poll_runs("big")) >= 2)
    finally:
        daemon.stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_a_source_without_credentials_is_reported_and_others_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRIAGE_X_BEARER_TOKEN", raising=False)
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, 3)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        json.dumps(
            {
                "database": {"url": f"sqlite:///{tmp_path}/t.db"},
                "sources": [
                    {"name": "brand-x", "type": "x", "queries": ["acme"]},
                    {"name": "file", "type": "replay", "path": str(replay)},
                ],
            }
        )
    )
    settings = load_settings(cfg)
    engine = make_engine(settings.database.url)
    migrate(engine)
    store = Store(engine)
    daemon = Daemon(settings, store)
    assert list(daemon.pollers) == ["file"]
    daemon.run_once()
    states = {s.name: s for s in store.source_states()}
    assert not states["brand-x"].healthy
    assert "TRIAGE_X_BEARER_TOKEN" in (states["brand-x"].message or "")
    assert states["file"].healthy and store.count_posts() == 3
