"""A circuit breaker per sink (issue 19): a helpdesk that is down is left alone for a cool-down
instead of being asked about every due case, and nothing is lost or sent twice.

The end-to-end tests run the outbox against a real HTTP receiver on loopback that goes down
(its port closed: connection refused; or answering 503) and comes back, on SQLite and
PostgreSQL: no case dies, the requests during the outage are few, every case is delivered
exactly once afterwards, and `cases` and `/healthz` show the open breaker meanwhile.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from config import Settings
from config.operations import MetricsSettings
from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from escalation.webhook.sink import WebhookSink
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.models import Case, TicketRef
from tests.escalation.receiver import Receiver
from tests.test_outbox import cases_for
from triage.cli import cli
from triage.daemon import Daemon
from triage.metrics import Metrics
from triage.outbox import DeliveryReport, deliver_due
from triage.outbox_breaker import Breaker, Breakers, BreakerState, read_open_breakers
from triage.stages import Stages
from triage.storage import Store

#: Quick retries: without the breaker every case would use up its attempts within the outage.
QUICK = RetryPolicy(base_seconds=0.05, max_seconds=0.1, max_attempts=8, jitter=False)
THRESHOLD = 3
COOLDOWN = 0.5
WORKERS = 2
CASES = 12


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the breaker alone ---------------------------------------------------------------------


def test_it_opens_after_n_failures_in_a_row_and_a_success_resets_the_count() -> None:
    clock = Clock()
    breaker = Breaker("desk", failures=3, cooldown_seconds=30, clock=clock)
    breaker.failure("503")
    breaker.failure("503")
    breaker.success()  # not in a row
    breaker.failure("503")
    breaker.failure("503")
    assert breaker.closed()
    breaker.failure("connection refused")
    assert breaker.state() is BreakerState.OPEN
    assert not breaker.take_probe()  # cooling down
    clock.now += 30
    assert breaker.state() is BreakerState.HALF_OPEN
    assert breaker.take_probe() and not breaker.take_probe()  # one probe at a time
    breaker.success()
    assert breaker.closed() and breaker.snapshot() is None


def test_each_failed_probe_doubles_the_cool_down_up_to_the_cap() -> None:
    clock = Clock()
    breaker = Breaker(
        "desk", failures=1, cooldown_seconds=30, max_cooldown_seconds=100, clock=clock
    )
    waits = []
    breaker.failure("503")
    for _ in range(4):
        snapshot = breaker.snapshot()
        assert snapshot is not None and snapshot.state == "open"
        start = clock.now
        while not breaker.take_probe():
            clock.now += 1
        waits.append(clock.now - start)
        breaker.failure("503")
    assert waits == [30, 60, 100, 100]
    breaker.success()  # closed: the next outage starts at 30 s again
    breaker.failure("503")
    clock.now += 30
    assert breaker.take_probe()


def test_a_probe_with_no_case_to_send_lets_the_next_pass_probe() -> None:
    clock = Clock()
    breaker = Breaker("desk", failures=1, cooldown_seconds=1, clock=clock)
    breaker.failure("503")
    clock.now += 1
    assert breaker.take_probe()
    breaker.no_probe()
    assert breaker.take_probe()


def test_the_open_line_scrubs_the_error_and_the_close_line_says_how_long(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Both are DEBUG lines: the outage itself is said by the outbox (see below)."""
    clock = Clock()
    breaker = Breaker("desk", failures=2, cooldown_seconds=30, clock=clock)
    caplog.set_level(logging.DEBUG, logger="triage.outbox_breaker")
    secret = "https://bot:hunter2hunter2@desk.example/api 503"
    for _ in range(5):  # stragglers after it opened: no more lines
        breaker.failure(secret)
    clock.now += 95
    assert breaker.take_probe()
    breaker.success()
    said = [r for r in caplog.records if r.name == "triage.outbox_breaker"]
    assert {r.levelno for r in said} == {logging.DEBUG}
    opened, closed = (r.getMessage() for r in said)
    assert opened.startswith("sink desk: breaker open after 2 failures in a row")
    assert "hunter2" not in opened and "desk.example" in opened
    assert closed.startswith("sink desk: breaker closed") and "after 95 s" in closed


# --- the outbox with breakers, in memory -------------------------------------------------


