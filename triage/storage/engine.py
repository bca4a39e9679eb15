"""Engines: SQLite in WAL mode (the embedded default) or PostgreSQL."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from kernel.errors import ConfigError


def make_engine(url: str, *, password_env: str | None = None) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database.url: not a database URL: {exc}") from exc
    if password_env and parsed.password is None and os.environ.get(password_env):
        parsed = parsed.set(password=os.environ[password_env])
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True
        )
    raise ConfigError(
        f"database.url: unsupported database {parsed.get_backend_name()!r}; "
        "use sqlite:///FILE or postgresql+psycopg://..."
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the CLI, the web UI) read while the daemon writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def redacted_url(engine: Engine) -> str:
    """The URL for logs and `config check`: never the password."""
    return engine.url.render_as_string(hide_password=True)
