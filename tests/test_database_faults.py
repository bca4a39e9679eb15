"""A database that stops answering or is not up yet (issue 19, defects 2 and 3), through a TCP
proxy that stops forwarding: statements fail instead of hanging, `/healthz` answers 503 at once,
SIGTERM ends the daemon within 10 s, and `run` waits for a database that boots later (one line
per attempt) or exits 75 for the service manager to restart it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_URL
from tests.tcpproxy import TcpProxy
from tests.test_daemon import wait_for, write_posts
from tests.test_metrics import free_port, get
from triage.storage import make_engine

pytestmark = pytest.mark.postgres
PG_HOST = ("127.0.0.1", 5432)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    proxy = TcpProxy(PG_HOST).start()
    yield proxy
    proxy.stop()


def in_thread(func: Any, limit: float) -> tuple[bool, BaseException | None]:
    """Run `func` in a thread for at most `limit` seconds: (finished, what it raised)."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            func()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(limit)
    return not thread.is_alive(), raised[0] if raised else None


def test_a_statement_on_a_wedged_connection_fails_and_the_pool_recovers(
    pg_url: str, proxy: TcpProxy
) -> None:
    engine = make_engine(proxy.url(pg_url), statement_timeout=1, connect_timeout=2)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    proxy.blackhole()

    def query() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    finished, raised = in_thread(query, 30)
    assert finished, "a statement on a blackholed connection hung"
    assert isinstance(raised, OperationalError)
    proxy.restore()
    with engine.connect() as conn:  # the dead connection left the pool; a new one works
        assert conn.execute(text("SELECT 2")).scalar_one() == 2
    engine.dispose()


def test_a_connection_that_is_accepted_but_never_answered_times_out(
    pg_url: str, proxy: TcpProxy
) -> None:
    proxy.blackhole()
    engine = make_engine(proxy.url(pg_url), connect_timeout=1)

    def connect() -> None:
        with engine.connect():
            pass

    finished, raised = in_thread(connect, 20)
    assert finished and isinstance(raised, OperationalError)
    engine.dispose()


def run_daemon(tmp_path: Path, url: str, **database: Any) -> tuple[subprocess.Popen[str], Path]:
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, 50)
    port = free_port()
    settings = {
        "database": {"url": url, **database},
        "sources": [
            {"name": "big", "type": "replay", "path": str(replay), "interval_seconds": 1}
            | {"jitter_seconds": 0}
        ],
        "classifier": {"enabled": False},
        "escalation": {"enabled": False},
        "metrics": {"enabled": True, "port": port},
    }
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps(settings), encoding="utf-8")
    log = tmp_path / "daemon.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from triage.cli import main; main()",
                "run",
                "--config",
                str(cfg),
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    proc.port = port  # type: ignore[attr-defined]
    return proc, log


def healthz(proc: subprocess.Popen[str]) -> tuple[int, str]:
    return get(f"http://127.0.0.1:{proc.port}/healthz")  # type: ignore[attr-defined]


def test_a_wedged_database_gives_503_at_once_and_sigterm_exits(
    tmp_path: Path, pg_url: str, proxy: TcpProxy
) -> None:
    url = proxy.url(pg_url)
    proc, log = run_daemon(tmp_path, url, statement_timeout_seconds=2, connect_timeout_seconds=2)
    try:
        wait_for(lambda: "polled big: ok" in log.read_text(), timeout=90)
        assert healthz(proc)[0] == 200
        proxy.blackhole()
        started = time.monotonic()
        status, body = healthz(proc)
        assert status == 503 and time.monotonic() - started < 5
        assert "no answer" in json.loads(body)["database"]
        # The poll job stuck on the database fails after the statement limit: one line.
        wait_for(lambda: "database is down" in log.read_text(), timeout=30)
        proxy.restore()
        wait_for(lambda: "database is back after" in log.read_text(), timeout=30)
        wait_for(lambda: healthz(proc)[0] == 200, timeout=30)
        # Wedged again, with a poll waiting on it: SIGTERM still ends the process.
        proxy.blackhole()
        time.sleep(2.5)
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        proc.wait(timeout=30)
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = log.read_text()
    assert "Traceback" not in out, out
    assert out.count("database is down") <= 2, out
    assert "maximum number of running instances" not in out, out


def test_run_waits_for_a_database_that_boots_later(
    tmp_path: Path, pg_url: str, proxy: TcpProxy
) -> None:
    proxy.blackhole()  # accepts TCP, never answers: a database still starting
    proc, log = run_daemon(tmp_path, proxy.url(pg_url), connect_timeout_seconds=1)
    try:
        wait_for(lambda: "(attempt 2)" in log.read_text(), timeout=60)
        proxy.restore()
        wait_for(lambda: "polled big: ok" in log.read_text(), timeout=90)
        assert healthz(proc)[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = log.read_text()
    assert "is up after" in out and "Traceback" not in out, out


def test_run_gives_up_with_exit_75_when_the_database_stays_down(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    url = PG_URL.replace("127.0.0.1:5432", f"127.0.0.1:{closed}")
    proc, log = run_daemon(tmp_path, url, start_wait_seconds=3, connect_timeout_seconds=1)
    assert proc.wait(timeout=60) == 75
    out = log.read_text()
    attempts = [line for line in out.splitlines() if "(attempt " in line]
    assert len(attempts) >= 2 and "Traceback" not in out, out
    assert out.strip().splitlines()[-1].startswith("error: database postgresql+psycopg://")
