"""The one registry of source and sink types: each is one module plus one line here.

A line names the `type` value the settings use, the settings model (a pydantic model with
`type: Literal[...]`), the implementation (a `kernel.abc.Source` or `Sink` subclass with a
`from_settings` classmethod) and, for a platform, the URL of an author's profile. Everything
else reads this registry: the settings unions (`config.sources.SourceSettings`,
`config.sinks.SinkSettings`), `config check`, the error messages of the loader, the daemon's and
outbox's builders, the escalation content's profile links, the docs test and the contract
suites in tests/. Implementations are imported only when a configured source or sink needs
them, so a platform's client library is never loaded for nothing; settings models are imported
when the settings are (keep them light: no client library at module level).

Adding Mastodon (see docs/architecture.md for the worked example) is `listener/mastodon.py`
(settings model + source) and one `source(...)` line below.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["source", "sink"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Plugin:
    kind: Kind
    #: The `type:` value in the settings.
    type: str
    #: "module:Class" of the settings model.
    settings: str
    #: "module:Class" of the implementation.
    implementation: str
    #: An author's profile URL, `{handle}` filled in, for helpdesk tickets (sources only).
    profile_url: str | None = None
    #: Other `Post.source` values the profile URL applies to (the type itself always does).
    aliases: tuple[str, ...] = ()

    def settings_model(self) -> Any:
        """The settings model class."""
        return _load(self.settings)

    def load(self) -> Any:
        """The implementation class (imports its module, and so its client library)."""
        return _load(self.implementation)


def source(type: str, settings: str, implementation: str, **extra: Any) -> Plugin:
    return Plugin(
        kind="source", type=type, settings=settings, implementation=implementation, **extra
    )


def sink(type: str, settings: str, implementation: str) -> Plugin:
    return Plugin(kind="sink", type=type, settings=settings, implementation=implementation)


# --- the registry: one line per source or sink type ------------------------------------------

PLUGINS: tuple[Plugin, ...] = (
    source("replay", "config.sources:ReplaySourceSettings", "listener.replay:ReplaySource"),
    source(
        "x",
        "config.sources:XSourceSettings",
        "listener.x.source:XSource",
        profile_url="https://x.com/{handle}",
        aliases=("twitter",),
    ),
    source(
        "reddit",
        "config.sources:RedditSourceSettings",
        "listener.reddit.source:RedditSource",
        profile_url="https://www.reddit.com/user/{handle}",
    ),
    source("feed", "config.sources:FeedSourceSettings", "listener.feed.source:FeedSource"),
    sink("webhook", "config.sinks:WebhookSinkSettings", "escalation.webhook.sink:WebhookSink"),
    sink(
        "request_tracker",
        "config.sinks:RequestTrackerSinkSettings",
        "escalation.request_tracker.sink:RequestTrackerSink",
    ),
    sink("zendesk", "config.sinks:ZendeskSinkSettings", "escalation.zendesk.sink:ZendeskSink"),
    sink("email", "config.sinks:EmailSinkSettings", "escalation.email:EmailSink"),
    sink("file", "config.sinks:FileSinkSettings", "escalation.file:FileSink"),
)

# ----------------------------------------------------------------------------------------------

SOURCES: dict[str, Plugin] = {p.type: p for p in PLUGINS if p.kind == "source"}
SINKS: dict[str, Plugin] = {p.type: p for p in PLUGINS if p.kind == "sink"}


def registered(kind: Kind) -> dict[str, Plugin]:
    return SOURCES if kind == "source" else SINKS


def settings_models(kind: Kind) -> tuple[type[Any], ...]:
    return tuple(plugin.settings_model() for plugin in registered(kind).values())


def profile_urls() -> dict[str, str]:
    """`Post.source` -> profile URL pattern, for every platform that has one."""
    urls: dict[str, str] = {}
    for plugin in SOURCES.values():
        if plugin.profile_url:
            for name in (plugin.type, *plugin.aliases):
                urls[name] = plugin.profile_url
    return urls


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
