"""Operations: next attempt times, leases given back on shutdown, config check, start errors,
relative SQLite paths."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from config import load_settings
from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from kernel.errors import DeliveryRetryable
from kernel.models import Case, TicketRef
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.outbox import deliver_due
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery

POLICY = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=3)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def config(tmp_path: Path, **settings: object) -> str:
    path = tmp_path / "cfg.yaml"
    path.write_text(json.dumps(settings), encoding="utf-8")
    return str(path)


def test_cases_show_when_a_failed_case_is_tried_next(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    add_posts(store, ["card one"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    sink = MemorySink(name="desk")
    sink.fail_next = [DeliveryRetryable("503", retry_after=120)]
    deliver_due(CaseDelivery(store.engine), {"desk": sink}, POLICY)
    cfg = config(tmp_path, database={"url": db_url})
    code, out = run("cases", "--json", "--config", cfg)
    assert code == 0, out
    [row] = json.loads(out)
    assert row["status"] == "failed" and row["next_attempt_at"]
    assert datetime.fromisoformat(row["next_attempt_at"]) > datetime.now(UTC)
    code, out = run("cases", "--config", cfg)
    assert "next attempt at " in out


class StoppingSink(MemorySink):
    """Delivers one case, then the daemon is told to stop."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__(name="desk")
        self.stop = stop

    def send(self, case: Case) -> TicketRef:
        ticket = super().send(case)
        self.stop.set()
        return ticket


def test_shutdown_gives_back_the_cases_it_claimed_but_did_not_try(store: Store) -> None:
    add_posts(store, ["card one", "card two", "card three"])
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    cases = CaseDelivery(store.engine)
    stop = threading.Event()
    report = deliver_due(cases, {"desk": StoppingSink(stop)}, POLICY, lease_seconds=300, stop=stop)
    assert report.sent == 1
    # Another worker may take the other two at once, not after the 300 s lease.
    others = cases.claim_due(limit=10, lease_seconds=300)
    assert len(others) == 2 and all(c.attempts == 1 for c in others)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "is not an http or https URL"),
        ("ftp://example.com/cases", "is not an http or https URL"),
        ("not a url", "is not an http or https URL"),
        ("https://", "has no host"),
    ],
)
def test_config_check_refuses_sink_urls_that_are_not_http(
    tmp_path: Path, url: str, message: str
) -> None:
    cfg = config(tmp_path, sinks=[{"name": "hook", "type": "webhook", "url": url}])
    code, out = run("config", "check", cfg)
    assert code == 2 and "sinks[hook].url" in out and message in out
    assert len(out.strip().splitlines()) == 1


def test_config_check_warns_on_plain_http_off_loopback_and_hides_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_WEBHOOK_SECRET", "whsec-for-the-check")  # needed since issue 19
    cfg = config(
        tmp_path,
        sinks=[
            {"name": "far", "type": "webhook", "url": "http://u:pw-123456@helpdesk.example/c"},
            {"name": "near", "type": "webhook", "url": "http://127.0.0.1:9000/c?token=t-98765"},
        ],
    )
    code, out = run("config", "check", cfg)
    assert code == 0, out
    assert "warning: sinks[far].url: plain http to helpdesk.example" in out
    assert "sinks[near]" not in out.split("config:")[0]
    assert "pw-123456" not in out and "t-98765" not in out


def test_config_check_loads_the_rules_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [{name: broken, route: nowhere}]\n", encoding="utf-8")
    code, out = run("config", "check", config(tmp_path, rules="rules.yaml"))
    assert code == 2 and "rules.yaml" in out and len(out.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://triage:pw-s3cret@127.0.0.1:1/triage"
    cfg = config(tmp_path, database={"url": url, "connect_timeout_seconds": 2})
    code, out = run("stats", "--json", "--config", cfg)
    assert code == 75  # EX_TEMPFAIL: worth trying again later, unlike a configuration error
    assert out.startswith("error: database postgresql+psycopg://triage:***@127.0.0.1:1/triage")
    assert "pw-s3cret" not in out and len(out.strip().splitlines()) == 1


def test_a_relative_sqlite_path_is_relative_to_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    cfg = config(folder, database={"url": "sqlite:///data.db"})
    assert load_settings(cfg).database.url == f"sqlite:///{folder}/data.db"
    code, out = run("migrate", "--config", cfg)
    assert code == 0, out
    assert (folder / "data.db").is_file() and not (tmp_path / "data.db").exists()


def test_a_database_locked_mid_run_is_one_line_and_exit_75(tmp_path: Path) -> None:
    """`poll-once` (cron) against a SQLite file another process holds the write lock on: one
    line naming the database and exit 75, not a traceback."""
    import sqlite3

    db = tmp_path / "t.db"
    cfg = config(tmp_path, database={"url": f"sqlite:///{db}", "statement_timeout_seconds": 1})
    code, out = run("migrate", "--config", cfg)
    assert code == 0, out
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")  # a writer that does not let go
    try:
        code, out = run("poll-once", "--config", cfg)
    finally:
        holder.rollback()
        holder.close()
    assert code == 75, out
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"error: database sqlite:///{db}: OperationalError: database is locked")
    assert "Traceback" not in out
