"""The settings schema. Every key has a default, so an empty file is the embedded default."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.base import BrandSettings
from config.classifier import ClassifierSettings
from config.digest import AlertSettings, DigestSettings
from config.learning import LearningSettings
from config.operations import MetricsSettings, RetentionSettings
from config.sinks import EscalationSettings, SinkSettings
from config.sla import SlaSettings
from config.sources import SourceSettings
from config.suggestions import SuggestionSettings
from config.web import WebSettings
from kernel.plugins import registered
from kernel.vocab import Locale


class DatabaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: SQLAlchemy URL: `sqlite:///social-triage.db` or `postgresql+psycopg://user@host/db`.
    url: str = "sqlite:///social-triage.db"
    #: Connection password, if the URL has none (never put one in the URL in a shared file).
    password_env: str | None = None
    #: Give up opening one connection after this long (PostgreSQL's `connect_timeout`).
    connect_timeout_seconds: int = Field(default=10, gt=0)
    #: Longest one statement may run: the server cancels it (PostgreSQL's `statement_timeout`)
    #: and the client stops waiting a few seconds later, so a database that stops answering
    #: fails a job instead of hanging it; SQLite's busy timeout (waiting for a writer's lock).
    statement_timeout_seconds: int = Field(default=30, gt=0)
    #: TCP keepalives (PostgreSQL): an idle connection whose peer went away is noticed after
    #: about idle + 3 x 10 s instead of the kernel's two hours.
    keepalives_idle_seconds: int = Field(default=30, gt=0)
    #: `run` waits this long for a database that is not up yet (retrying with backoff, one log
    #: line per attempt), then exits 75 (EX_TEMPFAIL) for the service manager to restart it.
    start_wait_seconds: int = Field(default=300, ge=0)
    #: Longest one migration statement may run (PostgreSQL): 0, the default, is no limit, as
    #: rewriting a big table may take longer than `statement_timeout_seconds` allows.
    migration_timeout_seconds: int = Field(default=0, ge=0)


class LoggingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: `text` for people, `json` (one object a line) for log collectors.
    format: Literal["text", "json"] = "text"


class ReplySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Store and show agents' replies and DMs without sending them; off only on purpose.
    dry_run: bool = True


def _default_sources() -> list[SourceSettings]:
    """The embedded default: the bundled sample of posts, replayed."""
    return [registered("source")["replay"].settings(name="sample")]


def _default_sinks() -> list[SinkSettings]:
    """The embedded default: cases go to a local JSON-lines file."""
    return [registered("sink")["file"].settings(name="local")]


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    brand: BrandSettings = Field(default_factory=BrandSettings)
    sources: list[SourceSettings] = Field(default_factory=_default_sources)
    #: Helpdesk sinks; a local file sink named `local` when none are configured.
    sinks: list[SinkSettings] = Field(default_factory=_default_sinks)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    replies: ReplySettings = Field(default_factory=ReplySettings)
    suggestions: SuggestionSettings = Field(default_factory=SuggestionSettings)
    #: The review queue's web app.
    web: WebSettings = Field(default_factory=WebSettings)
    #: The first-response clock: targets per route, business hours, holidays.
    sla: SlaSettings = Field(default_factory=SlaSettings)
    #: Ordered routing rules (YAML); the shipped rules when empty.
    rules: Path | None = None
    #: Language of digests and alerts (and numbers and dates in them): `en`, `pt_BR` or `es`.
    locale: Locale = "en"
    digest: DigestSettings = Field(default_factory=DigestSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    #: The learning loop: heads refitted from people's labels (`learn`, docs/learning.md).
    learning: LearningSettings = Field(default_factory=LearningSettings)

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        for kind, names in (
            ("sources", [s.name for s in self.sources]),
            ("sinks", [s.name for s in self.sinks]),
        ):
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise ValueError(f"{kind}: the name {name!r} is used twice")
                seen.add(name)
        sink_names = {s.name for s in self.sinks}
        default_sink = self.escalation.default_sink
        if default_sink and default_sink not in sink_names:
            raise ValueError(f"escalation.default_sink: no sink is named {default_sink!r}")
        for priority, sink in self.escalation.priority_sinks.items():
            if sink not in sink_names:
                raise ValueError(f"escalation.priority_sinks.{priority}: no sink is named {sink!r}")
        return self

    def source(self, name: str) -> SourceSettings:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise KeyError(f"no source named {name!r} (configured: {known})")
