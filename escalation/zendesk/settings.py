"""Settings of the Zendesk sink.

Secrets are named, never written: by environment variable (`*_env`) or file (`*_file`); the
file wins when both are given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import PriorityMap, _Sink
from kernel.vocab import PRIORITIES

#: Zendesk's four ticket priorities; `Decision.priority` values are mapped onto them.
ZendeskPriority = Literal["low", "normal", "high", "urgent"]


def default_priorities() -> dict[str, ZendeskPriority]:
    """Zendesk's four priorities have the project's names (`kernel.vocab.PRIORITIES`)."""
    return {p: p for p in PRIORITIES}


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
    priorities: PriorityMap[ZendeskPriority] = Field(default_factory=default_priorities)