class DownSink(MemorySink):
    """Fails every send while `down`, counting every attempt."""

    def __init__(self) -> None:
        super().__init__(name="desk")
        self.down = True
        self.tries = 0

    def send(self, case: Case) -> TicketRef:
        self.tries += 1
        if self.down:
            raise DeliveryRetryable("desk: connection failed (ConnectError)")
        return super().send(case)


def test_an_open_sink_gets_no_attempt_and_its_cases_keep_their_attempts(store: Store) -> None:
    cs, outbox = cases_for(store, [f"card {n}" for n in range(8)])
    sink = DownSink()
    breakers = Breakers(failures=THRESHOLD, cooldown_seconds=3600)
    report = deliver_due(outbox, {"desk": sink}, QUICK, breakers=breakers, batch_size=5)
    assert sink.tries == THRESHOLD and report.failed == THRESHOLD
    rows = cs.list()
    assert sorted(r.attempts for r in rows) == [0] * 5 + [1] * THRESHOLD
    assert {r.status for r in rows} <= {"pending", "failed"}
    # Later passes while it is open: nothing is tried, nothing changes.
    time.sleep(0.2)  # the failed ones are due again (QUICK)
    assert deliver_due(outbox, {"desk": sink}, QUICK, breakers=breakers).failed == 0
    assert sink.tries == THRESHOLD
    assert sorted(r.attempts for r in cs.list()) == [0] * 5 + [1] * THRESHOLD


def test_a_refusal_is_an_answer_and_other_sinks_flow(store: Store) -> None:
    _, outbox = cases_for(store, ["card one", "card two", "card three"])
    sink = MemorySink(name="desk")
    sink.fail_next = [
        DeliveryRetryable("503"),
        DeliveryPermanent("HTTP 422"),
        DeliveryRetryable("503"),
    ]
    breakers = Breakers(failures=2, cooldown_seconds=3600)
    deliver_due(outbox, {"desk": sink}, QUICK, breakers=breakers)
    assert breakers["desk"].closed()  # 503, 422, 503: never two failures in a row


# --- a real receiver that goes down and comes back ----------------------------------------


class Desk(Receiver):
    """The loopback helpdesk of tests/escalation/receiver.py that can go down: `refuse()` closes
    its port (connection refused), `fail()` answers 503 to everything; `come_back()`."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False
        self.port = int(self._server.server_address[1])

    def refuse(self) -> None:
        self.stop()

    def fail(self) -> None:
        self.failing = True

    def come_back(self) -> None:
        if self.failing:
            self.failing = False
            return
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _handle(self, key: str) -> tuple[int, dict[str, Any]]:
        if self.failing:
            with self._lock:
                self.requests += 1
            return 503, {"message": "down for maintenance"}
        return super()._handle(key)


class CountingHook(WebhookSink):
    """The real webhook sink, counting the requests it makes."""

    def __init__(self, url: str) -> None:
        super().__init__(name="desk", url=url, secret="s3", timeout=2.0)
        self.tries = 0
        self._count = threading.Lock()

    def send(self, case: Case) -> TicketRef:
        with self._count:
            self.tries += 1
        return super().send(case)


def test_healthz_fails_while_a_breaker_cools_down_not_once_there_is_nothing_to_probe_with(
    store: Store,
) -> None:
    clock = Clock()
    breakers = Breakers(failures=2, cooldown_seconds=30, clock=clock)
    breakers["desk"].failure("503")
    breakers["desk"].failure("503")
    ok, body = Metrics(store, MetricsSettings(), breakers=breakers).health()
    assert not ok and body["sinks"]["desk"]["breaker"] == "open"
    clock.now += 31
    assert breakers["desk"].take_probe()
    breakers["desk"].no_probe()  # no case was due to probe with
    ok, body = Metrics(store, MetricsSettings(), breakers=breakers).health()
    assert ok and body["sinks"]["desk"]["breaker"] == "half-open", body


@pytest.fixture
def desk() -> Iterator[Desk]:
    desk = Desk()
    yield desk
    desk.failing = False
    desk.stop()


def _deliver_for(seconds: float, outbox: Any, sinks: Any, breakers: Breakers) -> None:
    """The daemon's delivery job, pass after pass, for `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        deliver_due(outbox, sinks, QUICK, breakers=breakers, workers=WORKERS, batch_size=5)
        time.sleep(0.05)


