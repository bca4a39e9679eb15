"""Settings of the review queue's web app (`social-triage serve`, `run --serve`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


def _default_sla() -> dict[str, int]:
    return {"public_reply": 60, "private_dm": 60, "helpdesk": 240, "ignore": 1440}


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    #: How long a login lasts, in hours; the session row and cookie expire together.
    session_hours: float = Field(default=12, gt=0, le=24 * 30)
    #: How long an agent's claim on an item holds before others may take it, in minutes.
    claim_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: Answer-within target per route, in minutes, for the SLA badge.
    sla_minutes: dict[str, int] = Field(default_factory=_default_sla)
    #: Failed logins on one account before it is locked (1 minute, then twice as long each
    #: time, up to `lockout_minutes`).
    max_failed_logins: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: Failed logins from one client address (any names) before that address is locked;
    #: checked first, so one address cannot keep guessing by changing names.
    max_failed_logins_per_address: int = Field(default=10, ge=1, le=1000)
    #: Addresses of reverse proxies whose `X-Forwarded-For` (the client's address, for the
    #: log-in throttle) and `X-Forwarded-Proto` (https: Secure cookies, HSTS) are believed.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: Items per page of a queue view.
    page_size: int = Field(default=25, ge=5, le=200)
    #: How often an open queue page asks for new posts, in seconds.
    poll_seconds: int = Field(default=10, ge=2, le=600)
    #: The session cookie's `Secure` flag; unset (null): set when the request came over https
    #: (directly, or `X-Forwarded-Proto: https` from a trusted proxy).
    secure_cookies: bool | None = None
