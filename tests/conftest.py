from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.httpserver import FakeAPI
from triage.storage import Store, make_engine, migrate

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PG_URL = os.environ.get("TRIAGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_reason: str | None = None


def _postgres_unreachable() -> str | None:
    global _pg_reason
    if _pg_reason is None:
        try:
            engine = create_engine(PG_URL)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_reason = ""
        except OperationalError as exc:
            _pg_reason = f"PostgreSQL at {PG_URL} unreachable: {str(exc).splitlines()[0]}"
    return _pg_reason or None


def pytest_report_header(config: pytest.Config) -> str:
    reason = _postgres_unreachable()
    return f"postgres: SKIPPED, {reason}" if reason else f"postgres: {PG_URL}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reason = _postgres_unreachable()
    if reason:
        terminalreporter.write_line(
            f"!!! PostgreSQL tests were SKIPPED: {reason} !!!", red=True, bold=True
        )


@pytest.fixture
def fake_api() -> Iterator[FakeAPI]:
    api = FakeAPI().start()
    yield api
    api.stop()


def _pg_url_for_schema() -> Iterator[str]:
    """A fresh schema of the `test` database per test, dropped afterwards."""
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _pg_url_for_schema()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """Runs a test on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/triage.db"
    else:
        yield from _pg_url_for_schema()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    engine = make_engine(db_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path: object) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """argon2id with the smallest cost in tests: the production parameters (64 MiB, 3 passes)
    make every log-in and `users add` cost a fraction of a second on a shared machine. The
    hash format, verification and lock-out code paths are the same."""
    from argon2 import PasswordHasher

    from triage.queue import users

    saved = users._HASHER, users._DUMMY_HASH
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    users._DUMMY_HASH = users._HASHER.hash("not a password anyone has")
    yield
    users._HASHER, users._DUMMY_HASH = saved
