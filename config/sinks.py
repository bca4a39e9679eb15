"""Settings of each helpdesk sink type and of the escalation outbox.

Secrets are named, never written: by environment variable (`*_env`) or file (`*_file`); the
file wins when both are given. `type` selects the sink module in `escalation/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field

#: Zendesk's four ticket priorities; `Decision.priority` values are mapped onto them.
ZendeskPriority = Literal["low", "normal", "high", "urgent"]


def _zendesk_priorities() -> dict[str, ZendeskPriority]:
    return {"low": "low", "normal": "normal", "high": "high", "urgent": "urgent"}


class _Sink(BaseModel):
    """What every sink's settings have; a sink type adds its own (see triage/plugins.py)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)
    #: A folder whose `subject.txt.j2`, `body.txt.j2`, `first_response.txt.j2` replace the
    #: shipped templates (any one of them; the others stay shipped). Wins over
    #: `escalation.templates`.
    templates: Path | None = None
    timeout_seconds: float = Field(default=20.0, gt=0)


class WebhookSinkSettings(_Sink):
    type: Literal["webhook"] = "webhook"
    url: str
    #: The HMAC-SHA256 signing secret; receivers verify `X-Triage-Signature` with it.
    secret_env: str | None = "TRIAGE_WEBHOOK_SECRET"
    secret_file: Path | None = None


class RequestTrackerSinkSettings(_Sink):
    type: Literal["request_tracker"] = "request_tracker"
    #: RT's web base URL including its WebPath, e.g. `https://rt.example.com` or `.../rt`.
    url: str
    queue: str = "General"
    user: str
    password_env: str | None = "TRIAGE_RT_PASSWORD"
    password_file: Path | None = None
    #: A ticket custom field (FreeformSingle, applied to `queue`) that holds the idempotency key.
    custom_field: str = "External ID"
    #: A fixed requestor address; by default `handle@source` of the post's author.
    requestor: str | None = None
    #: `Decision.priority` -> RT's numeric priority; unknown priorities use `normal`.
    priorities: dict[str, int] = Field(
        default_factory=lambda: {"low": 20, "normal": 50, "high": 70, "urgent": 90}
    )
    #: Extra custom fields set on every ticket (name -> value).
    custom_fields: dict[str, str] = Field(default_factory=dict)


class ZendeskSinkSettings(_Sink):
    type: Literal["zendesk"] = "zendesk"
    #: `acme` for https://acme.zendesk.com; or give `base_url` (a proxy, or tests).
    subdomain: str | None = None
    base_url: str | None = None
    #: The agent the API token belongs to; authenticates as `email/token`.
    email: str
    token_env: str | None = "TRIAGE_ZENDESK_TOKEN"
    token_file: Path | None = None
    group_id: int | None = None
    tags: list[str] = Field(default_factory=lambda: ["social-triage"])
    #: Ticket field id -> value, set on every ticket.
    custom_fields: dict[int, str | int | bool] = Field(default_factory=dict)
    #: A fixed requester e-mail; by default the requester is the author's handle (name only).
    requester_email: str | None = None
    priorities: dict[str, ZendeskPriority] = Field(default_factory=_zendesk_priorities)


class EmailSinkSettings(_Sink):
    type: Literal["email"] = "email"
    host: str
    port: int = Field(default=25, gt=0, lt=65536)
    starttls: bool = False
    #: Log in only when a user name is given; the password then comes from `password_*`.
    username: str | None = None
    password_env: str | None = "TRIAGE_SMTP_PASSWORD"
    password_file: Path | None = None
    from_address: str = Field(alias="from")
    to: list[str] = Field(min_length=1)


class FileSinkSettings(_Sink):
    type: Literal["file"] = "file"
    #: JSON lines, one case each; a relative path is relative to the config file.
    path: Path = Path("escalated-cases.jsonl")


from kernel.plugins import settings_models  # noqa: E402 - the models above are registered

if TYPE_CHECKING:
    SinkSettings: TypeAlias = _Sink
else:  # every registered sink type's settings (triage/plugins.py), told apart by `type`
    SinkSettings = Annotated[
        Union[settings_models("sink")],  # noqa: UP007 - built from the registry
        Field(discriminator="type"),
    ]


class EscalationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Where `helpdesk` cases go unless a rule names another sink.
    default_sink: str | None = None
    #: A sink per decision priority (`urgent: rt-urgent`), used when the rule names none.
    priority_sinks: dict[Literal["low", "normal", "high", "urgent"], str] = Field(
        default_factory=dict
    )
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
    #: How long a worker holds a claimed case before another may retry it.
    lease_seconds: float = Field(default=300.0, gt=0)
    batch_size: int = Field(default=20, gt=0)
