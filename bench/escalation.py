"""Escalation throughput: cases/s delivered by the outbox worker, and its storage overhead.

    python bench/escalation.py [--rt-cases 200] [--cases 1000]
                               [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
    python bench/escalation.py --slow-only     # only the slow-helpdesk runs (below)

The real path: cases are written by classify_pending (a keyword classifier, no model) into
SQLite, then `deliver_due` delivers them with
- a real `RequestTrackerSink` to Request Tracker 5 started on loopback exactly as the test
  fixture starts it (tests/escalation/rt_server.py: SQLite, bcrypt cost 4, Starlet, 2 workers);
- a real `WebhookSink` to a local HTTP receiver that verifies the HMAC and dedupes on the key;
- the in-memory `MemorySink`, where nearly all the time is the outbox's own storage work.
For each run it prints the outbox overhead per case: the time spent in `CaseDelivery` claiming
(with the case's post, decision and thread), renewing the lease before each send and marking,
i.e. what the outbox costs on top of the helpdesk. Each run checks exactly-once afterwards
(tickets in RT, keys at the receiver).

Slow helpdesks: the same webhook receiver answering after 1 s and after 10 s, delivered by 1
worker (the outbox before issue 19) and by `escalation.workers` workers side by side; it prints
deliveries per minute.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ helpers, as the CI runs

from escalation.memory import MemorySink
from escalation.request_tracker.sink import RequestTrackerSink
from escalation.retry import RetryPolicy
from escalation.webhook.sink import WebhookSink
from kernel.abc import Sink
from kernel.models import Case, Post, TicketRef
from tests.escalation.rt_server import RTServer, rt_installed
from tests.test_classify_job import KeywordClassifier
from triage.classify_job import classify_pending
from triage.outbox import deliver_due
from triage.storage import Store, make_engine, migrate
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore

POLICY = RetryPolicy(base_seconds=30, max_seconds=600, max_attempts=5)
SECRET = "bench-webhook-secret"


class TimedCaseDelivery(CaseDelivery):
    """Accumulates the wall time spent in the outbox's storage calls."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.seconds = 0.0

    def _timed(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def claim_due(self, **kwargs: Any) -> list[Case]:
        claimed: list[Case] = self._timed(super().claim_due, **kwargs)
        return claimed

    def renew(self, case_ids: Sequence[int], *, owner: str, lease_seconds: float) -> set[int]:
        held: set[int] = self._timed(
            super().renew, case_ids, owner=owner, lease_seconds=lease_seconds
        )
        return held

    def mark_sent(self, case_id: int, ticket: TicketRef) -> None:
        self._timed(super().mark_sent, case_id, ticket)

    def mark_failed(self, case_id: int, error: str, next_attempt_at: datetime) -> None:
        self._timed(super().mark_failed, case_id, error, next_attempt_at)

    def mark_dead(self, case_id: int, error: str) -> None:
        self._timed(super().mark_dead, case_id, error)


def make_cases(url: str, n: int, sink: str) -> TimedCaseDelivery:
    """`n` helpdesk cases with a 3-post thread each, written the way the daemon writes them."""
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine)
    run = uuid.uuid4().hex[:10]
    now = datetime.now(UTC)
    posts: list[Post] = []
    for i in range(n):
        parent = Post(
            source="x",
            external_id=f"{run}-{i}-p",
            text=f"@acme my bill doubled this month ({i})",
            created_at=now,
        )
        posts.append(parent)
        posts.append(
            Post(
                source="x",
                external_id=f"{run}-{i}",
                text=f"@acme here is the card 4111 1111 1111 1111 you charged twice ({i})",
                created_at=now,
                parent_id=parent.external_id,
            )
        )
    for start in range(0, len(posts), 500):
        store.save_page("bench", "replay", posts[start : start + 500], None)
    # Parents ("bill doubled") become public replies; the replies with the card, cases.
    classify_pending(store, KeywordClassifier(), default_sink=sink)
    return TimedCaseDelivery(engine)


def deliver(label: str, cases: TimedCaseDelivery, sink: Sink, n: int) -> float:
    started = time.perf_counter()
    report = deliver_due(cases, {sink.name: sink}, POLICY)
    elapsed = time.perf_counter() - started
    assert (report.sent, report.failed, report.dead) == (n, 0, 0), report
    counts = CaseStore(cases.engine).counts()
    assert counts == {"sent": n}, counts
    again = deliver_due(cases, {sink.name: sink}, POLICY)
    assert again.sent == 0, again
    overhead_ms = cases.seconds / n * 1000
    print(
        f"{label:<24} {n:>6} {elapsed:>9.2f} {n / elapsed:>10,.1f} {overhead_ms:>16.2f}",
        flush=True,
    )
    cases.engine.dispose()
    return elapsed


