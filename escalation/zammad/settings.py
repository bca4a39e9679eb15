"""Settings of the Zammad sink.

Secrets are named, never written: by environment variable (`*_env`) or file (`*_file`); the
file wins when both are given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from config.base import PriorityMap, _Sink


def default_priorities() -> dict[str, str]:
    """The project's priorities as Zammad's three shipped ones (`urgent` has none of its own)."""
    return {"low": "1 low", "normal": "2 normal", "high": "3 high", "urgent": "3 high"}


class ZammadSinkSettings(_Sink):
    type: Literal["zammad"] = "zammad"
    #: Zammad's base URL, e.g. https://zammad.example.com (the API is under /api/v1).
    url: str = Field(pattern=r"^https?://\S+$")
    #: An access token of an agent (permission `ticket.agent`) with `create` in `group`.
    token_env: str | None = "TRIAGE_ZAMMAD_TOKEN"
    token_file: Path | None = None
    #: The group (by name) every ticket is created in.
    group: str
    #: The e-mail address of the customer tickets are filed under (created if unknown); the
    #: post's author is named in the article.
    customer: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    tags: list[str] = Field(default_factory=lambda: ["social-triage"])
    #: The article is an internal note (agents only) unless this is false.
    internal: bool = True
    priorities: PriorityMap[str] = Field(default_factory=default_priorities)
