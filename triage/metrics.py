"""`/healthz` and `/metrics` (Prometheus text format), served by `run` on `metrics.port`.

Counters and histograms are fed by the daemon as it works (polls, classify passes, deliveries);
gauges that describe the database (queue depth, outbox by status, the oldest due case) are read
from the database at scrape time, so every replica reports the same shared state.

`/healthz` answers 200 with a JSON body when the database is reachable, every enabled source is
healthy, no sink's delivery breaker is open and cooling down (`triage.outbox_breaker`: its
helpdesk failed several deliveries in a row; a half-open one is listed but passes) and no due
case has waited longer than `metrics.outbox_stuck_seconds`; otherwise 503 with the same body
saying which check failed.
A database that does not answer within `HEALTH_TIMEOUT_SECONDS` fails the check at once: the
answer never waits on a wedged database (the read goes on in the background, and one at a time).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from config.operations import MetricsSettings
from kernel.models import CaseStatus
from kernel.scrub import db_error_line
from triage.outages import Outages
from triage.outbox_breaker import Breakers
from triage.polling import PollOutcome
from triage.storage import Store
from triage.storage.health import cases_sent_since, read_backlog, read_health

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long `/healthz` and `/metrics` wait for the database before answering without it.
HEALTH_TIMEOUT_SECONDS = 3.0

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)


class Metrics:
    """The daemon's counters; `observe_*` are called from its jobs (thread-safe)."""

    def __init__(
        self,
        store: Store,
        settings: MetricsSettings,
        *,
        outages: Outages | None = None,
        breakers: Breakers | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        #: The daemon's outages: a health check that finds the database down says so at once
        #: (once), instead of waiting for a job's statement limit.
        self.outages = outages or Outages()
        #: This process's delivery breakers (each replica has its own), read from memory.
        self.breakers = breakers
        self.registry = CollectorRegistry()
        r = self.registry
        self.fetched = Counter(
            "triage_posts_fetched", "Posts read from a source", ["source"], registry=r
        )
        self.new = Counter(
            "triage_posts_new", "Posts stored for the first time", ["source"], registry=r
        )
        self.polls = Counter("triage_polls", "Polls by outcome", ["source", "status"], registry=r)
        self.poll_errors = Counter(
            "triage_poll_errors", "Polls that failed (error or auth_error)", ["source"], registry=r
        )
        self.rate_limit_wait = Counter(
            "triage_rate_limit_wait_seconds",
            "Seconds a source was told to wait by the platform",
            ["source"],
            registry=r,
        )
        self.classify_seconds = Histogram(
            "triage_classify_pass_seconds",
            "Duration of one classify pass (claim, encode, decide, store)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.decided = Counter("triage_posts_decided", "Posts decided", registry=r)
        self.deliveries = Counter(
            "triage_deliveries", "Delivery attempts by outcome", ["outcome"], registry=r
        )
        self.delivery_latency = Histogram(
            "triage_delivery_latency_seconds",
            "From case created to delivered (ticket created)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self._last_sent: datetime = datetime.now(UTC)
        self._lock = threading.Lock()
        self.probe = _Probe()
        r.register(_DatabaseCollector(store, self.probe))

    def observe_poll(self, outcome: PollOutcome) -> None:
        self.fetched.labels(outcome.source).inc(outcome.fetched)
        self.new.labels(outcome.source).inc(outcome.new)
        self.polls.labels(outcome.source, outcome.status).inc()
        if outcome.status in {"error", "auth_error"}:
            self.poll_errors.labels(outcome.source).inc()
        if outcome.status == "rate_limited" and outcome.next_poll_at is not None:
            wait = (outcome.next_poll_at - datetime.now(UTC)).total_seconds()
            self.rate_limit_wait.labels(outcome.source).inc(max(0.0, wait))

    def observe_classify(self, seconds: float, decided: int) -> None:
        if decided:
            self.classify_seconds.observe(seconds)
            self.decided.inc(decided)

    def observe_delivery(self, sent: int, failed: int, dead: int) -> None:
        self.deliveries.labels("sent").inc(sent)
        self.deliveries.labels("failed").inc(failed)
        self.deliveries.labels("dead").inc(dead)
        if not sent:
            return
        with self._lock:
            since = self._last_sent
            for created_at, sent_at in cases_sent_since(self.store.engine, since):
                self.delivery_latency.observe(max(0.0, (sent_at - created_at).total_seconds()))
                self._last_sent = max(self._last_sent, sent_at)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def health(self) -> tuple[bool, dict[str, Any]]:
        body: dict[str, Any] = {"database": "ok", "sources": {}, "outbox": {}}
        ok = True
        try:
            state = self.probe.read("health", lambda: read_health(self.store.engine))
        except FutureTimeout:
            said = f"no answer within {HEALTH_TIMEOUT_SECONDS:g} s"
            self.outages.down("database", said)
            return False, {"status": "fail", "database": said}
        except Exception as exc:
            self.outages.down("database", db_error_line(exc))
            return False, {"status": "fail", "database": db_error_line(exc)}
        self.outages.up("database")
        oldest = state.oldest_due
        for name, healthy in state.sources.items():
            body["sources"][name] = "ok" if healthy else "unhealthy"
            ok = ok and bool(healthy)
        waited = 0.0
        if oldest is not None:
            waited = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        stuck = waited > self.settings.outbox_stuck_seconds
        body["outbox"] = {"oldest_due_seconds": round(waited, 1), "stuck": stuck}
        ok = ok and not stuck
        if self.breakers is not None:
            body["sinks"] = {}
            for breaker in self.breakers.open():
                retry_in = (breaker.retry_at - datetime.now(UTC)).total_seconds()
                body["sinks"][breaker.sink] = {
                    "breaker": breaker.state,
                    "failures": breaker.failures,
                    "open_seconds": round(
                        (datetime.now(UTC) - breaker.opened_at).total_seconds(), 1
                    ),
                    "probe_in_seconds": round(max(0.0, retry_in), 1),
                    "last_error": breaker.last_error,
                }
                # Cooling down: the helpdesk is failing now. Half-open (the cool-down is over,
                # a probe is due or on its way) does not fail on its own: with no case due
                # there is nothing to probe with, and nothing is waiting on the helpdesk; a
                # case that waits too long fails the outbox check above.
                ok = ok and breaker.state != "open"
        body["status"] = "ok" if ok else "fail"
        return ok, body


class _Probe:
    """Database reads for a scrape, each kind at most one at a time, waited for at most
    `HEALTH_TIMEOUT_SECONDS`: a read stuck on a wedged database is not started again (nor
    piled up) by the next scrapes; they fail at once until it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, Future[Any]] = {}

    def read(self, kind: str, func: Callable[[], T], timeout: float | None = None) -> T:
        with self._lock:
            future = self._pending.get(kind)
            if future is None or future.done():
                future = Future()
                self._pending[kind] = future
                threading.Thread(
                    target=_fulfil, args=(future, func), name=f"probe {kind}", daemon=True
                ).start()
        result: T = future.result(HEALTH_TIMEOUT_SECONDS if timeout is None else timeout)
        return result


def _fulfil(future: Future[Any], func: Callable[[], Any]) -> None:
    try:
        future.set_result(func())
    except BaseException as exc:
        future.set_exception(exc)


class _DatabaseCollector(Collector):
    """Gauges read at scrape time: what waits, shared by every replica."""

    def __init__(self, store: Store, probe: _Probe) -> None:
        self.store = store
        self.probe = probe

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            backlog = self.probe.read("backlog", lambda: read_backlog(self.store.engine))
        except Exception as exc:  # a scrape must answer even when the database does not
            said = "no answer in time" if isinstance(exc, FutureTimeout) else db_error_line(exc)
            log.debug("metrics: database unavailable: %s", said)
            up = GaugeMetricFamily("triage_database_up", "1 when the database answers")
            up.add_metric([], 0)
            yield up
            return
        up = GaugeMetricFamily("triage_database_up", "1 when the database answers")
        up.add_metric([], 1)
        yield up
        queue = GaugeMetricFamily("triage_queue_depth", "Stored posts waiting to be decided")
        queue.add_metric([], backlog.undecided)
        yield queue
        outbox = GaugeMetricFamily(
            "triage_outbox_cases", "Helpdesk cases by status", labels=["status"]
        )
        for status in CaseStatus:
            outbox.add_metric([status.value], backlog.cases_by_status.get(status.value, 0))
        yield outbox
        quarantined = GaugeMetricFamily(
            "triage_quarantined_items", "Items that could not be stored", labels=["source"]
        )
        for source, n in backlog.quarantined_by_source.items():
            quarantined.add_metric([source], n)
        yield quarantined


class MetricsServer:
    """A tiny HTTP server in a daemon thread: `/healthz` and `/metrics`, nothing else."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics = metrics
        self._server = ThreadingHTTPServer((host, port), _handler(metrics))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> MetricsServer:
        self._thread.start()
        log.info("serving /healthz and /metrics on %s", self.url)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(metrics: Metrics) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # scrapes every few seconds: not news
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, metrics.exposition(), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                ok, body = metrics.health()
                payload = json.dumps(body).encode("utf-8")
                self._send(200 if ok else 503, payload, "application/json")
            else:
                self._send(404, b"not found: /healthz and /metrics only\n", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
