"""Build the configured sources. Platform modules are imported only when configured."""

from __future__ import annotations

from config.schema import BrandSettings, Settings
from config.sources import SourceSettings
from triage.abc import Source


def build_source(settings: SourceSettings, brand: BrandSettings) -> Source:
    """One source from its settings; raises `NotConfigured` for missing credentials."""
    if settings.type == "replay":
        from listener.replay import ReplaySource

        return ReplaySource.from_settings(settings, brand)
    if settings.type == "x":
        from listener.x import XSource

        return XSource.from_settings(settings, brand)
    if settings.type == "reddit":
        from listener.reddit import RedditSource

        return RedditSource.from_settings(settings, brand)
    if settings.type == "feed":
        from listener.feed import FeedSource

        return FeedSource.from_settings(settings, brand)
    raise AssertionError(f"unknown source type {settings.type!r}")  # the schema prevents it


def enabled_sources(settings: Settings, only: str | None = None) -> list[SourceSettings]:
    if only is not None:
        return [settings.source(only)]
    return [s for s in settings.sources if s.enabled]
