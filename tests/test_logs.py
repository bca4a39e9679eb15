from __future__ import annotations

import json
import logging

import pytest

from config.schema import LoggingSettings
from triage.logs import configure_logging


def test_json_logs_carry_structured_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(format="json", level="INFO"))
    try:
        logging.getLogger("triage.polling").info(
            "polled %s", "brand-x", extra={"source": "brand-x", "new": 3}
        )
        line = capsys.readouterr().err.strip().splitlines()[-1]
        entry = json.loads(line)
        assert entry["msg"] == "polled brand-x" and entry["level"] == "INFO"
        assert entry["source"] == "brand-x" and entry["new"] == 3
        assert entry["logger"] == "triage.polling" and entry["ts"].endswith("+00:00")
    finally:
        configure_logging(LoggingSettings())


def test_text_logs_are_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LoggingSettings(format="text", level="WARNING"))
    try:
        logging.getLogger("x").info("hidden")
        logging.getLogger("x").warning("shown %d", 1)
        err = capsys.readouterr().err
        assert "hidden" not in err and "WARNING x: shown 1" in err
    finally:
        configure_logging(LoggingSettings())


def test_shared_text_helpers() -> None:
    from datetime import UTC, datetime

    from kernel.util import one_line, retry_after_seconds

    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("x" * 10, limit=5) == "xxxx…"
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("93") == 93.0
    assert retry_after_seconds("1.5") == 1.5
    assert retry_after_seconds("Mon, 23 Nov 2026 12:01:00 GMT", now=now) == 60.0
    assert retry_after_seconds("Mon, 23 Nov 2026 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
