"""The scrubber: configured secrets, URL credentials and personal data out of logs and errors."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from config import Settings
from kernel import scrub as scrubber
from triage.logs import JSONFormatter, TextFormatter
from triage.storage import make_engine


@pytest.fixture(autouse=True)
def _clean() -> None:
    scrubber.clear_secrets()


def test_secrets_named_by_env_and_file_settings_are_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "rt.secret"
    secret_file.write_text("rt-file-secret-123\n", encoding="utf-8")
    monkeypatch.setenv("TRIAGE_WEBHOOK_SECRET", "env-secret-456")
    settings = Settings.model_validate(
        {
            "database": {"url": "postgresql+psycopg://app:db-pass-789@127.0.0.1/test"},
            "sinks": [
                {"name": "hook", "type": "webhook", "url": "https://h.example/c?api_key=k-000111"},
                {
                    "name": "rt",
                    "type": "request_tracker",
                    "url": "https://rt.example",
                    "user": "triage",
                    "password_file": str(secret_file),
                },
            ],
        }
    )
    scrubber.register_from_settings(settings)
    line = "rt-file-secret-123 env-secret-456 db-pass-789 k-000111 fine"
    assert (
        scrubber.scrub(line, sensitive=False) == "[redacted] [redacted] [redacted] [redacted] fine"
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("http://user:pw@host/x", "http://***@host/x"),
        ("https://h/x?access_token=abc&page=2", "https://h/x?access_token=***&page=2"),
        ("GET /a?sig=zz&signature=yy&key=k", "GET /a?sig=***&signature=***&key=***"),
        ("Authorization: Bearer abcdefghijk123", "Authorization: Bearer ***"),
        ("password=hunter2 and secret=s3", "password=*** and secret=***"),
    ],
)
def test_url_credentials_and_token_parameters_are_removed(raw: str, clean: str) -> None:
    assert scrubber.scrub(raw, sensitive=False) == clean


def test_log_records_are_scrubbed_in_text_and_json_with_tracebacks() -> None:
    scrubber.register_secrets(["tok-123456"])
    for formatter in (TextFormatter(), JSONFormatter()):
        out = io.StringIO()
        handler = logging.StreamHandler(out)
        handler.setFormatter(formatter)
        handler.addFilter(scrubber.ScrubFilter())
        log = logging.getLogger(f"test.scrub.{type(formatter).__name__}")
        log.addHandler(handler)
        log.propagate = False
        try:
            raise ValueError("token tok-123456 card 4111 1111 1111 1111")
        except ValueError:
            log.exception(
                "failed with %s for jane.doe@example.com", "tok-123456", extra={"u": "tok-123456"}
            )
        written = out.getvalue()
        assert "tok-123456" not in written and "4111 1111 1111 1111" not in written
        assert "jane.doe@example.com" not in written and "**** **** **** 1111" in written


def test_database_errors_are_one_line_without_parameters(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v TEXT CHECK (length(v) < 5))"))
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": "secret-value"})
    assert "secret-value" not in str(caught.value)  # hide_parameters on the engine
    line = scrubber.db_error_line(caught.value)
    assert "\n" not in line and line.startswith("IntegrityError") and "secret-value" not in line
    engine.dispose()
