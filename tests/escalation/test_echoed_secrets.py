"""Echoed credentials in another encoding never reach a stored error, `cases` or a log line
(issue 19, defect 5): a helpdesk answering 401 with the Basic value base64-encoded (without
"Basic "), or a webhook receiver echoing its URL's user:password, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from config.loader import load_settings
from config.schema import LoggingSettings
from escalation.registry import build_sink
from escalation.retry import RetryPolicy
from kernel import scrub
from kernel.models import Author, Post
from tests.httpserver import FakeAPI, Response
from tests.test_classify_job import KeywordClassifier
from triage.classify_job import classify_pending
from triage.cli import cli
from triage.logs import configure_logging
from triage.outbox import deliver_due
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery
from triage.storage.tables import cases

EMAIL = "bot@acme.example"
TOKEN = "zd-live-token-5f4e3d2c1b"
HOOK_USER = "hook"
HOOK_PASSWORD = "Sink$Pa55/w0rd:42"
BASIC = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
HOOK_BASIC = base64.b64encode(f"{HOOK_USER}:{HOOK_PASSWORD}".encode()).decode()
ECHOES = (
    TOKEN,
    BASIC,
    BASIC.rstrip("="),
    HOOK_PASSWORD,
    quote(HOOK_PASSWORD, safe=""),
    HOOK_BASIC,
    base64.b64encode(TOKEN.encode()).decode(),
)


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    scrub.clear_secrets()


def test_echoed_basic_credentials_are_scrubbed_everywhere(
    store: Store,
    db_url: str,
    tmp_path: Path,
    fake_api: FakeAPI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root_logging: None,
) -> None:
    monkeypatch.setenv("TRIAGE_ZENDESK_TOKEN", TOKEN)
    monkeypatch.setenv("TRIAGE_WEBHOOK_SECRET", "whsec-signing-0a9b8c7d")
    # A 401 whose body echoes the Authorization value without "Basic ", in several encodings.
    zendesk_echo = {"error": "Couldn't authenticate you", "auth": BASIC.rstrip("="), "t": TOKEN}
    fake_api.add("GET", "/api/v2/tickets.json", Response(401, zendesk_echo), sticky=True)
    fake_api.add("POST", "/api/v2/tickets.json", Response(401, zendesk_echo), sticky=True)
    hook_echo = f"401 bad credentials {HOOK_BASIC} for {quote(HOOK_PASSWORD, safe='')}"
    fake_api.add("POST", "/hook", Response(401, hook_echo), sticky=True)
    host = fake_api.url.split("://", 1)[1]
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        json.dumps(
            {
                "database": {"url": db_url},
                "sinks": [
                    {"name": "zd", "type": "zendesk", "base_url": fake_api.url, "email": EMAIL},
                    {
                        "name": "hook",
                        "type": "webhook",
                        "url": f"http://{HOOK_USER}:{quote(HOOK_PASSWORD, safe='')}@{host}/hook",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    settings = load_settings(str(cfg))
    scrub.register_from_settings(settings)
    configure_logging(LoggingSettings())
    now = datetime.now(UTC)
    for i, sink in enumerate(("zd", "hook")):
        post = Post(source="x", external_id=str(i), text="my card", created_at=now,
                    author=Author(handle="a"))  # fmt: skip
        store.save_page("s", "replay", [post], None)
        classify_pending(store, KeywordClassifier(), default_sink=sink)
    sinks = {s.name: build_sink(s) for s in settings.sinks}
    policy = RetryPolicy(base_seconds=1, max_seconds=2, max_attempts=1)
    report = deliver_due(CaseDelivery(store.engine), sinks, policy)
    assert report.sent == 0
    logs = capsys.readouterr().err
    assert logs.count("ALERT case") == 2 and "401" in logs  # the scenario happened

    with store.engine.connect() as conn:
        errors = [e for e in conn.execute(select(cases.c.last_error)).scalars()]
    assert len(errors) == 2 and all("401" in e for e in errors)
    listing = CliRunner().invoke(cli, ["cases", "--config", str(cfg)]).output
    assert "401" in listing
    for where, text in (("logs", logs), ("cases.last_error", "\n".join(errors)),
                        ("cases", listing)):  # fmt: skip
        for echo in ECHOES:
            assert echo not in text, f"{echo!r} in {where}"


def test_encoded_forms_of_configured_secrets_and_pairs_are_scrubbed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_logging: None
) -> None:
    monkeypatch.setenv("TRIAGE_RT_PASSWORD", "rt-Pass/word+9")
    settings = load_settings(None)
    settings = settings.model_validate(
        {
            "sinks": [
                {"name": "rt", "type": "request_tracker", "url": "https://rt.example",
                 "user": "triage"},
            ]
        }
    )  # fmt: skip
    scrub.register_from_settings(settings)
    pair = base64.b64encode(b"triage:rt-Pass/word+9").decode()
    for echo in (
        pair,
        pair.rstrip("="),
        base64.urlsafe_b64encode(b"rt-Pass/word+9").decode(),
        quote("rt-Pass/word+9", safe=""),
        "rt-Pass%2Fword%2B9",
        "triage:rt-Pass/word+9",
    ):
        assert scrub.scrub(f"echo {echo} end", sensitive=False) == "echo [redacted] end", echo
    # An unconfigured Basic credential is recognised by its shape, ordinary words are kept.
    other = base64.b64encode(b"someone@else.example:hunter2hunter2").decode()
    assert scrub.scrub(f"auth={other}x {other}", sensitive=False).endswith(" [redacted]")
    kept = "internationalization ACME-2026-118843 /api/v2/tickets.json"
    assert scrub.scrub(kept, sensitive=False) == kept
