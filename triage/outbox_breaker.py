"""A circuit breaker per sink: a helpdesk that is down is left alone instead of being asked
about every due case, each failing with its own backoff.

After `failures` deliveries in a row fail with a retryable error (connection refused, 5xx,
timeouts), the sink's breaker opens for a cool-down (30 s, then 60 s, ... up to a cap): no case
is claimed for it meanwhile, so none is counted an attempt nor marked dead, and each keeps its
place. When the cool-down ends, one case probes the sink (half-open); a success closes the
breaker, a failure opens it again for twice as long. An answer that refuses one case (a 422)
means the helpdesk is up: it counts as a success here.

Each process keeps its own breakers (several replicas each find the outage for themselves),
shared by its delivery workers. Their openings and closings are DEBUG lines: the outage itself
is said by the outbox, once when the sink stops answering and once when it is back
(`triage.outages`). `/healthz` reads the breakers from memory, `social-triage cases` from the
`sink_breakers` table, where each replica writes its open breakers.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, delete, insert, select

from kernel.scrub import scrub
from triage.outages import DATABASE_DOWN
from triage.storage.tables import sink_breakers

log = logging.getLogger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    #: The cool-down is over and one case is (or is about to be) probing the sink.
    HALF_OPEN = "half-open"


@dataclass(frozen=True, kw_only=True, slots=True)
class OpenBreaker:
    """A breaker that is not closed, as `/healthz` and `cases` show it."""

    sink: str
    state: str
    #: Retryable failures in a row that opened it (and failed probes since).
    failures: int
    opened_at: datetime
    #: When the next probe may go (the cool-down's end).
    retry_at: datetime
    last_error: str
    #: The process that keeps it (host:pid).
    replica: str


def this_replica() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Breaker:
    """One sink's breaker in one process (thread-safe)."""

    def __init__(
        self,
        sink: str,
        *,
        failures: int = 5,
        cooldown_seconds: float = 30.0,
        max_cooldown_seconds: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[OpenBreaker | None], None] | None = None,
    ) -> None:
        self.sink = sink
        self.threshold = failures
        self.cooldown_seconds = cooldown_seconds
        self.max_cooldown_seconds = max_cooldown_seconds
        self._clock = clock
        self._on_change = on_change
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opens = 0  # cool-downs in a row, for doubling them
        self._opened_at = 0.0  # monotonic, for the outage's duration
        self._opened_wall = datetime.now(UTC)
        self._until = 0.0
        self._probing = False
        self._last_error = ""

    def state(self) -> BreakerState:
        with self._lock:
            if self._state is BreakerState.OPEN and self._clock() >= self._until:
                return BreakerState.HALF_OPEN
            return self._state

    def closed(self) -> bool:
        return self.state() is BreakerState.CLOSED

    def take_probe(self) -> bool:
        """True once when the cool-down has ended: the caller sends one case, and reports
        its outcome (`success`/`failure`) or, with no case to send, `no_probe`."""
        with self._lock:
            if self._state is BreakerState.CLOSED or self._probing:
                return False
            if self._clock() < self._until:
                return False
            self._state = BreakerState.HALF_OPEN
            self._probing = True
            return True

    def no_probe(self) -> None:
        """The probe found no due case: the next pass may probe."""
        with self._lock:
            self._probing = False

    def success(self) -> None:
        with self._lock:
            was = self._state
            self._failures = 0
            self._opens = 0
            self._probing = False
            self._state = BreakerState.CLOSED
            away = self._clock() - self._opened_at
        if was is not BreakerState.CLOSED:
            log.debug(
                "sink %s: breaker closed, the helpdesk answers again after %.0f s",
                self.sink,
                away,
                extra={"sink": self.sink, "breaker": "closed", "down_seconds": round(away, 1)},
            )
            self._changed(None)

    def failure(self, error: str) -> None:
        """A retryable failure; opens the breaker at the threshold, or again after a probe."""
        now = self._clock()
        with self._lock:
            self._last_error = scrub(error) or ""
            self._failures += 1
            if self._state is BreakerState.OPEN:
                return  # a send that was in flight when it opened: already counted out
            if self._state is BreakerState.CLOSED and self._failures < self.threshold:
                return
            first = self._state is BreakerState.CLOSED
            cooldown = min(self.cooldown_seconds * 2.0**self._opens, self.max_cooldown_seconds)
            self._opens += 1
            self._state = BreakerState.OPEN
            self._probing = False
            self._until = now + cooldown
            if first:
                self._opened_at = now
                self._opened_wall = datetime.now(UTC)
            failures, last_error = self._failures, self._last_error
            snapshot = self._snapshot_locked()
        if first:
            log.debug(
                "sink %s: breaker open after %d failures in a row, no case tried for %.0f s: %s",
                self.sink,
                failures,
                cooldown,
                last_error,
                extra={"sink": self.sink, "breaker": "open", "failures": failures},
            )
        else:
            log.debug("sink %s: probe failed, breaker open for %.0f s", self.sink, cooldown)
        self._changed(snapshot)

    def snapshot(self) -> OpenBreaker | None:
        with self._lock:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> OpenBreaker | None:
        if self._state is BreakerState.CLOSED:
            return None
        now = self._clock()
        state = BreakerState.OPEN if now < self._until else BreakerState.HALF_OPEN
        return OpenBreaker(
            sink=self.sink,
            state=state.value,
            failures=self._failures,
            opened_at=self._opened_wall,
            retry_at=datetime.now(UTC) + timedelta(seconds=max(0.0, self._until - now)),
            last_error=self._last_error,
            replica=this_replica(),
        )

    def _changed(self, snapshot: OpenBreaker | None) -> None:
        if self._on_change is not None:
            self._on_change(snapshot)


