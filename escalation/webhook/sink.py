"""Webhook sink: POST the case as signed JSON to any receiver (a helpdesk, Slack, a script).

A webhook cannot be asked "do you already have this key?", so exactly-once rests on the
receiver: every attempt for a case carries the same `Idempotency-Key`, and receivers dedupe on
it (docs/escalation.md). The signature covers the timestamp so a captured request cannot be
replayed later under a fresh timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import requests

from config.secrets import resolve_secret
from escalation._http import raise_for_delivery, translated
from escalation.content import Renderer
from escalation.payload import case_payload, encode
from escalation.webhook.settings import WebhookSinkSettings
from kernel.abc import Sink
from kernel.errors import NotConfigured
from kernel.models import Case, TicketRef

USER_AGENT = "social-triage webhook"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `timestamp + "." + body`: the `X-Triage-Signature` header."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class WebhookSink(Sink):
    type = "webhook"

    def __init__(
        self,
        *,
        name: str,
        url: str,
        secret: str,
        timeout: float = 20.0,
        renderer: Renderer | None = None,
    ) -> None:
        super().__init__(name=name)
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self.renderer = renderer or Renderer()
        self._session = requests.Session()
        self._session.headers["User-Agent"] = USER_AGENT

    @classmethod
    def from_settings(
        cls, settings: WebhookSinkSettings, *, templates: Path | None = None
    ) -> WebhookSink:
        """`templates`: the escalation-wide override folder; the sink's own setting wins."""
        where = f"sinks[{settings.name}]"
        if not settings.url:
            raise NotConfigured(f"{where}.url: not configured")
        if not settings.secret_env and settings.secret_file is None:
            raise NotConfigured(f"{where}.secret_env: not configured (or give secret_file)")
        secret = resolve_secret(
            env=settings.secret_env, file=settings.secret_file, setting=f"{where}.secret"
        )
        return cls(
            name=settings.name,
            url=settings.url,
            secret=secret,
            timeout=settings.timeout_seconds,
            renderer=Renderer(settings.templates or templates),
        )

    def send(self, case: Case) -> TicketRef:
        body = encode(case_payload(case, self.renderer.render(case)))
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": case.idempotency_key,
            "X-Triage-Timestamp": timestamp,
            "X-Triage-Signature": sign(self._secret, timestamp, body),
        }
        what = f"webhook {self.name}"
        with translated(what):
            response = self._session.post(
                self.url, data=body, headers=headers, timeout=self.timeout
            )
        raise_for_delivery(response, what)
        return _ticket_from(response, case.idempotency_key)

    def describe(self) -> str:
        return f"webhook sink {self.name!r} -> {self.url}"

    def close(self) -> None:
        self._session.close()


def _ticket_from(response: requests.Response, key: str) -> TicketRef:
    """The receiver's ticket id and URL when it answers with them, else the key itself."""
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        ticket: dict[str, Any] = data["ticket"] if isinstance(data.get("ticket"), dict) else data
        ticket_id = ticket.get("ticket_id") or ticket.get("id")
        if ticket_id is not None:
            url = ticket.get("url")
            status = ticket.get("status")
            return TicketRef(
                ticket_id=str(ticket_id),
                url=url if isinstance(url, str) else None,
                status=status if isinstance(status, str) else None,
            )
    return TicketRef(ticket_id=key)
