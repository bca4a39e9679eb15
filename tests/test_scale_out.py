"""Scale-out proof on the real PostgreSQL: three `run` replicas (real model), SIGKILLed at random
moments and restarted, share one replay source and one webhook receiver.

Every post is stored once and decided once (one current decision each, none superseded), every
helpdesk case reaches the receiver, the source is polled by one replica at a time, and a key
arrives twice only when a replica was killed between the receiver's 200 and recording it (the
webhook is at-least-once with an Idempotency-Key; Request Tracker's lookup by key makes it
exactly-once). CI size: 900 posts and 3 kills; `bench/pipeline.py --replicas 3` for larger runs.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.httpserver import FakeAPI, Response
from triage.storage import make_engine
from triage.storage.tables import cases, decisions, poll_runs, posts

POSTS = 900
KILLS = 3


def _write(path: Path) -> int:
    rng = random.Random(11)
    helpdesk = 0
    with path.open("w", encoding="utf-8") as handle:
        for i in range(POSTS):
            card = rng.random() < 0.2
            helpdesk += card
            text = (
                f"@acme you charged my card 4111 1111 1111 1111 twice #{i}"
                if card
                else f"@acme the app is slow again today #{i}"
            )
            record = {
                "source": "x",
                "external_id": str(i),
                "text": text,
                "created_at": "2026-11-20T10:00:00Z",
                "author": {"handle": f"user{i % 97}"},
            }
            handle.write(json.dumps(record) + "\n")
    return helpdesk


def _replica(cfg: Path, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from triage.cli import main; main()", "run", "--config", str(cfg)],
        cwd=cwd,
        env={**os.environ, "TRIAGE_WEBHOOK_SECRET": "scale-secret"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.postgres
def test_three_replicas_killed_at_random_lose_and_repeat_nothing(
    tmp_path: Path, pg_url: str, fake_api: FakeAPI
) -> None:
    fake_api.add("POST", "/cases", Response(status=200, body={"id": "t"}), sticky=True)
    replay = tmp_path / "posts.jsonl"
    _write(replay)
    settings = {
        "database": {"url": pg_url},
        "logging": {"level": "WARNING"},
        "sources": [{"name": "big", "type": "replay", "path": str(replay), "interval_seconds": 2}],
        "sinks": [{"name": "hook", "type": "webhook", "url": f"{fake_api.url}/cases"}],
        "escalation": {
            "default_sink": "hook",
            "hold_for_review": False,
            "interval_seconds": 1,
            "lease_seconds": 5,
        },
        "classifier": {"interval_seconds": 1, "claim_size": 64},
    }
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(json.dumps(settings), encoding="utf-8")
    engine = make_engine(pg_url)
    rng = random.Random(5)
    replicas = [_replica(cfg, tmp_path) for _ in range(3)]
    kills = 0
    deadline = time.monotonic() + 900
    try:
        while True:
            time.sleep(rng.uniform(4, 12))
            if kills < KILLS:
                victim = rng.randrange(3)
                replicas[victim].send_signal(signal.SIGKILL)
                replicas[victim].wait()
                replicas[victim] = _replica(cfg, tmp_path)
                kills += 1
                continue
            with engine.connect() as conn:
                waiting = conn.execute(
                    select(func.count()).select_from(posts).where(posts.c.classified_at.is_(None))
                ).scalar_one()
                stored = conn.execute(select(func.count()).select_from(posts)).scalar_one()
                unsent = conn.execute(
                    select(func.count()).select_from(cases).where(cases.c.status != "sent")
                ).scalar_one()
            if stored == POSTS and waiting == 0 and unsent == 0:
                break
            assert time.monotonic() < deadline, (stored, waiting, unsent)
    finally:
        for proc in replicas:
            proc.send_signal(signal.SIGTERM)
        for proc in replicas:
            proc.wait(timeout=120)

    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == POSTS
        per_post = conn.execute(
            select(decisions.c.post_id, func.count()).group_by(decisions.c.post_id)
        ).all()
        keys = conn.execute(select(cases.c.idempotency_key)).scalars().all()
        runs = conn.execute(
            select(poll_runs.c.started_at, poll_runs.c.finished_at, poll_runs.c.status)
            .where(poll_runs.c.source == "big")
            .order_by(poll_runs.c.started_at)
        ).all()
    engine.dispose()
    assert len(per_post) == POSTS and all(n == 1 for _, n in per_post)  # decided once
    received: dict[str, int] = {}
    for request in fake_api.requests_to("/cases"):
        key = request.headers["idempotency-key"]
        received[key] = received.get(key, 0) + 1
    assert set(received) == set(keys) and keys  # every case reached the receiver
    assert sum(received.values()) - len(received) <= KILLS
    finished = [r for r in runs if r.status != "interrupted" and r.finished_at is not None]
    for earlier, later in itertools.pairwise(finished):
        assert later.started_at >= earlier.finished_at  # one replica polls at a time
