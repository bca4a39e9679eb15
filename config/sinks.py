"""The settings of every registered sink type, told apart by `type`, and of the escalation
outbox.

Each sink type's settings model lives beside its code (`escalation/zendesk/settings.py`, ...)
and is registered through an entry point (`kernel.plugins`); the union is built from what is
registered.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field

from config.base import _Sink
from kernel.plugins import settings_models
from kernel.vocab import Priority

if TYPE_CHECKING:
    SinkSettings: TypeAlias = _Sink
else:
    SinkSettings = Annotated[
        Union[settings_models("sink")],  # noqa: UP007 - built from the registry
        Field(discriminator="type"),
    ]


class EscalationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Where `helpdesk` cases go unless a rule names another sink.
    default_sink: str | None = None
    #: A sink per decision priority (`urgent: rt-urgent`), used when the rule names none.
    priority_sinks: dict[Priority, str] = Field(default_factory=dict)
    #: A `helpdesk` case whose decision needs review is created `held` and waits for a human
    #: (`cases release ID`); false creates it `pending`, for teams whose helpdesk triages.
    hold_for_review: bool = True
    #: A folder of templates overriding the shipped ones for every sink (see `_Sink.templates`).
    templates: Path | None = None
    #: Deliver cases and sync ticket status in this process (off on poll-only replicas).
    enabled: bool = True
    #: How often the outbox worker looks for due cases (it is also woken by new cases).
    interval_seconds: int = Field(default=15, gt=0)
    #: How often open tickets' status is read back from the helpdesk.
    sync_interval_seconds: int = Field(default=300, gt=0)
    #: Retry backoff: doubles from `backoff_base_seconds` up to `backoff_max_seconds`, with
    #: jitter; a helpdesk's Retry-After wins when longer.
    backoff_base_seconds: float = Field(default=30.0, gt=0)
    backoff_max_seconds: float = Field(default=3600.0, gt=0)
    #: A case still failing after this many attempts is `dead` (and alerted).
    max_attempts: int = Field(default=25, gt=0)
    #: How long a claimed case stays a worker's without a heartbeat: the worker renews it
    #: every third of this while it holds the case (however slow the helpdesk), so a case in
    #: flight during a crash is tried again by another worker about this long after.
    lease_seconds: float = Field(default=30.0, ge=3)
    #: Cases one worker claims at a time.
    batch_size: int = Field(default=5, gt=0)
    #: Delivery workers per process: cases to a slow helpdesk are sent side by side.
    workers: int = Field(default=4, gt=0, le=64)
    #: A sink whose helpdesk failed this many deliveries in a row (connection refused, 5xx,
    #: timeouts) is left alone for a cool-down (its breaker is open): no case is tried, none
    #: loses an attempt; then one case probes it, and a success closes the breaker.
    breaker_failures: int = Field(default=5, gt=0)
    #: The first cool-down; each failed probe doubles it, up to `breaker_max_cooldown_seconds`.
    breaker_cooldown_seconds: float = Field(default=30.0, gt=0)
    breaker_max_cooldown_seconds: float = Field(default=600.0, gt=0)
