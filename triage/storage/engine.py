"""Engines: SQLite in WAL mode (the embedded default) or PostgreSQL, with timeouts.

A database that stops answering must fail a job, never hang it: PostgreSQL connections get
`connect_timeout`, a server-side `statement_timeout`, TCP keepalives, and a client-side limit
on every wait for an answer (`AnsweringConnection`), because a connection whose packets are
silently dropped (a dead NAT entry, a proxy that stopped forwarding) never sees the server's
cancel nor a TCP reset. SQLite waits for a writer's lock at most the statement timeout.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors as pg_errors
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from kernel.errors import ConfigError

if TYPE_CHECKING:
    from config.schema import DatabaseSettings

#: How much longer than the server's statement timeout the client waits for any answer: the
#: server's own cancel (an ordinary error) arrives first whenever the server can be heard.
ANSWER_MARGIN_SECONDS = 5.0


class NoAnswer(psycopg.OperationalError):
    """The database sent nothing for longer than the answer limit; the connection is closed."""


class AnsweringConnection(psycopg.Connection[Any]):
    """A psycopg connection that stops waiting for an answer after `answer_timeout` seconds.

    psycopg waits on the socket without limit; its `wait` takes a timeout, which we always
    pass. On expiry the connection is closed (it is in an unknown state), so SQLAlchemy sees a
    disconnect, drops it from the pool and the job fails with one line."""

    answer_timeout: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        if timeout is not None or self.answer_timeout is None:
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.answer_timeout)
        except pg_errors._WaitTimeout as exc:
            self.pgconn.finish()
            raise NoAnswer(f"no answer from the database within {self.answer_timeout:g} s") from exc


def database_engine(settings: DatabaseSettings) -> Engine:
    """The engine `database` settings describe (URL, password, timeouts)."""
    return make_engine(
        settings.url,
        password_env=settings.password_env,
        connect_timeout=settings.connect_timeout_seconds,
        statement_timeout=settings.statement_timeout_seconds,
        keepalives_idle=settings.keepalives_idle_seconds,
    )


def make_engine(
    url: str,
    *,
    password_env: str | None = None,
    connect_timeout: int = 10,
    statement_timeout: int = 30,
    keepalives_idle: int = 30,
) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database.url: not a database URL: {exc}") from exc
    if password_env and parsed.password is None and os.environ.get(password_env):
        parsed = parsed.set(password=os.environ[password_env])
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed, connect_args={"timeout": statement_timeout}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas(statement_timeout))
        return engine
    if parsed.get_backend_name() == "postgresql":
        # The URL's own `options` (a search_path, say) are kept; ours are added after them.
        options = str(parsed.query.get("options") or "")
        options = f"{options} -c statement_timeout={statement_timeout * 1000}".strip()
        connect_args: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "options": options,
            "keepalives": 1,
            "keepalives_idle": keepalives_idle,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            # Data sent but never acknowledged (the peer vanished mid-query): give up as well.
            "tcp_user_timeout": (statement_timeout + int(ANSWER_MARGIN_SECONDS)) * 1000,
        }
        engine = create_engine(
            parsed,
            connect_args=connect_args,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=5,
            pool_timeout=statement_timeout,
            hide_parameters=True,
        )
        answer_timeout = statement_timeout + ANSWER_MARGIN_SECONDS

        @event.listens_for(engine, "do_connect")
        def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
            conn = AnsweringConnection.connect(*cargs, **cparams)
            conn.answer_timeout = answer_timeout
            return conn

        return engine
    raise ConfigError(
        f"database.url: unsupported database {parsed.get_backend_name()!r}; "
        "use sqlite:///FILE or postgresql+psycopg://..."
    )


def _sqlite_pragmas(busy_seconds: int) -> Any:
    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers (the CLI, the web UI) read while the daemon writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cursor.close()

    return pragmas


def redacted_url(engine: Engine) -> str:
    """The URL for logs and `config check`: never the password."""
    return engine.url.render_as_string(hide_password=True)
