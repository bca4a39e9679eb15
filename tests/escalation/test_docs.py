"""docs/escalation.md stays honest: every registered sink's settings are documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from config.sinks import EscalationSettings
from kernel.plugins import registered

DOC = Path(__file__).resolve().parents[2] / "docs" / "escalation.md"


@pytest.mark.parametrize(
    "model", [plugin.settings for _, plugin in sorted(registered("sink").items())]
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
