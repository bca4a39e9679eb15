"""`/healthz` and `/metrics` from the real daemon (`run` as a subprocess) and in-process."""

from __future__ import annotations

import json
import signal
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from config.operations import MetricsSettings
from tests.test_classify_job import KeywordClassifier, add_posts
from tests.test_daemon import cli, wait_for, write_posts
from triage.classify_job import classify_pending
from triage.metrics import Metrics, MetricsServer
from triage.storage import Store
from triage.storage.tables import cases


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")
    except OSError:
        return 0, ""


def test_run_serves_healthz_and_metrics(tmp_path: Path, db_url: str) -> None:
    replay = tmp_path / "posts.jsonl"
    write_posts(replay, 250)
    port = free_port()
    cfg = tmp_path / "cfg.yaml"
    settings = {
        "database": {"url": db_url},
        "sources": [{"name": "big", "type": "replay", "path": str(replay)}],
        "classifier": {"enabled": False},
        "escalation": {"enabled": False},
        "metrics": {"enabled": True, "port": port},
    }
    cfg.write_text(json.dumps(settings), encoding="utf-8")
    proc = cli("run", "--config", str(cfg), cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: 'triage_posts_fetched_total{source="big"} 250.0' in get(f"{base}/metrics")[1]
        )
        status, text = get(f"{base}/metrics")
        assert status == 200
        assert "triage_queue_depth 250.0" in text
        assert 'triage_outbox_cases{status="dead"} 0.0' in text
        assert "triage_classify_pass_seconds_bucket" in text
        assert "triage_delivery_latency_seconds_bucket" in text
        assert 'triage_polls_total{source="big",status="ok"}' in text
        status, body = get(f"{base}/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert get(f"{base}/other")[0] == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]


def test_healthz_fails_on_an_unhealthy_source_or_a_stuck_outbox(store: Store) -> None:
    add_posts(store, ["card one"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    metrics = Metrics(store, MetricsSettings(outbox_stuck_seconds=60))
    server = MetricsServer(metrics, "127.0.0.1", 0).start()
    try:
        status, body = get(f"{server.url}/healthz")
        assert status == 200, body
        with store.engine.begin() as conn:
            conn.execute(
                update(cases).values(next_attempt_at=datetime.now(UTC) - timedelta(minutes=5))
            )
        status, body = get(f"{server.url}/healthz")
        assert status == 503 and json.loads(body)["outbox"]["stuck"] is True
        with store.engine.begin() as conn:
            conn.execute(update(cases).values(next_attempt_at=datetime.now(UTC)))
        store.set_health("x", "x", healthy=False, message="401")
        status, body = get(f"{server.url}/healthz")
        assert status == 503 and json.loads(body)["sources"] == {"x": "unhealthy"}
    finally:
        server.stop()
