"""Settings of data retention and of the health/metrics endpoint the daemon serves."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RetentionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Empty the raw platform payload of posts (and of their earlier revisions) this many days
    #: after they were stored; the post text, author and decision stay. Never when empty.
    raw_days: int | None = Field(default=None, gt=0)
    #: Delete posts (with their decisions, cases and revisions) this many days after they were
    #: stored, keeping per-day counts by source and route for digests. Never when empty.
    posts_days: int | None = Field(default=None, gt=0)
    #: Delete quarantined items (their payloads may hold personal data) after this many days.
    quarantine_days: int | None = Field(default=30, gt=0)
    #: How often the daemon applies the retention settings.
    interval_hours: float = Field(default=24, gt=0)


class MetricsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Serve `/healthz` and `/metrics` (Prometheus text format) from `run`.
    enabled: bool = False
    #: Loopback by default: put a reverse proxy in front before exposing it.
    host: str = "127.0.0.1"
    port: int = Field(default=9464, ge=0, le=65535)
    #: `/healthz` says the outbox is stuck when a due case has waited longer than this.
    outbox_stuck_seconds: int = Field(default=900, gt=0)
