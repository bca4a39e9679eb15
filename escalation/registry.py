"""Build a configured sink from the registered plugins (kernel/plugins.py)."""

from __future__ import annotations

from pathlib import Path

from config.sinks import SinkSettings
from kernel.abc import Sink
from kernel.errors import ConfigError
from kernel.plugins import registered


def build_sink(settings: SinkSettings, *, templates: Path | None = None) -> Sink:
    """The sink `settings` describe; raises `NotConfigured` naming a missing setting or secret.

    `templates` is `escalation.templates`, the override folder for every sink; a sink's own
    `templates` setting wins over it.
    """
    plugin = registered("sink").get(settings.type)
    if plugin is None:
        raise ConfigError(f"sinks[{settings.name}].type: unknown sink type {settings.type!r}")
    sink: Sink = plugin.load().from_settings(settings, templates=templates)
    return sink
