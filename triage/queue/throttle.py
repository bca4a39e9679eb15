"""Failed log-ins counted per client address and per account, atomically, in the database.

Every failure is one upsert `failures = failures + 1 ... RETURNING failures` (SQLite and
PostgreSQL both have it), so forty guesses sent at once count forty, and whichever request
brings a counter to its threshold locks the key. Each lock lasts twice as long as the one
before (from one minute up to the configured cap) until a good log-in clears the key.

Order of checks (`UserStore.authenticate`): the address first, so one address guessing is
stopped whatever names it tries; then the account, which holds against every address except
one the account last logged in from without failing since (so a stranger locking an admin's
account cannot keep the admin out of their own desk). Unknown names are counted exactly like
known ones, so both get the same answers.

Keys are sha256 hashes: the table never holds an address, or a name a stranger typed (a
password typed into the name box, say), in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from triage.storage import login_throttle as counters

#: The first lock lasts this long; each next one twice as long, up to the cap.
FIRST_LOCK = timedelta(minutes=1)
#: Counters untouched this long (and not locked) are forgotten; known addresses last longer.
FORGET_AFTER = timedelta(days=1)
FORGET_KNOWN_AFTER = timedelta(days=90)


def address_key(address: str) -> str:
    return "addr:" + hashlib.sha256(address.encode()).hexdigest()


def account_key(name: str) -> str:
    return "user:" + hashlib.sha256(name.casefold().encode()).hexdigest()


def known_key(name: str, address: str) -> str:
    """An address the account logged in from: lets its owner past a lock on the account."""
    return "seen:" + hashlib.sha256(f"{name.casefold()}\n{address}".encode()).hexdigest()


@dataclass(frozen=True, kw_only=True, slots=True)
class Lock:
    until: datetime

    def minutes(self, now: datetime) -> int:
        return int((self.until - now).total_seconds() // 60) + 1


class LoginThrottle:
    def __init__(
        self,
        engine: Engine,
        *,
        account_failures: int,
        address_failures: int,
        max_lock: timedelta,
    ) -> None:
        self.engine = engine
        self.account_failures = account_failures
        self.address_failures = address_failures
        self.max_lock = max_lock

    def locked(self, key: str, now: datetime) -> Lock | None:
        with self.engine.connect() as conn:
            until = counters.locked_until(conn, key)
        return Lock(until=until) if until is not None and until > now else None

    def failures(self, key: str) -> int:
        with self.engine.connect() as conn:
            found = counters.failures(conn, key)
        return int(found or 0)

    def known(self, name: str, address: str) -> bool:
        """The account logged in from `address` before and has failed fewer than
        `account_failures` times from it since: its owner, at their own desk."""
        with self.engine.connect() as conn:
            found = counters.failures(conn, known_key(name, address))
        return found is not None and found < self.account_failures

    def fail(self, key: str, threshold: int, now: datetime) -> int:
        """Count one failure; the request that reaches a multiple of `threshold` locks the
        key (twice as long as its last lock). Returns the key's failures so far."""
        with self.engine.begin() as conn:
            failures, locks = counters.count_failure(conn, key, now)
            if failures % threshold == 0:
                length = min(FIRST_LOCK * (2**locks), self.max_lock)
                counters.lock(conn, key, now + length)
        return failures

    def failed(self, name: str, address: str, now: datetime) -> int:
        """A wrong name or password from `address`: returns the address's failures (the
        caller's delay grows with it)."""
        failures = self.fail(address_key(address), self.address_failures, now)
        self.fail(account_key(name), self.account_failures, now)
        with self.engine.begin() as conn:
            counters.count_failure_if_present(conn, known_key(name, address), now)
        return failures

    def succeeded(self, name: str, address: str, now: datetime) -> None:
        """A good log-in: the address's counter is cleared, the account's failures too (a lock
        on it stays: others are still kept out), and the address becomes a known one."""
        with self.engine.begin() as conn:
            counters.forget(conn, address_key(address))
            counters.clear(conn, account_key(name), now)
            # Forget old counters now and then (a good log-in is rare enough to pay for it).
            counters.forget_stale(
                conn, now, after=FORGET_AFTER, prefix="seen:", prefixed_after=FORGET_KNOWN_AFTER
            )
            counters.reset(conn, known_key(name, address), now)

    def clear_account(self, name: str) -> None:
        """A new password (set by its owner or an admin): the account's lock ends."""
        with self.engine.begin() as conn:
            counters.forget(conn, account_key(name))