@pytest.mark.parametrize("outage", ["refused", "503"])
def test_an_outage_opens_the_breaker_and_every_case_is_sent_once_after(
    store: Store,
    db_url: str,
    tmp_path: Path,
    desk: Desk,
    outage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="triage.outbox_breaker")
    cs, outbox = cases_for(store, [f"card {n}" for n in range(CASES)])
    assert len(cs.list()) == CASES
    sink = CountingHook(desk.url)
    breakers = Breakers(
        failures=THRESHOLD,
        cooldown_seconds=COOLDOWN,
        max_cooldown_seconds=2 * COOLDOWN,
        engine=store.engine,
    )
    if outage == "refused":
        desk.refuse()
    else:
        desk.fail()

    started = time.monotonic()
    _deliver_for(2.5, outbox, {"desk": sink}, breakers)
    elapsed = time.monotonic() - started
    during = sink.tries

    # No case died or used up its attempts; fewer requests than cases: those in flight when
    # it opened, then one probe per cool-down at most.
    assert set(cs.counts()) <= {"pending", "failed"}, cs.counts()
    assert during <= THRESHOLD + WORKERS - 1 + elapsed / COOLDOWN + 1, (during, elapsed)
    assert during < CASES
    assert sum(r.attempts for r in cs.list()) == during  # untried cases counted no attempt
    if outage == "503":
        assert desk.requests == during

    # While it is open: `cases` and `/healthz` say so.
    assert not breakers["desk"].closed()
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps({"database": {"url": db_url}}), encoding="utf-8")
    out = CliRunner().invoke(cli, ["cases", "--config", str(cfg)]).output
    assert "sink desk: breaker OPEN" in out or "sink desk: breaker HALF-OPEN" in out, out
    ok, body = Metrics(store, MetricsSettings(), breakers=breakers).health()
    assert body["sinks"]["desk"]["breaker"] in {"open", "half-open"}
    assert ok is (body["sinks"]["desk"]["breaker"] == "half-open")
    assert body["sinks"]["desk"]["failures"] >= THRESHOLD

    desk.come_back()
    deadline = time.monotonic() + 60
    while set(cs.counts()) != {"sent"}:
        assert time.monotonic() < deadline, cs.counts()
        deliver_due(outbox, {"desk": sink}, QUICK, breakers=breakers, workers=WORKERS, batch_size=5)
        time.sleep(0.05)

    assert len(desk.copies) == CASES and set(desk.copies.values()) == {1}
    assert (
        breakers["desk"].closed() and read_open_breakers(store.engine, stale_after_seconds=60) == []
    )
    ok, body = Metrics(store, MetricsSettings(), breakers=breakers).health()
    assert body["sinks"] == {}
    out = CliRunner().invoke(cli, ["cases", "--config", str(cfg)]).output
    assert "breaker" not in out
    said = [r.getMessage() for r in caplog.records if r.name == "triage.outbox_breaker"]
    assert sum("breaker open after" in line for line in said) == 1, said
    assert sum("breaker closed" in line for line in said) == 1, said


def test_each_replica_keeps_its_own_breaker(store: Store, desk: Desk) -> None:
    """Two processes' breakers (here two `Breakers`): each finds the outage for itself."""
    _, outbox = cases_for(store, [f"card {n}" for n in range(CASES)])
    sink = CountingHook(desk.url)
    one, two = (Breakers(failures=THRESHOLD, cooldown_seconds=3600) for _ in range(2))
    desk.fail()
    deliver_due(outbox, {"desk": sink}, QUICK, breakers=one)
    assert not one["desk"].closed() and two["desk"].closed()
    time.sleep(0.2)
    deliver_due(outbox, {"desk": sink}, QUICK, breakers=two)
    assert not two["desk"].closed() and sink.tries == 2 * THRESHOLD


