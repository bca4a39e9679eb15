"""Outages are said once each (issue 19, logs): one line when a dependency goes down, one when
it is back with how long, and no scheduler warning on every tick of a long run."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import load_settings
from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from kernel.abc import Source
from kernel.errors import DeliveryRetryable, TransientError
from kernel.models import Page
from listener.replay import ReplaySourceSettings
from tests.test_daemon import wait_for
from tests.test_outbox import cases_for
from triage.daemon import Daemon
from triage.outages import Outages
from triage.outbox import deliver_due
from triage.storage import Store, make_engine, migrate


def test_a_dependency_is_said_down_once_and_back_once(caplog: pytest.LogCaptureFixture) -> None:
    outages = Outages()
    with caplog.at_level(logging.INFO, logger="triage.outages"):
        assert outages.down("sink desk", "HTTP 502")
        assert not outages.down("sink desk", "HTTP 502")  # still down: nothing more
        assert outages.is_down("sink desk")
        assert outages.up("sink desk")
        assert not outages.up("sink desk")
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "sink desk is down: HTTP 502"
    assert lines[1].startswith("sink desk is back after ") and len(lines) == 2


class SlowSource(Source):
    """Each poll takes longer than the interval."""

    type = "memory"

    def __init__(self) -> None:
        super().__init__(name="slow")
        self.polls = 0

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        self.polls += 1
        time.sleep(2.5)
        yield Page(posts=[], cursor=cursor)


def test_a_run_longer_than_its_interval_is_not_warned_about_on_every_tick(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{tmp_path}/t.db"
    settings.sources = [ReplaySourceSettings(name="slow", interval_seconds=1, jitter_seconds=0)]
    engine = make_engine(settings.database.url)
    migrate(engine)
    daemon = Daemon(settings, Store(engine))
    source = SlowSource()
    daemon.pollers["slow"].source = source
    thread = threading.Thread(target=daemon.run_forever, kwargs={"install_signals": False})
    with caplog.at_level(logging.WARNING):
        thread.start()
        try:
            wait_for(lambda: source.polls >= 2, timeout=30)
        finally:
            daemon.stop.set()
            thread.join(30)
    assert not thread.is_alive()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not any("maximum number of running instances" in w for w in warnings), warnings


def test_a_sink_that_stops_answering_is_said_once_not_per_case(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    _, outbox = cases_for(store, [f"card {n}" for n in range(5)])
    sink = MemorySink(name="desk")
    sink.fail_next = [DeliveryRetryable("HTTP 503", retry_after=None) for _ in range(5)]
    outages = Outages()
    quick = RetryPolicy(base_seconds=1, max_seconds=1, max_attempts=5, jitter=False)
    with caplog.at_level(logging.INFO):
        assert deliver_due(outbox, {"desk": sink}, quick, outages=outages).failed == 5
        time.sleep(1.1)  # all five due again
        assert deliver_due(outbox, {"desk": sink}, quick, outages=outages).sent == 5
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["sink desk is down: HTTP 503"]
    assert sum("sink desk is back after" in r.getMessage() for r in caplog.records) == 1


class BrokenSource(Source):
    """A platform that fails until told otherwise."""

    type = "memory"

    def __init__(self) -> None:
        super().__init__(name="flaky")
        self.broken = True

    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        if self.broken:
            raise TransientError("flaky: HTTP 503")
        yield Page(posts=[], cursor={"ok": True})


def test_a_source_that_fails_poll_after_poll_is_said_down_once_and_back_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(environ={})
    settings.database.url = f"sqlite:///{tmp_path}/t.db"
    settings.sources = [ReplaySourceSettings(name="flaky", interval_seconds=5)]
    engine = make_engine(settings.database.url)
    migrate(engine)
    daemon = Daemon(settings, Store(engine))
    source = BrokenSource()
    daemon.pollers["flaky"].source = source
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert daemon.poll("flaky", force=True).status == "error"
        source.broken = False
        assert daemon.poll("flaky", force=True).status == "ok"
    lines = [r.getMessage() for r in caplog.records if r.name == "triage.outages"]
    assert lines[0] == "source flaky is down: flaky: HTTP 503"
    assert lines[1].startswith("source flaky is back after ") and len(lines) == 2
    # Each failed poll is an INFO line (`sources` shows it too): one warning in all.
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == ["source flaky is down: flaky: HTTP 503"], loud
    assert "Traceback" not in caplog.text
