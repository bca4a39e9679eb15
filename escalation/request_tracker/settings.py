"""Settings of the Request Tracker sink.

Secrets are named, never written: by environment variable (`*_env`) or file (`*_file`); the
file wins when both are given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import PriorityMap, _Sink

#: `Decision.priority` (`kernel.vocab.PRIORITIES`) -> RT's numeric priority.
DEFAULT_PRIORITIES: dict[str, int] = {"low": 20, "normal": 50, "high": 70, "urgent": 90}


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
    priorities: PriorityMap[int] = Field(default_factory=lambda: dict(DEFAULT_PRIORITIES))
    #: Extra custom fields set on every ticket (name -> value).
    custom_fields: dict[str, str] = Field(default_factory=dict)
