"""Ingest throughput: replay N posts into the store with dedupe, on SQLite and PostgreSQL.

    python bench/ingest.py [--posts 100000] [--pg postgresql+psycopg://postgres@127.0.0.1/test]

Prints posts/s stored (the real path: ReplaySource -> poll_source -> Store.save_page) and how
many rows a second run over the same input inserted (must be 0).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from listener.replay import ReplaySource
from triage.polling import poll_source
from triage.storage import Store, make_engine, migrate

WORDS = [
    "acme",
    "internet",
    "down",
    "again",
    "billing",
    "app",
    "crash",
    "refund",
    "love",
    "thanks",
    "why",
    "slow",
    "outage",
]


def make_input(path: Path, n: int) -> None:
    rng = random.Random(42)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            handle.write(
                json.dumps(
                    {
                        "source": rng.choice(["x", "reddit", "forum"]),
                        "external_id": str(10**18 + i),
                        "text": f"@acme {text} 📶",
                        "created_at": "2026-11-20T10:00:00Z",
                        "url": f"https://x.com/u/status/{10**18 + i}",
                        "author": {"handle": f"user{i % 5000}", "followers": i % 977},
                        "conversation_id": str(10**18 + i - i % 5),
                        "lang": "en",
                    }
                )
                + "\n"
            )


def run(store: Store, path: Path, name: str) -> tuple[float, int]:
    source = ReplaySource(name=name, path=path)
    started = time.perf_counter()
    outcome = poll_source(store, source, max_pages=None)
    elapsed = time.perf_counter() - started
    assert outcome.status == "ok", outcome.error
    return elapsed, outcome.new


def bench(label: str, url: str, path: Path, n: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine)
    elapsed, new = run(store, path, "bench-first")
    again_elapsed, again_new = run(store, path, "bench-second")  # no cursor: re-reads all
    print(
        f"{label}: {n} posts stored in {elapsed:.2f} s = {n / elapsed:,.0f} posts/s "
        f"(new={new}); second run over the same input: inserted={again_new} "
        f"in {again_elapsed:.2f} s = {n / again_elapsed:,.0f} posts/s"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python "
        f"{platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "posts.jsonl"
        make_input(path, args.posts)
        bench("sqlite", f"sqlite:///{tmp}/bench.db", path, args.posts)
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        try:
            admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # report and carry on: SQLite figures still stand
            print(f"postgresql: skipped ({str(exc).splitlines()[0]})")
            return
        try:
            bench("postgresql", f"{args.pg}?options=-csearch_path%3D{schema}", path, args.posts)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