def test_the_daemons_stages_keep_their_breakers_from_pass_to_pass(store: Store, desk: Desk) -> None:
    """Through `Stages` as `run` builds them: the settings reach the breakers, a pass while
    the breaker is open tries nothing, and stopping takes this replica's rows away."""
    settings = Settings.model_validate(
        {
            "classifier": {"enabled": False},
            "sinks": [{"name": "desk", "type": "webhook", "url": desk.url}],
            "escalation": {
                "breaker_failures": 2,
                "backoff_base_seconds": 0.05,
                "backoff_max_seconds": 0.1,
                "workers": 1,
            },
        }
    )
    stages = Stages(settings, store)
    cases_for(store, [f"card {n}" for n in range(4)])
    desk.refuse()
    assert stages.deliver().failed == 2
    time.sleep(0.2)  # the two failed cases are due again
    assert stages.deliver() == DeliveryReport()
    [row] = read_open_breakers(store.engine, stale_after_seconds=600)
    assert (row.sink, row.state, row.failures) == ("desk", "open", 2)
    stages.close()
    assert read_open_breakers(store.engine, stale_after_seconds=600) == []


# --- what the log says about an outage ------------------------------------------------------

DOWN = re.compile(r"\b(is down|breaker open|stops answering)\b")
BACK = re.compile(r"\b(is back|breaker closed|answers again)\b")


@pytest.mark.parametrize("outage", ["refused", "503"])
def test_an_outage_is_one_line_down_and_one_line_back_with_how_long(
    store: Store,
    desk: Desk,
    outage: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 19, logs: through the daemon's delivery job (its outages, its stages' breakers),
    a helpdesk that fails pass after pass, breaker and probes included, is said down once (a
    warning) and back once (with how long), and nothing else about it reaches WARNING."""
    monkeypatch.setenv("TRIAGE_WEBHOOK_SECRET", "s3")
    settings = Settings.model_validate(
        {
            "sources": [],
            "classifier": {"enabled": False},
            "sinks": [{"name": "desk", "type": "webhook", "url": desk.url, "timeout_seconds": 2}],
            "escalation": {
                "breaker_failures": THRESHOLD,
                "breaker_cooldown_seconds": COOLDOWN,
                "breaker_max_cooldown_seconds": 2 * COOLDOWN,
                "backoff_base_seconds": 0.05,
                "backoff_max_seconds": 0.1,
                "workers": WORKERS,
                "batch_size": 5,
            },
        }
    )
    stages = Stages(settings, store)
    daemon = Daemon(settings, store, stages=stages)
    caplog.set_level(logging.INFO)
    cases_for(store, [f"card {n}" for n in range(CASES)])
    desk.refuse() if outage == "refused" else desk.fail()
    end = time.monotonic() + 2.5
    while time.monotonic() < end:  # the delivery job, tick after tick
        daemon.deliver()
        time.sleep(0.05)
    assert not stages.breakers["desk"].closed()  # opened, and probed (and failed) since
    desk.come_back()
    deadline = time.monotonic() + 30
    while set(stages.cases.counts()) != {"sent"}:
        assert time.monotonic() < deadline, stages.cases.counts()
        daemon.deliver()
        time.sleep(0.05)
    stages.close()

    about_desk = [r for r in caplog.records if "desk" in r.getMessage()]
    said = [r.getMessage() for r in about_desk]
    loud = [r.getMessage() for r in about_desk if r.levelno >= logging.WARNING]
    assert len(loud) == 1 and loud[0].startswith("sink desk is down: "), said
    assert sum(bool(DOWN.search(line)) for line in said) == 1, said
    back = [line for line in said if BACK.search(line)]
    assert len(back) == 1 and re.search(r" after \d+ s\b", back[0]), said
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text


def test_shutdown_forgets_this_replicas_rows_and_touches_no_database_without_any(
    store: Store,
) -> None:
    """A stop while the database does not answer must not wait for it to delete nothing
    (the wedged-database SIGTERM took 10 s, the issue's limit, on that wait)."""
    from sqlalchemy import create_engine

    asked: list[str] = []

    def connect() -> Any:  # a database that does not answer: every connection fails
        asked.append("connect")
        raise OSError("no answer")

    dead = Breakers(failures=1, engine=create_engine("postgresql+psycopg://", creator=connect))
    dead.forget()
    assert asked == []  # nothing written, nothing to delete: no connection tried
    breakers = Breakers(failures=1, cooldown_seconds=60, engine=store.engine)
    breakers["desk"].failure("down")
    assert [row.sink for row in read_open_breakers(store.engine, stale_after_seconds=600)] == [
        "desk"
    ]
    breakers.forget()
    assert read_open_breakers(store.engine, stale_after_seconds=600) == []