class Breakers:
    """This process's breakers, one per sink, made on first use."""

    def __init__(
        self,
        *,
        failures: int = 5,
        cooldown_seconds: float = 30.0,
        max_cooldown_seconds: float = 600.0,
        engine: Engine | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.cooldown_seconds = cooldown_seconds
        self.max_cooldown_seconds = max_cooldown_seconds
        #: Where open breakers are written for `social-triage cases`; None: memory only.
        self.engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._breakers: dict[str, Breaker] = {}
        #: Sinks whose row in `sink_breakers` this process may have written and not removed.
        self._written: set[str] = set()

    def __getitem__(self, sink: str) -> Breaker:
        with self._lock:
            breaker = self._breakers.get(sink)
            if breaker is None:
                breaker = Breaker(
                    sink,
                    failures=self.failures,
                    cooldown_seconds=self.cooldown_seconds,
                    max_cooldown_seconds=self.max_cooldown_seconds,
                    clock=self._clock,
                    on_change=functools.partial(self._record, sink),
                )
                self._breakers[sink] = breaker
            return breaker

    def not_closed(self) -> set[str]:
        """Sinks no case may be claimed for in a batch (open, or probing)."""
        with self._lock:
            breakers = list(self._breakers.values())
        return {b.sink for b in breakers if not b.closed()}

    def open(self) -> list[OpenBreaker]:
        with self._lock:
            breakers = list(self._breakers.values())
        return [snap for b in breakers if (snap := b.snapshot()) is not None]

    def forget(self) -> None:
        """At shutdown: this replica's rows leave `sink_breakers` (it no longer delivers).

        Only when it wrote some: a stop while the database does not answer must not wait for
        its connect timeout to delete nothing (SIGTERM ends the daemon within 10 s)."""
        if self.engine is None or not self._written:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(sink_breakers).where(sink_breakers.c.replica == this_replica()))
        except DATABASE_DOWN:
            pass

    def _record(self, sink: str, snapshot: OpenBreaker | None) -> None:
        if self.engine is None:
            return
        replica = this_replica()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    delete(sink_breakers).where(
                        sink_breakers.c.sink == sink, sink_breakers.c.replica == replica
                    )
                )
                if snapshot is not None:
                    self._written.add(sink)
                    conn.execute(
                        insert(sink_breakers).values(
                            sink=sink,
                            replica=replica,
                            state=snapshot.state,
                            failures=snapshot.failures,
                            opened_at=snapshot.opened_at,
                            retry_at=snapshot.retry_at,
                            last_error=snapshot.last_error,
                        )
                    )
        except DATABASE_DOWN:
            return  # said by the daemon; `cases` is only a view of it
        if snapshot is None:
            self._written.discard(sink)


def read_open_breakers(engine: Engine, *, stale_after_seconds: float) -> list[OpenBreaker]:
    """Every replica's open breakers, as written to `sink_breakers`; rows whose cool-down
    ended more than `stale_after_seconds` ago are left out (a replica that stopped or died
    without closing them: a live one probes and writes again by then)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=stale_after_seconds)
    with engine.connect() as conn:
        rows = conn.execute(
            select(sink_breakers)
            .where(sink_breakers.c.retry_at >= cutoff)
            .order_by(sink_breakers.c.sink, sink_breakers.c.replica)
        ).mappings()
        return [
            OpenBreaker(
                sink=row["sink"],
                state=row["state"],
                failures=row["failures"],
                opened_at=row["opened_at"],
                retry_at=row["retry_at"],
                last_error=row["last_error"] or "",
                replica=row["replica"],
            )
            for row in rows
        ]