# --- a webhook receiver that verifies and dedupes, as docs/escalation.md asks receivers to -----


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        #: Seconds the helpdesk takes to answer each request.
        self.delay = delay
        self.tickets: dict[str, str] = {}
        self.requests = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/cases"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the client's
    # delayed ACK add ~40 ms to every answer, which would measure the receiver, not the sink.
    disable_nagle_algorithm = True
    server: Receiver

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        timestamp = self.headers.get("X-Triage-Timestamp", "")
        expected = hmac.new(
            SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Triage-Signature", "")):
            self._answer(401, b'{"error": "bad signature"}')
            return
        time.sleep(self.server.delay)
        with self.server.lock:
            self.server.requests += 1
            key = self.headers["Idempotency-Key"]
            ticket = self.server.tickets.setdefault(key, f"WH-{len(self.server.tickets) + 1}")
        self._answer(201, f'{{"id": "{ticket}"}}'.encode())

    def _answer(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


# --- the runs -----------------------------------------------------------------------------


def bench_memory(url: str, label: str, n: int) -> None:
    cases = make_cases(url, n, "memory")
    sink = MemorySink(name="memory")
    deliver(label, cases, sink, n)
    assert len(sink.tickets) == n


def bench_webhook(url: str, n: int) -> None:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        cases = make_cases(url, n, "webhook")
        sink = WebhookSink(name="webhook", url=receiver.url, secret=SECRET)
        deliver("webhook (sqlite)", cases, sink, n)
        sink.close()
        assert len(receiver.tickets) == n and receiver.requests == n
    finally:
        receiver.shutdown()
        receiver.server_close()


def bench_slow(url: str, delay: float, workers: int, n: int) -> None:
    """Deliveries per minute to a helpdesk that takes `delay` seconds per request."""
    receiver = Receiver(delay)
    thread = threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        cases = make_cases(url, n, "webhook")
        sink = WebhookSink(name="webhook", url=receiver.url, secret=SECRET, timeout=delay * 2)
        started = time.perf_counter()
        report = deliver_due(cases, {"webhook": sink}, POLICY, workers=workers, batch_size=1)
        elapsed = time.perf_counter() - started
        assert (report.sent, report.failed, report.dead) == (n, 0, 0), report
        assert len(receiver.tickets) == n and receiver.requests == n
        label = f"{delay:g} s helpdesk"
        print(f"{label:<16} {workers:>8} {n:>6} {elapsed:>9.1f} {n / elapsed * 60:>15.1f}")
        sink.close()
        cases.engine.dispose()
    finally:
        receiver.shutdown()
        receiver.server_close()


def slow_runs(tmp: str) -> None:
    print(f"{'helpdesk':<16} {'workers':>8} {'cases':>6} {'seconds':>9} {'deliveries/min':>15}")
    for delay, workers, n in ((1, 1, 12), (1, 4, 48), (10, 1, 3), (10, 4, 12), (10, 16, 48)):
        bench_slow(f"sqlite:///{tmp}/slow-{delay}-{workers}.db", delay, workers, n)


def bench_request_tracker(url: str, root: Path, n: int) -> None:
    reason = rt_installed()
    if reason:
        print(f"request_tracker: skipped ({reason})")
        return
    rt = RTServer(root)
    rt.configure()
    rt.start()
    try:
        # Warm up: RT compiles its Mason components on first use of each page.
        warm = {"Queue": "General", "Subject": "warm-up", "Content": "x"}
        assert rt.api("POST", "ticket", json=warm).status_code == 201
        cases = make_cases(url, n, "rt")
        sink = RequestTrackerSink(name="rt", url=rt.url, user=rt.user, password=rt.password)
        deliver("request_tracker (sqlite)", cases, sink, n)
        sink.close()
        total = rt.api("GET", "tickets", params={"query": "id > 0", "per_page": 1}).json()
        assert total["total"] == n + 1, total  # one ticket per case, plus the warm-up
    finally:
        rt.stop()


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        lscpu = ""
    model = next(
        (line.split(":", 1)[1].strip() for line in lscpu.splitlines() if "Model name" in line),
        platform.processor() or platform.machine(),
    )
    cpus = len(os.sched_getaffinity(0))
    return f"{model}, {cpus} CPUs available, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rt-cases", type=int, default=200)
    parser.add_argument("--cases", type=int, default=1000, help="for webhook and memory")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--slow-only", action="store_true", help="only the slow-helpdesk runs")
    args = parser.parse_args()
    print("command: python " + shlex.join(sys.argv))
    print(f"machine: {machine()}")
    if args.slow_only:
        with tempfile.TemporaryDirectory() as tmp:
            slow_runs(tmp)
        return
    print(
        f"{'sink (store)':<24} {'cases':>6} {'seconds':>9} {'cases/s':>10} {'outbox ms/case':>16}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        bench_request_tracker(f"sqlite:///{tmp}/rt.db", Path(tmp) / "rt5", args.rt_cases)
        bench_webhook(f"sqlite:///{tmp}/webhook.db", args.cases)
        bench_memory(f"sqlite:///{tmp}/memory.db", "memory (sqlite)", args.cases)
        slow_runs(tmp)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        try:
            admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # report and carry on: the SQLite figures still stand
            print(f"memory (postgresql): skipped ({str(exc).splitlines()[0]})")
            return
        try:
            pg_url = f"{args.pg}?options=-csearch_path%3D{schema}"
            bench_memory(pg_url, "memory (postgresql)", args.cases)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
