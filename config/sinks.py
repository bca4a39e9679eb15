"""Settings of each helpdesk sink type and of the escalation outbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SinkSettings(BaseModel):
    """A helpdesk sink; the per-type fields are validated by the sink that uses them."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    type: Literal["webhook", "request_tracker", "zendesk", "email", "file"]


class EscalationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Where `helpdesk` cases go unless a rule names another sink.
    default_sink: str | None = None
