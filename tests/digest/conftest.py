"""The loopback SMTP server and signed-webhook receiver of the escalation tests, reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.escalation.conftest import smtp_server, webhook_receiver

__all__ = ["artefacts", "smtp_server", "webhook_receiver"]

#: Charts and digests the tests make are kept here for a person to look at (gitignored).
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "digest"


@pytest.fixture
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
