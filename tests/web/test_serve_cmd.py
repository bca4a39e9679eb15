"""`social-triage serve` and `run --serve` start the web app for real (a child process)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    code = "from triage.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"exited early ({proc.returncode}):\n{out}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).text == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the web app did not answer /healthz")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def test_serve_answers_and_guards(tmp_path: Path) -> None:
    port = _free_port()
    proc = _start(["serve", "--port", str(port)], tmp_path)
    try:
        _wait_healthy(proc, port)
        page = httpx.get(
            f"http://127.0.0.1:{port}/queue/public_reply", headers={"accept": "text/html"}
        )
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert "script-src 'self'" in page.headers["content-security-policy"]
    finally:
        _stop(proc)
    assert (tmp_path / "social-triage.db").exists()


@pytest.mark.slow
def test_run_serve_serves_the_app_beside_the_daemon(tmp_path: Path) -> None:
    port = _free_port()
    (tmp_path / "social-triage.yaml").write_text(f"web:\n  port: {port}\n")
    proc = _start(["run", "--serve"], tmp_path)
    try:
        _wait_healthy(proc, port, seconds=120)
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200
    finally:
        _stop(proc)
