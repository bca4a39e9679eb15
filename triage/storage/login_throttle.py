"""Failed log-ins per key, as rows (`triage.queue.throttle` decides the keys and the locks).

A failure is one upsert `failures = failures + 1 ... RETURNING`, so requests sent at once each
count; every function runs in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from triage.storage.tables import login_throttle


def _insert(conn: Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def locked_until(conn: Connection, key: str) -> datetime | None:
    return conn.execute(
        select(login_throttle.c.locked_until).where(login_throttle.c.key == key)
    ).scalar_one_or_none()


def failures(conn: Connection, key: str) -> int | None:
    """The key's failures so far; None when the key has no row."""
    found = conn.execute(
        select(login_throttle.c.failures).where(login_throttle.c.key == key)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def count_failure(conn: Connection, key: str, now: datetime) -> tuple[int, int]:
    """One more failure of `key` (the row made if missing); returns (failures, locks)."""
    row = conn.execute(
        _insert(conn)(login_throttle)
        .values(key=key, failures=1, locks=0, updated_at=now)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": login_throttle.c.failures + 1, "updated_at": now},
        )
        .returning(login_throttle.c.failures, login_throttle.c.locks)
    ).one()
    return int(row[0]), int(row[1])


def lock(conn: Connection, key: str, until: datetime) -> None:
    """Lock `key` until `until`, counting the lock."""
    conn.execute(
        update(login_throttle)
        .where(login_throttle.c.key == key)
        .values(locks=login_throttle.c.locks + 1, locked_until=until)
    )


def count_failure_if_present(conn: Connection, key: str, now: datetime) -> None:
    """One more failure of `key` only if it has a row (a known address)."""
    conn.execute(
        update(login_throttle)
        .where(login_throttle.c.key == key)
        .values(failures=login_throttle.c.failures + 1, updated_at=now)
    )


def clear(conn: Connection, key: str, now: datetime) -> None:
    """No failures and no lock count on `key` (a lock it has stays)."""
    conn.execute(
        update(login_throttle)
        .where(login_throttle.c.key == key)
        .values(failures=0, locks=0, updated_at=now)
    )


def forget(conn: Connection, key: str) -> None:
    """Delete `key`'s row, its lock with it."""
    conn.execute(delete(login_throttle).where(login_throttle.c.key == key))


def forget_stale(
    conn: Connection, now: datetime, *, after: timedelta, prefix: str, prefixed_after: timedelta
) -> None:
    """Delete rows untouched for `after` and not locked now, except those whose key starts
    with `prefix`: those go when untouched for `prefixed_after`."""
    conn.execute(
        delete(login_throttle).where(
            login_throttle.c.updated_at < now - after,
            ~login_throttle.c.key.startswith(prefix),
            (login_throttle.c.locked_until.is_(None)) | (login_throttle.c.locked_until < now),
        )
    )
    conn.execute(
        delete(login_throttle).where(
            login_throttle.c.updated_at < now - prefixed_after,
            login_throttle.c.key.startswith(prefix),
        )
    )


def reset(conn: Connection, key: str, now: datetime) -> None:
    """`key`'s row with no failures, made if missing."""
    conn.execute(
        _insert(conn)(login_throttle)
        .values(key=key, failures=0, locks=0, updated_at=now)
        .on_conflict_do_update(index_elements=["key"], set_={"failures": 0, "updated_at": now})
    )
