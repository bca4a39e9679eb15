"""What a delivery worker holds: leases kept alive by a heartbeat, and each sink's pace.

A worker's claim on a case is a lease (`cases.next_attempt_at`, `cases.claimed_by`). While the
worker holds the case, however long the helpdesk takes to answer, `Heartbeat` renews the lease
every third of its length, so no other worker starts a second attempt; if the process dies,
the renewals stop and the case is due again one lease later (30 s by default), not after a
fixed lease sized for the slowest helpdesk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType

from triage.outages import DATABASE_DOWN
from triage.storage.case_delivery import CaseDelivery

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews `owner`'s leases on the cases in `held` until closed (a context manager)."""

    def __init__(self, cases: CaseDelivery, owner: str, lease_seconds: float) -> None:
        self.cases = cases
        self.owner = owner
        self.lease_seconds = lease_seconds
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease {owner[:8]}", daemon=True)

    def hold(self, case_ids: Iterable[int]) -> None:
        with self._lock:
            self._held.update(case_ids)

    def drop(self, case_id: int) -> None:
        with self._lock:
            self._held.discard(case_id)

    def still_holds(self, case_id: int) -> bool:
        """Renew the lease on `case_id` now; False when another worker has taken it over."""
        return case_id in self.cases.renew(
            [case_id], owner=self.owner, lease_seconds=self.lease_seconds
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self.lease_seconds / 3):
            with self._lock:
                held = sorted(self._held)
            if not held:
                continue
            try:
                kept = self.cases.renew(held, owner=self.owner, lease_seconds=self.lease_seconds)
            except DATABASE_DOWN:
                continue  # said by the daemon; the leases may run out, which is safe
            lost = set(held) - kept
            if lost:
                with self._lock:
                    self._held -= lost


class Pace:
    """At most `per_minute` sends to one sink from this process, evenly spaced; shared by
    every worker (a reservation per send, so workers never race for a slot)."""

    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute
        self._clock = clock
        self._next = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Seconds to wait before this send may go."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
            return slot - now
