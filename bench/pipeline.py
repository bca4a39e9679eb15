"""End-to-end speed and memory: stored -> decided -> delivered, with real daemons (issue 11).

    python bench/pipeline.py [--posts 3000] [--replicas 1] [--db-url URL] [--backend onnx-int8]
                             [--helpdesk-share 0.2] [--timeout 900]

Writes `--posts` replay posts (a `--helpdesk-share` of them with a card number or a password,
so they route to the helpdesk), starts a webhook receiver on loopback (answers 200 and counts
each idempotency key) and `--replicas` `social-triage run` processes sharing one database
(SQLite in a temporary folder, or `--db-url`, e.g. a PostgreSQL database: its tables are
emptied first). It waits until every post is decided and every case delivered, then prints:
- sustained posts/s: posts / (last decision - first post stored), and the same to the last
  delivery;
- p50/p99 latency stored -> decided and stored -> delivered (from the rows' own timestamps);
- peak RSS of each daemon (VmHWM from /proc), and duplicates seen by the receiver.
The bundled replay source reads 1,000 posts a page, so the first pages queue up behind the
classifier: the latencies here are of a saturated daemon (see docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage.storage import make_engine, migrate  # noqa: E402
from triage.storage.tables import cases, decisions, metadata, posts  # noqa: E402

RUN = ("run", "--config")
TEXTS = [
    "@acme my internet has been down since this morning, any update?",
    "love the new app update from @acme, great job",
    "@acme why was I charged twice this month? this is ridiculous",
    "anyone else having trouble logging into acme today",
    "@acme how do I change my plan to the cheaper one?",
    "acme support never answers, switching providers next week",
]
SENSITIVE = [
    "@acme you charged my card 4111 1111 1111 1111 twice, fix it",
    "@acme I can't log in, my password: Sup3rSecret! still fails",
]


class Receiver:
    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                key = self.headers.get("Idempotency-Key") or ""
                with receiver.lock:
                    receiver.keys[key] = receiver.keys.get(key, 0) + 1
                body = json.dumps({"id": key}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cases"


def write_posts(path: Path, n: int, share: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            text = rng.choice(SENSITIVE) if rng.random() < share else rng.choice(TEXTS)
            record = {
                "source": "x",
                "external_id": str(i),
                "text": f"{text} #{i}",
                "created_at": "2026-11-20T10:00:00Z",
                "author": {"handle": f"user{i % 997}", "followers": i % 5000},
            }
            handle.write(json.dumps(record) + "\n")


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--db-url", default=None)
    parser.add_argument("--backend", default="onnx-int8", choices=["torch", "bf16", "onnx-int8"])
    parser.add_argument("--helpdesk-share", type=float, default=0.2)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    db_url = args.db_url or f"sqlite:///{work}/bench.db"
    engine = make_engine(db_url)
    migrate(engine)
    with engine.begin() as conn:  # a clean slate, children first
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    replay = work / "posts.jsonl"
    write_posts(replay, args.posts, args.helpdesk_share)
    receiver = Receiver()
    settings = {
        "database": {"url": db_url},
        "logging": {"level": "WARNING"},
        "sources": [{"name": "bench", "type": "replay", "path": str(replay)}],
        "sinks": [{"name": "hook", "type": "webhook", "url": receiver.url}],
        "escalation": {"default_sink": "hook", "hold_for_review": False, "interval_seconds": 1},
        "classifier": {"backend": args.backend, "interval_seconds": 1},
    }
    cfg = work / "cfg.yaml"
    cfg.write_text(json.dumps(settings), encoding="utf-8")
    env = {**os.environ, "TRIAGE_WEBHOOK_SECRET": "bench-secret", "PYTHONPATH": str(ROOT)}
    started = time.time()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", "from triage.cli import main; main()", *RUN, str(cfg)],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / f"replica{i}.log", "w"),  # noqa: SIM115
        )
        for i in range(args.replicas)
    ]
    rss: dict[int, float] = {}
    try:
        while True:
            time.sleep(1)
            for proc in procs:
                value = peak_rss_mb(proc.pid)
                if value is not None:
                    rss[proc.pid] = max(rss.get(proc.pid, 0.0), value)
            with engine.connect() as conn:
                decided = conn.execute(
                    select(func.count())
                    .select_from(posts)
                    .where(posts.c.classified_at.is_not(None))
                ).scalar_one()
                open_cases = conn.execute(
                    select(func.count()).select_from(cases).where(cases.c.status != "sent")
                ).scalar_one()
            if decided >= args.posts and open_cases == 0:
                break
            if time.time() - started > args.timeout:
                raise SystemExit(f"timed out: {decided}/{args.posts} decided, {open_cases} open")
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a replica exited; see {work}/replica*.log")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=120)

    with engine.connect() as conn:
        rows = conn.execute(
            select(posts.c.ingested_at, decisions.c.decided_at).join(
                decisions, decisions.c.post_id == posts.c.id
            )
        ).all()
        sent = conn.execute(
            select(posts.c.ingested_at, cases.c.sent_at).join(cases, cases.c.post_id == posts.c.id)
        ).all()
        n_decisions = conn.execute(select(func.count()).select_from(decisions)).scalar_one()
    first = min(r.ingested_at for r in rows)
    last_decided = max(r.decided_at for r in rows)
    last_sent = max((s.sent_at for s in sent), default=last_decided)
    decide_lat = [(r.decided_at - r.ingested_at).total_seconds() for r in rows]
    deliver_lat = [(s.sent_at - s.ingested_at).total_seconds() for s in sent]
    span_decided = (last_decided - first).total_seconds()
    span_sent = (max(last_sent, last_decided) - first).total_seconds()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus")
    print(f"database: {engine.dialect.name}, replicas: {args.replicas}, backend: {args.backend}")
    print(f"posts: {args.posts}, decisions: {n_decisions}, cases delivered: {len(sent)}")
    duplicates = sum(receiver.keys.values()) - len(receiver.keys)
    print(f"receiver: {len(receiver.keys)} keys, duplicates: {duplicates}")
    print(
        f"sustained stored->decided: {args.posts / span_decided:.1f} posts/s ({span_decided:.1f}s)"
    )
    print(f"sustained stored->delivered: {args.posts / span_sent:.1f} posts/s ({span_sent:.1f}s)")
    # The spans above include the daemon's start (imports, model load: several seconds). Steady
    # state: the posts decided after the first saved batch, over the time since that batch.
    first_decided = min(r.decided_at for r in rows)
    after = sum(1 for r in rows if r.decided_at > first_decided)
    steady = (last_decided - first_decided).total_seconds()
    if steady > 0:
        print(f"steady state stored->decided: {after / steady:.1f} posts/s ({steady:.1f}s)")
    print(
        f"latency stored->decided p50 {percentile(decide_lat, 0.5):.2f}s "
        f"p99 {percentile(decide_lat, 0.99):.2f}s"
    )
    if deliver_lat:
        print(
            f"latency stored->delivered p50 {percentile(deliver_lat, 0.5):.2f}s "
            f"p99 {percentile(deliver_lat, 0.99):.2f}s"
        )
    print("peak RSS per daemon: " + ", ".join(f"{v:.0f} MB" for v in rss.values()))
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
