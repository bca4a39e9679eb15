"""Build the configured sources from the registered plugins (kernel/plugins.py).

Platform modules are imported only when a configured source needs them.
"""

from __future__ import annotations

from config.base import BrandSettings
from config.schema import Settings
from config.sources import SourceSettings
from kernel.abc import Source
from kernel.plugins import registered


def build_source(settings: SourceSettings, brand: BrandSettings) -> Source:
    """One source from its settings; raises `NotConfigured` for missing credentials."""
    plugin = registered("source").get(settings.type)
    if plugin is None:  # the settings union is built from the same registry
        raise AssertionError(f"unknown source type {settings.type!r}")
    source: Source = plugin.load().from_settings(settings, brand)
    return source


def enabled_sources(settings: Settings, only: str | None = None) -> list[SourceSettings]:
    if only is not None:
        return [settings.source(only)]
    return [s for s in settings.sources if s.enabled]
