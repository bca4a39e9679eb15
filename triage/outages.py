"""Dependencies going down and coming back, said once each: one line when the database, a
sink or a source stops answering, one when it answers again with how long it was away.

An expected outage is not a bug: no traceback, and no line per job run or per case while it
lasts (`cases`, `sources` and `/healthz` show the details).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kernel.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

#: What a job sees when the database is down, unreachable or not answering in time.
DATABASE_DOWN: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    DatabaseUnavailable,
)


class Outages:
    """Which dependencies are down now, and since when (thread-safe)."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or log
        self._lock = threading.Lock()
        self._since: dict[str, float] = {}

    def down(self, name: str, reason: str) -> bool:
        """Record `name` as down; logs (and returns True) only when it was up until now."""
        with self._lock:
            if name in self._since:
                return False
            self._since[name] = time.monotonic()
        self._log.warning("%s is down: %s", name, reason, extra={"dependency": name})
        return True

    def up(self, name: str) -> bool:
        """Record `name` as answering; logs (and returns True) only when it was down."""
        with self._lock:
            since = self._since.pop(name, None)
        if since is None:
            return False
        away = time.monotonic() - since
        self._log.info(
            "%s is back after %.0f s",
            name,
            away,
            extra={"dependency": name, "down_seconds": round(away, 1)},
        )
        return True

    def is_down(self, name: str) -> bool:
        with self._lock:
            return name in self._since
