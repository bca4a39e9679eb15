"""Per-key locks: "look up by key, then create if absent" is not atomic at any helpdesk.

Within one process, creates for one idempotency key are serialised here; across replicas the
outbox's row claim (one worker owns a case at a time) does the same job.
"""

from __future__ import annotations

import threading
import weakref


class KeyedLocks:
    """A lock per key, dropped once nobody holds or waits on it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = (
            weakref.WeakValueDictionary()
        )

    def __call__(self, key: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = threading.Lock()
                self._locks[key] = lock
            return lock
