"""The daemon runs the digest schedules and the alert check as cron jobs next to its stages."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from config import load_settings
from tests.digest.helpers import at, seed
from triage.daemon import Daemon
from triage.stages import Stages
from triage.storage import Store, make_engine, migrate


def test_the_daemon_schedules_digests_and_alerts(tmp_path: Path) -> None:
    settings = load_settings(None, environ={})
    settings.database.url = f"sqlite:///{tmp_path}/t.db"
    settings.sources = []
    settings.classifier.enabled = False  # no model: this test is about the digest jobs
    settings.digest.out_dir = tmp_path / "digests"
    engine = make_engine(settings.database.url)
    migrate(engine)
    store = Store(engine)
    seed(store, [{"text": "outage", "created_at": at(29, 9), "sentiment": "negative"}])
    daemon = Daemon(settings, store, stages=Stages(settings, store))
    thread = threading.Thread(target=daemon.run_forever, kwargs={"install_signals": False})
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            scheduler = daemon._scheduler
            if scheduler is not None and scheduler.get_job("alerts") is not None:
                break
            time.sleep(0.05)
        assert scheduler is not None
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert {"digest:daily", "digest:weekly", "alerts"} <= set(jobs)
        # what the scheduler will call at 07:00, called now (no SMTP: files)
        job = jobs["digest:daily"]
        settings_arg, store_arg, schedule = job.args
        from triage.digest.schedule import run_scheduled_digest

        written = run_scheduled_digest(settings_arg, store_arg, schedule, now=at(30, 7))
        assert written is not None and written.parent == tmp_path / "digests"
        assert "outage" in written.read_text(encoding="utf-8")
        assert jobs["alerts"].func(*jobs["alerts"].args) == 0  # nothing unusual: no alert
    finally:
        daemon.stop.set()
        thread.join(30)
    assert not thread.is_alive()
