"""docs/escalation.md stays honest: every sink setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from config.sinks import EscalationSettings
from escalation.email import EmailSinkSettings
from escalation.file import FileSinkSettings
from escalation.request_tracker.settings import RequestTrackerSinkSettings
from escalation.webhook.settings import WebhookSinkSettings
from escalation.zendesk.settings import ZendeskSinkSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "escalation.md"


@pytest.mark.parametrize(
    "model",
    [
        WebhookSinkSettings,
        RequestTrackerSinkSettings,
        ZendeskSinkSettings,
        EmailSinkSettings,
        FileSinkSettings,
    ],
)
def test_every_setting_is_documented(model: type[BaseModel]) -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, field in model.model_fields.items():
        key = field.alias or name
        assert f"{key}:" in text or f"`{key}`" in text, f"{model.__name__}.{key} is undocumented"


def test_escalation_settings_used_by_sinks_are_documented() -> None:
    """The outbox's own settings are documented with the outbox; these two belong here."""
    text = DOC.read_text(encoding="utf-8")
    for key in ("default_sink", "templates"):
        assert key in EscalationSettings.model_fields
        assert f"`{key}`" in text or f"{key}:" in text
