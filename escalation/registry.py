"""Sink types by their config `type`: the one place that knows every sink module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.sinks import SinkSettings
from escalation.email import EmailSink
from escalation.file import FileSink
from escalation.request_tracker import RequestTrackerSink
from escalation.webhook import WebhookSink
from escalation.zendesk import ZendeskSink
from triage.abc import Sink
from triage.errors import ConfigError

SINK_TYPES: dict[str, Any] = {
    cls.type: cls for cls in (WebhookSink, RequestTrackerSink, ZendeskSink, EmailSink, FileSink)
}


def build_sink(settings: SinkSettings, *, templates: Path | None = None) -> Sink:
    """The sink `settings` describe; raises `NotConfigured` naming a missing setting or secret.

    `templates` is `escalation.templates`, the override folder for every sink; a sink's own
    `templates` setting wins over it.
    """
    cls = SINK_TYPES.get(settings.type)
    if cls is None:
        raise ConfigError(f"sinks[{settings.name}].type: unknown sink type {settings.type!r}")
    sink: Sink = cls.from_settings(settings, templates=templates)
    return sink
