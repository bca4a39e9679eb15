"""Digest schedules and the alert check become the daemon's cron jobs; bad settings are one
line naming the field; the CLI writes a digest from the embedded default's kind of data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from click.testing import CliRunner

from config import load_settings
from config.digest import cron_trigger
from kernel.errors import ConfigError
from tests.digest.helpers import at, seed
from triage.cli import cli
from triage.digest.schedule import add_jobs
from triage.storage import Store


def test_default_schedules_are_daily_weekly_and_hourly_alerts(sqlite_store: Store) -> None:
    settings = load_settings(None, environ={})
    scheduler = BackgroundScheduler(timezone=UTC)
    lines = add_jobs(scheduler, settings, sqlite_store)
    assert len(lines) == 3 and "-> files in" in lines[0] and lines[0].endswith("digests")
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"digest:daily", "digest:weekly", "alerts"}
    now = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)  # a Monday
    fire = {k: j.trigger.get_next_fire_time(None, now) for k, j in jobs.items()}
    assert fire["digest:daily"] == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert fire["digest:weekly"] == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert fire["alerts"] == datetime(2026, 11, 30, 6, 5, tzinfo=UTC)


def test_schedule_per_brand_in_its_time_zone(sqlite_store: Store, tmp_path: Path) -> None:
    config = tmp_path / "social-triage.yaml"
    config.write_text(
        "digest:\n  timezone: America/Sao_Paulo\n  schedules:\n"
        "    - {name: acme-br, cron: '30 8 * * 1-5', period: 1d, brand: acme}\n"
        "alerts: {enabled: false}\n",
        encoding="utf-8",
    )
    settings = load_settings(str(config), environ={})
    scheduler = BackgroundScheduler(timezone=UTC)
    add_jobs(scheduler, settings, sqlite_store)
    (job,) = scheduler.get_jobs()
    now = datetime(2026, 11, 30, 5, 30, tzinfo=UTC)
    # weekdays as in cron (1-5 = Monday to Friday), 08:30 in Sao Paulo = 11:30 UTC
    assert job.trigger.get_next_fire_time(None, now) == datetime(2026, 11, 30, 11, 30, tzinfo=UTC)
    saturday = datetime(2026, 12, 5, 5, 30, tzinfo=UTC)
    assert job.trigger.get_next_fire_time(None, saturday) == datetime(
        2026, 12, 7, 11, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("weekday", "fires_on"),
    [("0", "Sun"), ("7", "Sun"), ("1", "Mon"), ("5", "Fri"), ("6", "Sat"), ("sun", "Sun")],
)
def test_cron_weekdays_mean_what_cron_means(weekday: str, fires_on: str) -> None:
    trigger = cron_trigger(f"0 7 * * {weekday}")
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert fire is not None and fire.strftime("%a") == fires_on


@pytest.mark.parametrize(
    ("yaml", "field"),
    [
        ("digest: {schedules: [{name: d, cron: '61 * * * *'}]}", "digest.schedules.0.cron"),
        ("digest: {schedules: [{name: d, cron: '0 7 * * *', period: 7x}]}", "period"),
        ("digest: {timezone: Mars/Olympus}", "digest.timezone"),
        ("alerts: {cron: nope}", "alerts.cron"),
        ("locale: fr", "locale"),
    ],
)
def test_bad_settings_name_the_field(tmp_path: Path, yaml: str, field: str) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(yaml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        load_settings(str(config), environ={})


def test_digest_command_writes_html_and_csv(sqlite_store: Store, tmp_path: Path) -> None:
    seed(sqlite_store, [
        {"text": "outage again", "created_at": at(16, 9), "sentiment": "negative"},
        {"text": "thanks!", "created_at": at(18, 10), "sentiment": "positive"},
    ])  # fmt: skip
    env = {"TRIAGE_DATABASE__URL": str(sqlite_store.engine.url)}
    out, csv = tmp_path / "d.html", tmp_path / "d.csv"
    result = CliRunner().invoke(
        cli,
        ["digest", "--period", "7d", "--out", str(out), "--csv", str(csv), "--no-themes"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    # no post in the last 7 days: the period ends after the newest post (2026-11-18)
    assert "Nov 12, 2026 \u2013 Nov 18, 2026" in result.output
    assert "Posts: 2" in result.output
    assert out.read_text(encoding="utf-8").count("data:image/png;base64,") >= 2
    assert "posts,total,current,2" in csv.read_text(encoding="utf-8").splitlines()
    for args, message in (
        (["digest", "--period", "7x"], "--period"),
        (["digest", "--until", "yesterday"], "--until"),
        (["digest", "--send", "--no-themes"], "digest.smtp is not configured"),
    ):
        result = CliRunner().invoke(cli, args, env=env)
        assert result.exit_code == 2 and message in result.output, result.output
