"""Every source and sink type is a plugin, found through Python entry points.

A distribution (ours, or anyone's) registers a plugin with one line of its pyproject.toml,
naming the plugin's record:

    [project.entry-points."social_triage.sources"]
    mastodon = "listener.mastodon:PLUGIN"

(group `social_triage.sinks` for a sink). The entry point's name is the `type:` value the
settings use, and must equal the record's `type`. A record names what the rest of the house
needs: the settings model (a pydantic model with `type: Literal[...]`, loaded with the record,
so keep the module light: no client library at module level), the implementation and, for a
source, its responder (both "module:Class", imported only when a configured source or sink is
built, so a platform's client library is never loaded for nothing), an author's profile URL,
and, for a sink, the mapping from its helpdesk's status words to the project's ticket states.

Everything else reads this registry: the settings unions (`config.schema`), `config check`
and the loader's one-line errors, the builders (`listener.registry`, `listener.respond`,
`escalation.registry`), the escalation content's profile links, the docs test and the contract
suites in tests/. Records are read at first use and kept; `forget()` reads them again.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import importlib.metadata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kernel.errors import ConfigError
from kernel.models import TicketState

Kind = Literal["source", "sink"]

#: The entry-point group of each kind of plugin.
GROUPS: dict[Kind, str] = {"source": "social_triage.sources", "sink": "social_triage.sinks"}


#: The record's fields that only a source has.
_SOURCE_ONLY = ("responder", "profile_url", "aliases")


@dataclass(frozen=True, kw_only=True)
class Plugin:
    kind: Kind
    #: The `type:` value in the settings (and the entry point's name).
    type: str
    #: The settings model class (a pydantic model whose `type` is `Literal[<type>]`).
    settings: builtins.type[Any]
    #: "module:Class" of the implementation (a `kernel.abc.Source` or `Sink` subclass).
    implementation: str
    #: "module:Class" of the source's `kernel.abc.Responder`; none: the platform cannot be
    #: answered from here (feeds, replay files).
    responder: str | None = None
    #: An author's profile URL, `{handle}` filled in, for helpdesk tickets (sources only).
    profile_url: str | None = None
    #: Other `Post.source` values the profile URL applies to (the type itself always does).
    aliases: tuple[str, ...] = ()
    #: The helpdesk's status words (lower case) -> the project's ticket states (sinks only);
    #: the sink class carries the same mapping (`Sink.ticket_states`).
    ticket_states: Mapping[str, TicketState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        other_kinds = ("ticket_states",) if self.kind == "source" else _SOURCE_ONLY
        wrong = [name for name in other_kinds if getattr(self, name)]
        if wrong:
            raise ConfigError(
                f"{self.kind} plugin {self.type!r}: {', '.join(wrong)} is not for a {self.kind}"
            )
        object.__setattr__(self, "ticket_states", dict(self.ticket_states))

    def load(self) -> Any:
        """The implementation class (imports its module, and so its client library)."""
        return _load(self.implementation)

    def load_responder(self) -> Any | None:
        """The responder class, or None for a platform without a reply API."""
        return _load(self.responder) if self.responder else None


def source(type: str, **fields: Any) -> Plugin:
    """A source's record: `settings`, `implementation`, and optionally `responder`,
    `profile_url`, `aliases`."""
    return Plugin(kind="source", type=type, **fields)


def sink(type: str, **fields: Any) -> Plugin:
    """A sink's record: `settings`, `implementation`, and optionally `ticket_states`."""
    return Plugin(kind="sink", type=type, **fields)


@functools.cache
def registered(kind: Kind) -> dict[str, Plugin]:
    """Every plugin of `kind` the installed distributions register, by type (sorted)."""
    found: dict[str, Plugin] = {}
    where: dict[str, str] = {}
    group = GROUPS[kind]
    for entry in importlib.metadata.entry_points(group=group):
        origin = f"entry point {entry.name!r} ({entry.value}) of group {group}"
        dist = getattr(entry, "dist", None)
        if dist is not None:
            origin += f" in {dist.metadata['Name']}"
        if entry.name in found:
            if entry.value == where[entry.name]:
                continue  # one distribution seen twice on the path (an editable install)
            raise ConfigError(f"{origin}: the {kind} type {entry.name!r} is registered twice")
        try:
            plugin = entry.load()
        except Exception as exc:
            raise ConfigError(f"{origin}: cannot load: {type(exc).__name__}: {exc}") from exc
        if not isinstance(plugin, Plugin) or plugin.kind != kind or plugin.type != entry.name:
            raise ConfigError(f"{origin}: not a {kind} plugin record of type {entry.name!r}")
        found[entry.name] = plugin
        where[entry.name] = entry.value
    return dict(sorted(found.items()))


def forget() -> None:
    """Read the entry points again at next use (after installing a plugin, in tests)."""
    registered.cache_clear()


def settings_models(kind: Kind) -> tuple[builtins.type[Any], ...]:
    return tuple(plugin.settings for plugin in registered(kind).values())


def profile_urls() -> dict[str, str]:
    """`Post.source` -> profile URL pattern, for every platform that has one."""
    urls: dict[str, str] = {}
    for plugin in registered("source").values():
        if plugin.profile_url:
            for name in (plugin.type, *plugin.aliases):
                urls[name] = plugin.profile_url
    return urls


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
