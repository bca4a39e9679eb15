"""Server time of the review queue's pages with 10,000 open items (issue 9, item 11).

    python bench/queue_pages.py [--items 10000] [--requests 60] [--databases sqlite postgresql]
                          [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Seeds a fresh database (SQLite in a temporary folder; PostgreSQL in a throw-away schema) with
`--items` decided, open posts spread over routes, sentiments, intents, languages and sensitive
data, then asks the app in-process (starlette's TestClient: routing, session and CSRF check,
the queries and the template rendering; no network) for the queue page, a filtered page, a
full-text search in one view and in every view (words, an author's name, `author:@handle`) and
an item page (with the customer's other posts: each handle has about ten), logged in as an
agent, and prints p50/p95 per page in milliseconds. Target: p95 under 200 ms on both databases.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from config.schema import Settings
from kernel.models import Author, Post, Route
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate
from triage.storage.tables import decisions, posts

WORDS = [
    "fatura",
    "cobrança",
    "cartão",
    "internet",
    "caiu",
    "app",
    "travou",
    "pedido",
    "atrasado",
    "entrega",
    "senha",
    "conta",
    "reembolso",
    "estorno",
    "atendimento",
    "péssimo",
    "ótimo",
    "obrigado",
    "bill",
    "charged",
    "twice",
    "order",
    "late",
    "refund",
    "password",
    "outage",
    "down",
    "slow",
    "love",
    "thanks",
    "help",
    "please",
]
INTENTS = ("billing", "account_access", "delivery", "refund", "technical_problem", "outage")
PASSWORD = "benchmark password"


@contextmanager
def database(kind: str, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(store: Store, items: int) -> None:
    rng = random.Random(9)
    # Real posts draw on thousands of words: a few domain words among 3,000 made-up ones.
    vocabulary = [
        "".join(rng.choice("abcdefghijlmnoprstuv") for _ in range(rng.randint(3, 9)))
        for _ in range(3000)
    ]
    now = datetime.now(UTC)
    batch: list[Post] = []
    for i in range(items):
        words = " ".join(
            rng.choice(WORDS) if rng.random() < 0.1 else rng.choice(vocabulary)
            for _ in range(rng.randint(8, 30))
        )
        batch.append(
            Post(
                source=rng.choice(("x", "reddit")),
                external_id=f"b{i}",
                text=f"{words} #{i}",
                created_at=now - timedelta(minutes=rng.randint(1, 60 * 72)),
                url=f"https://x.com/u{i}/status/{i}",
                author=Author(handle=f"user{i % 997}", name=f"User {i % 997}"),
                lang=rng.choice(("pt", "en")),
                query=rng.choice(("acme", "acme help", "acme app")),
            )
        )
        if len(batch) == 1000:
            store.save_page("bench", "replay", batch, None)
            batch = []
    if batch:
        store.save_page("bench", "replay", batch, None)
    routes = [r.value for r in Route]
    with store.engine.begin() as conn:
        ids = [row[0] for row in conn.execute(posts.select().with_only_columns(posts.c.id))]
        rows = []
        for post_id in ids:
            intent = rng.choice(INTENTS)
            sensitive = rng.random() < 0.05
            rows.append(
                {
                    "post_id": post_id,
                    "route": rng.choices(routes, weights=(5, 2, 1, 2))[0],
                    "tier": 1,
                    "priority": "normal",
                    "confidence": round(rng.random(), 4),
                    "needs_review": rng.random() < 0.2,
                    "rule": "bench",
                    "rules_tried": [],
                    "explanation": "benchmark decision",
                    "scores": {},
                    "signals": {
                        "sentiment": rng.choice(("negative", "neutral", "positive")),
                        "sentiment_score": 0.7,
                        "complaint": rng.random(),
                        "private_score": rng.random(),
                        "intents": {name: (0.9 if name == intent else 0.05) for name in INTENTS},
                        "sensitive": (
                            [{"kind": "payment_card", "start": 0, "end": 1, "preview": "**"}]
                            if sensitive
                            else []
                        ),
                        "language": rng.choice(("pt", "en")),
                        "keywords": [],
                    },
                    "decided_by": "classifier",
                    "decided_at": now,
                }
            )
        conn.execute(decisions.insert(), rows)
        conn.execute(posts.update().values(classified_at=now))
    with store.engine.begin() as conn:  # the statistics autovacuum/`ANALYZE` keep in production
        conn.execute(text("ANALYZE"))
    UserStore(store.engine).add("agent", "agent", PASSWORD)


def timings(client: object, path: str, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "TRIAGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from triage.web.app import create_app

    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(f"{args.items} open items, {args.requests} requests per page; times in ms")
    print("| database | page | p50 | p95 |")
    print("|---|---|---|---|")
    for kind in args.databases:
        with database(kind, args.pg_url) as url:
            engine = make_engine(url)
            migrate(engine)
            store = Store(engine)
            seed(store, args.items)
            with TestClient(create_app(Settings(), store)) as client:
                page = client.get("/login").text
                token = re.search(r'name="csrf" value="([^"]+)"', page)
                assert token
                client.post(
                    "/login", data={"name": "agent", "password": PASSWORD, "csrf": token[1]}
                )
                item = client.get("/queue/public_reply").text
                found = re.search(r'href="/items/(\d+)', item)
                assert found
                pages = {
                    "queue page (public reply)": "/queue/public_reply",
                    "queue page, 2nd page": None,
                    "filtered (negative, pt, billing)": (
                        "/queue/public_reply?sentiment=negative&language=pt&intent=billing"
                    ),
                    "search 'fatura cobrança'": "/queue/public_reply?q=fatura+cobran%C3%A7a",
                    "search all views 'fatura cobrança'": "/search?q=fatura+cobran%C3%A7a",
                    "search all views by name 'user 42'": "/search?q=User+42",
                    "search all views 'author:@user42'": "/search?q=author%3A%40user42",
                    "needs review, sensitive": "/queue/review?sensitive=yes",
                    "label these": "/queue/label",
                    "least time left (public reply)": "/queue/public_reply?sort=due",
                    "least time left (label, every route), 3rd page": (
                        "/queue/label?sort=due&cursor=2"
                    ),
                    "item page": f"/items/{found[1]}",
                }
                cursor = re.search(r"cursor=([0-9]+)", item)
                pages["queue page, 2nd page"] = (
                    f"/queue/public_reply?cursor={cursor[1] if cursor else ''}"
                )
                for name, path in pages.items():
                    assert path is not None
                    p50, p95 = timings(client, path, args.requests)
                    print(f"| {kind} | {name} | {p50:.1f} | {p95:.1f} |", flush=True)
                # The tab counts are cached for SUMMARY_TTL seconds; what one refresh costs:
                reads = client.app.state.queue.reads  # type: ignore[attr-defined]
                samples = []
                for _ in range(args.requests):
                    reads.invalidate()
                    start = time.perf_counter()
                    reads.counts()
                    reads.filter_options()
                    samples.append((time.perf_counter() - start) * 1000)
                samples.sort()
                p95 = samples[int(len(samples) * 0.95) - 1]
                print(
                    f"| {kind} | tab counts + filter menus, uncached (every 5 s) | "
                    f"{statistics.median(samples):.1f} | {p95:.1f} |"
                )
            engine.dispose()


if __name__ == "__main__":
    main()
