"""The daemon's jobs: next poll stored while running, stages woken mid-run run again."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import load_settings
from listener.replay import ReplaySourceSettings
from tests.test_daemon import wait_for, write_posts
from triage.daemon import Daemon
from triage.storage import Store, make_engine, migrate


def _daemon(tmp_path: Path) -> tuple[Daemon, Store]:
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, 3)
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{tmp_path}/t.db"
    settings.sources = [ReplaySourceSettings(name="big", path=replay, interval_seconds=600)]
    settings.classifier.enabled = False
    settings.escalation.enabled = False
    engine = make_engine(settings.database.url)
    migrate(engine)
    store = Store(engine)
    return Daemon(settings, store), store


def test_next_poll_is_stored_while_the_daemon_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    daemon, store = _daemon(tmp_path)
    caplog.set_level(logging.INFO, logger="triage.daemon")
    thread = threading.Thread(target=daemon.run_forever, kwargs={"install_signals": False})
    thread.start()
    try:
        wait_for(lambda: any(s.next_poll_at for s in store.source_states()))
    finally:
        daemon.stop.set()
        thread.join(30)
    [state] = store.source_states()
    assert state.next_poll_at is not None
    ahead = state.next_poll_at - datetime.now(UTC)
    assert timedelta(seconds=500) < ahead <= timedelta(seconds=600 + 120)  # + jitter
    assert "daemon started with 2 job(s): poll big, retention" in caplog.text


def test_a_stage_woken_while_running_runs_again_instead_of_overlapping(tmp_path: Path) -> None:
    daemon, _ = _daemon(tmp_path)
    entered, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def classify() -> None:
        runs.append(1)
        entered.set()
        release.wait(10)

    job = daemon._stage("classify", classify)
    worker = threading.Thread(target=job)
    worker.start()
    assert entered.wait(10)
    daemon._wake("classify")  # new posts arrived meanwhile
    daemon._wake("classify")
    release.set()
    worker.join(10)
    assert len(runs) == 2  # once more for the wake-ups, never two at a time
    assert not daemon._busy and not daemon._again
