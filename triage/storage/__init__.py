"""Storage: SQLAlchemy Core tables, Alembic migrations and the `Store`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from config.schema import Settings
from kernel.errors import DatabaseUnavailable
from kernel.scrub import db_error_line
from triage.storage.engine import database_engine, make_engine, redacted_url
from triage.storage.store import Store

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Any fixed 64-bit number: replicas starting together on PostgreSQL migrate one at a time.
_MIGRATION_LOCK = 0x7472696167650001


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to run on every start.

    A database that cannot be reached is one line naming the URL (never its password)."""
    try:
        _migrate(engine)
    except DBAPIError as exc:
        if not isinstance(exc, OperationalError | InterfaceError):
            raise
        raise DatabaseUnavailable(
            f"database {redacted_url(engine)}: cannot connect: {db_error_line(exc)}"
        ) from exc


def _migrate(engine: Engine) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(
    settings: Settings, *, migrate_schema: bool = True, wait_seconds: float = 0
) -> Store:
    """The store of `settings.database`, its schema brought up to date.

    `wait_seconds`: how long to wait for a database that is not up yet (`run` at boot), trying
    again with backoff and logging one line per attempt; then `DatabaseUnavailable`."""
    engine = database_engine(settings.database)
    if migrate_schema:
        wait_for_database(engine, wait_seconds)
    return Store(engine)


def wait_for_database(
    engine: Engine,
    wait_seconds: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    migrate_with: Callable[[Engine], None] = migrate,
) -> None:
    """Migrate, retrying a database that cannot be reached for up to `wait_seconds`."""
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            migrate_with(engine)
        except DatabaseUnavailable as exc:
            waited = time.monotonic() - started
            if waited >= wait_seconds:
                if attempt > 1:
                    raise DatabaseUnavailable(
                        f"{exc} (gave up after {attempt} attempts in {waited:.0f} s)"
                    ) from exc
                raise
            pause = min(2.0 ** (attempt - 1), 30.0, max(0.0, wait_seconds - waited))
            log.warning(
                "%s (attempt %d); trying again in %.0f s, for up to %.0f s in all",
                exc,
                attempt,
                pause,
                wait_seconds,
                extra={"dependency": "database", "attempt": attempt},
            )
            sleep(pause)
            continue
        if attempt > 1:
            waited = time.monotonic() - started
            log.info(
                "database %s is up after %.0f s (%d attempts)",
                redacted_url(engine),
                waited,
                attempt,
                extra={"dependency": "database", "attempt": attempt},
            )
        return


__all__ = [
    "Store",
    "database_engine",
    "make_engine",
    "migrate",
    "open_store",
    "redacted_url",
    "wait_for_database",
]
