"""Storage: SQLAlchemy Core tables, Alembic migrations and the `Store`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from config.schema import Settings
from kernel.errors import DatabaseUnavailable
from kernel.scrub import db_error_line
from triage.storage.engine import make_engine, redacted_url
from triage.storage.store import Store

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


def open_store(settings: Settings, *, migrate_schema: bool = True) -> Store:
    engine = make_engine(settings.database.url, password_env=settings.database.password_env)
    if migrate_schema:
        migrate(engine)
    return Store(engine)


__all__ = ["Store", "make_engine", "migrate", "open_store", "redacted_url"]
