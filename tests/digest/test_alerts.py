"""Spike detection on synthetic series, and alerts delivered to a signed webhook receiver and
a real SMTP server on loopback."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from config import load_settings
from config.base import SmtpSettings
from config.digest import AlertSettings
from tests.digest.helpers import seed
from tests.escalation.conftest import Receiver, SMTPServer
from triage.cli import cli
from triage.digest.alert_job import check_alerts
from triage.digest.alerts import Bucket, detect, robust_z
from triage.digest.notify import AlertNotifier
from triage.storage import Store
from triage.storage.alerts import AlertStore

START = datetime(2026, 11, 1, tzinfo=UTC)
H = timedelta(hours=1)
SETTINGS = AlertSettings(min_posts=10, min_negative=5, threshold=4.0, cooldown_hours=6)


def _series(counts: list[int], negatives: list[int] | None = None) -> list[Bucket]:
    negatives = negatives or [0] * len(counts)
    ids = iter(range(1, 10**7))
    out = []
    for i, (n, neg) in enumerate(zip(counts, negatives, strict=True)):
        post_ids = tuple(next(ids) for _ in range(n))
        out.append(
            Bucket(
                start=START + i * H, post_ids=post_ids, negative_ids=post_ids[:neg], classified=n
            )
        )
    return out


def _noise(hours: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    # a daily rhythm (busier afternoons) with Poisson-like noise around it
    return [
        max(0, round(8 + 6 * ((i % 24) in range(12, 20)) + rng.gauss(0, 2.5))) for i in range(hours)
    ]


def test_a_known_spike_is_found_once_at_its_hour() -> None:
    counts = _noise(24 * 10, seed=1)
    spike_at = 24 * 8 + 15
    counts[spike_at] = 70
    counts[spike_at + 1] = 45  # the crisis goes on: the cooldown keeps it one alert
    spikes = detect(_series(counts), scope="brand:Acme", settings=SETTINGS)
    assert [(s.kind, s.bucket.start) for s in spikes] == [("volume", START + spike_at * H)]
    assert spikes[0].bucket.posts == 70
    assert spikes[0].score >= 4.0


def test_noise_alone_raises_nothing() -> None:
    for noise_seed in range(5):
        counts = _noise(24 * 10, seed=noise_seed)
        negatives = [round(c * 0.3) for c in counts]
        assert detect(_series(counts, negatives), scope="brand:Acme", settings=SETTINGS) == []


def test_negative_share_spike_and_minimum_counts() -> None:
    counts = [12] * 100
    negatives = [2] * 100
    negatives[80] = 11  # same volume, almost all negative
    spikes = detect(_series(counts, negatives), scope="theme:outage", settings=SETTINGS)
    assert [(s.kind, s.bucket.start) for s in spikes] == [("negative_share", START + 80 * H)]
    assert spikes[0].driving_ids == spikes[0].bucket.negative_ids
    # a quiet brand: 0-1 posts an hour, then 4: unusual, but under min_posts
    quiet = [0, 1] * 50
    quiet[90] = 4
    assert detect(_series(quiet), scope="brand:Acme", settings=SETTINGS) == []


def test_robust_z_ignores_earlier_spikes() -> None:
    centre, z = robust_z(30, [5, 6, 5, 4, 200, 5, 6, 5], floor=1.0)
    assert centre == 5
    assert z > 10


def _spike_rows(base: datetime) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for hour in range(72):  # three quiet days: two posts an hour
        for k in range(2):
            rows.append(
                {
                    "text": f"fine {hour}-{k}",
                    "created_at": base + hour * H + k * 60 * timedelta(seconds=1),
                    "sentiment": "neutral",
                    "external_id": f"q{hour}-{k}",
                }
            )
    spike = base + 72 * H
    for k in range(25):
        rows.append(
            {
                "text": f"acme down, card 4111 1111 1111 1111, mail jane.doe@example.com #{k}",
                "created_at": spike + k * timedelta(minutes=2),
                "sentiment": "negative",
                "intents": {"outage": 0.95},
                "external_id": f"s{k}",
                "followers": k,
            }
        )
    return rows  # fmt: skip


def test_a_synthetic_spike_raises_one_alert_by_webhook_and_email(
    sqlite_store: Store,
    smtp_server: SMTPServer,
    webhook_receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = datetime(2026, 11, 20, tzinfo=UTC)
    seed(sqlite_store, _spike_rows(base))
    settings = load_settings(None, environ={})
    settings.alerts.base_url = "https://triage.example.com/"
    settings.alerts.webhook_url = webhook_receiver.url
    settings.digest.smtp = SmtpSettings(
        host=smtp_server.host, port=smtp_server.port, to=["crisis@example.com"]
    )
    monkeypatch.setenv("TRIAGE_ALERT_WEBHOOK_SECRET", webhook_receiver.secret)
    notifier = AlertNotifier.from_settings(settings)
    now = base + 73 * H + timedelta(minutes=5)
    found = check_alerts(settings, sqlite_store, now=now, notifier=notifier)
    # the brand and the outage theme spike in volume; the brand's negative share too
    assert sorted((a.kind, a.scope) for a in found) == [
        ("negative_share", "brand:Acme"),
        ("volume", "brand:Acme"),
        ("volume", "theme:outage"),
    ]
    assert {a.bucket_start for a in found} == {base + 72 * H}
    # a second run over the same hours finds nothing new and sends nothing again
    assert check_alerts(settings, sqlite_store, now=now, notifier=notifier) == []
    notifier.close()
    assert len(webhook_receiver.requests) == 3
    assert len(smtp_server.messages) == 3
    for request in webhook_receiver.requests:
        assert request["verified"]
        body = request["body"].decode()
        assert "4111 1111 1111 1111" not in body and "jane.doe@example.com" not in body
        payload = json.loads(body)
        assert payload["text"] and payload["blocks"]
        link = payload["alert"]["queue_url"]
        assert link.startswith("https://triage.example.com/queue?ids=")
        assert len(payload["blocks"]) == 2 + settings.alerts.max_posts
        assert "@user" in json.dumps(payload["blocks"])
    for msg in smtp_server.messages:
        text = msg.get_body(preferencelist=("plain",))
        assert text is not None
        content = text.get_content()
        assert "4111 1111 1111 1111" not in content and "jane.doe@example.com" not in content
        assert "https://triage.example.com/queue?ids=" in content
    stored = AlertStore(sqlite_store.engine).recent()
    assert all(a.emailed_at and a.webhook_at and not a.last_error for a in stored)
    # `social-triage alerts` lists them
    db = str(sqlite_store.engine.url)
    result = CliRunner().invoke(cli, ["alerts", "--json"], env={"TRIAGE_DATABASE__URL": db})
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert len(listed) == 3 and listed[0]["hour"] == (base + 72 * H).isoformat()


def test_alerts_cli_check_without_channels(store: Store) -> None:
    """On SQLite and PostgreSQL: stored once, listed, a re-run finds nothing new."""
    base = datetime(2026, 11, 20, tzinfo=UTC)
    seed(store, _spike_rows(base))
    db = store.engine.url.render_as_string(hide_password=False)
    env = {"TRIAGE_DATABASE__URL": db}
    result = CliRunner().invoke(cli, ["alerts"], env=env)
    assert result.exit_code == 0 and "no alerts" in result.output
    until = (base + 73 * H).isoformat()
    result = CliRunner().invoke(cli, ["alerts", "--check", "--until", until], env=env)
    assert result.exit_code == 0, result.output
    assert "3 new alert(s)" in result.output
    assert "volume brand:Acme: 25 posts" in result.output
    result = CliRunner().invoke(cli, ["alerts", "--check", "--until", until], env=env)
    assert "0 new alert(s)" in result.output
    assert len(AlertStore(store.engine).recent()) == 3
    result = CliRunner().invoke(cli, ["alerts", "--check", "--hours", "0"], env=env)
    assert result.exit_code == 2 and "--hours" in result.output
