"""A 30 s database cut under the real daemon: what the log, `/healthz` and SIGTERM do.

    python bench/db_outage.py [--cut 30] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

`social-triage run` (a replay source read every second, metrics on) talks to PostgreSQL through
a TCP proxy on loopback (tests/tcpproxy.py) that stops forwarding for `--cut` seconds: the
connections stay open and nothing answers, as with a dead NAT entry. 300 posts are stored
before the cut, 600 more are appended to the replay file during it. It prints how long
`/healthz` took to answer and what it said during the cut, the log lines and tracebacks written
during the cut, whether every post was stored once afterwards, and how long SIGTERM took with
the database cut again. The fault table in docs/operations.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ helpers, as the CI runs

from tests.tcpproxy import TcpProxy
from triage.storage import make_engine, migrate
from triage.storage.tables import posts


def write_posts(path: Path, start: int, n: int) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for i in range(start, start + n):
            post = {
                "source": "x",
                "external_id": str(i),
                "text": f"post {i} about @acme",
                "created_at": "2026-11-20T10:00:00Z",
                "author": {"handle": f"user{i % 97}"},
            }
            handle.write(json.dumps(post) + "\n")


def healthz(port: int) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, time.monotonic() - started


def wait(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cut", type=float, default=30.0)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print("command: python " + shlex.join(sys.argv))
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{args.pg}?options=-csearch_path%3D{schema}"
    proxy = TcpProxy(("127.0.0.1", 5432)).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), proxy, url, args.cut)
    finally:
        proxy.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(tmp: Path, proxy: TcpProxy, url: str, cut: float) -> None:
    replay, log = tmp / "posts.jsonl", tmp / "daemon.log"
    write_posts(replay, 0, 300)
    port = 19464
    settings = {
        "database": {"url": proxy.url(url)},
        "sources": [
            {"name": "x", "type": "replay", "path": str(replay)}
            | {"interval_seconds": 1, "jitter_seconds": 0}
        ],
        "classifier": {"enabled": False},
        "metrics": {"enabled": True, "port": port},
    }
    (tmp / "cfg.yaml").write_text(json.dumps(settings), encoding="utf-8")
    command = [sys.executable, "-c", "from triage.cli import main; main()", "run"]
    with log.open("w") as err:
        daemon = subprocess.Popen(
            [*command, "--config", str(tmp / "cfg.yaml")], cwd=tmp, stderr=err
        )
    engine = make_engine(url)
    migrate(engine)  # the daemon would too; the counts below need the tables now

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(posts)).scalar_one())

    try:
        assert wait(lambda: stored() == 300, 120), "the daemon never stored the first posts"
        before = len(log.read_text().splitlines())
        proxy.blackhole()
        cut_at = time.monotonic()
        write_posts(replay, 300, 600)
        time.sleep(1)
        status, took = healthz(port)
        time.sleep(max(0.0, cut - (time.monotonic() - cut_at)))
        during = len(log.read_text().splitlines()[before:])
        proxy.restore()
        back = wait(lambda: stored() == 900, 120)
        after_restore = time.monotonic() - cut_at - cut
        around = log.read_text().splitlines()[before:]
        healthy = wait(lambda: healthz(port)[0] == 200, 60)
        proxy.blackhole()
        time.sleep(2.5)  # a poll is waiting on the database now
        daemon.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        code = daemon.wait(timeout=60)
        exit_seconds = time.monotonic() - stopped_at
        proxy.restore()
        text_all = log.read_text()
        print(f"/healthz 1 s into the cut: HTTP {status} in {took:.2f} s")
        print(f"log lines during the {cut:g} s cut: {during}; from the cut to all posts stored:")
        for line in around:
            print(f"    {line[:160]}")
        print(f"tracebacks in the whole log: {text_all.count('Traceback')}")
        print(
            f"'maximum number of running instances' warnings: "
            f"{text_all.count('maximum number of running instances')}"
        )
        print(
            f"posts stored after the cut: {stored()} of 900 (all within "
            f"{after_restore:.1f} s of the restore: {back}); /healthz 200 again: {healthy}"
        )
        print(f"SIGTERM with the database cut again: exit {code} after {exit_seconds:.1f} s")
    finally:
        if daemon.poll() is None:
            daemon.kill()
        engine.dispose()


if __name__ == "__main__":
    main()
