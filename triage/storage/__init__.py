"""Storage: SQLAlchemy Core tables, Alembic migrations and the `Store`."""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from psycopg.errors import QueryCanceled
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from config.schema import Settings
from kernel.errors import ConfigError, DatabaseUnavailable
from kernel.scrub import db_error_line
from triage.storage.engine import (
    ANSWER_MARGIN_SECONDS,
    AnsweringConnection,
    database_engine,
    make_engine,
    redacted_url,
)
from triage.storage.store import Store

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Any fixed 64-bit number: replicas starting together on PostgreSQL migrate one at a time.
_MIGRATION_LOCK = 0x7472696167650001


def migrate(engine: Engine, *, timeout_seconds: int = 0) -> None:
    """Bring the schema to the newest revision; safe to run on every start.

    Migrations run without the engine's statement timeout (`database.statement_timeout_seconds`
    bounds the daemon's own statements; rewriting a big table may take longer): on PostgreSQL
    each statement may run `timeout_seconds` (`database.migration_timeout_seconds`), 0 meaning
    no limit. A database that cannot be reached is one line naming the URL (never its
    password)."""
    try:
        _migrate(engine, timeout_seconds)
    except DBAPIError as exc:
        if timeout_seconds and isinstance(exc.orig, QueryCanceled):  # would be again
            raise ConfigError(
                f"database.migration_timeout_seconds: a migration statement ran longer than "
                f"{timeout_seconds} s and was cancelled (nothing of it was applied); raise it, "
                "or 0 for no limit"
            ) from exc
        if not isinstance(exc, OperationalError | InterfaceError):
            raise
        raise DatabaseUnavailable(
            f"database {redacted_url(engine)}: cannot connect: {db_error_line(exc)}"
        ) from exc


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _migrate(engine: Engine, timeout_seconds: int) -> None:
    cfg = alembic_config()
    with engine.begin() as conn, migration_limits(conn, timeout_seconds):
        if conn.dialect.name == "postgresql":
            # Waits as long as another replica's migration takes (within the same limit).
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextlib.contextmanager
def migration_limits(conn: Connection, timeout_seconds: int) -> Iterator[None]:
    """The migration's own statement timeout on `conn` for its transaction (PostgreSQL): the
    server's (`SET LOCAL`, gone at commit or rollback, so the pooled connection keeps the
    engine's) and the client's wait for an answer (`AnsweringConnection`), put back after."""
    if conn.dialect.name != "postgresql":
        yield  # SQLite: its "statement timeout" is only the wait for a writer's lock
        return
    conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_seconds) * 1000}"))
    raw = conn.connection.driver_connection
    if not isinstance(raw, AnsweringConnection):
        yield
        return
    saved = raw.answer_timeout
    raw.answer_timeout = timeout_seconds + ANSWER_MARGIN_SECONDS if timeout_seconds else None
    try:
        yield
    finally:
        raw.answer_timeout = saved


def open_store(
    settings: Settings, *, migrate_schema: bool = True, wait_seconds: float = 0
) -> Store:
    """The store of `settings.database`, its schema brought up to date.

    `wait_seconds`: how long to wait for a database that is not up yet (`run` at boot), trying
    again with backoff and logging one line per attempt; then `DatabaseUnavailable`."""
    engine = database_engine(settings.database)
    if migrate_schema:
        timeout = settings.database.migration_timeout_seconds
        wait_for_database(
            engine, wait_seconds, migrate_with=functools.partial(migrate, timeout_seconds=timeout)
        )
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
