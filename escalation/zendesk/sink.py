"""Zendesk sink over the Tickets API, with plain HTTP (requests) and API-token auth.

The key goes into the ticket's `external_id` and the `Idempotency-Key` header. `send` lists
tickets by `external_id` before creating (the list endpoint is exact and immediate, unlike the
search index, which lags by minutes), and Zendesk itself replays the first answer for a
repeated `Idempotency-Key` within its window. 429 answers are plain text with `Retry-After`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import requests

from escalation._http import one_line, raise_for_delivery, translated
from escalation.content import Renderer, sensitive_kinds
from escalation.helpdesk import once, required_secret
from escalation.zendesk import PLUGIN
from escalation.zendesk.settings import ZendeskSinkSettings, default_priorities
from kernel.abc import Sink
from kernel.errors import DeliveryRetryable, NotConfigured
from kernel.models import Case, TicketRef

log = logging.getLogger(__name__)

_NOT_TAG_CHARS = re.compile(r"[^a-z0-9_/-]+")


def tag(value: str) -> str:
    """Zendesk tags are lower case without spaces (a space splits a tag in two)."""
    return _NOT_TAG_CHARS.sub("_", value.lower()).strip("_")


def field_errors(data: Any) -> str:
    """A 422 `RecordInvalid` body as one line: `description; field: message; ...`."""
    if not isinstance(data, dict):
        return one_line(str(data or ""))
    parts = [str(data.get("description") or data.get("error") or "invalid")]
    details = data.get("details")
    if isinstance(details, dict):
        for field, errors in details.items():
            for error in errors if isinstance(errors, list) else [errors]:
                text = error.get("description") if isinstance(error, dict) else error
                parts.append(f"{field}: {text}")
    return one_line("; ".join(parts))


class ZendeskSink(Sink):
    type = "zendesk"
    ticket_states = PLUGIN.ticket_states

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        email: str,
        token: str,
        group_id: int | None = None,
        tags: list[str] | None = None,
        custom_fields: dict[int, Any] | None = None,
        requester_email: str | None = None,
        priorities: dict[str, str] | None = None,
        timeout: float = 20.0,
        renderer: Renderer | None = None,
    ) -> None:
        super().__init__(name=name)
        self.base_url = base_url.rstrip("/")
        self.group_id = group_id
        self.tags = list(tags or [])
        self.custom_fields = dict(custom_fields or {})
        self.requester_email = requester_email
        self.priorities = priorities or default_priorities()
        self.timeout = timeout
        self.renderer = renderer or Renderer()
        self._session = requests.Session()
        self._session.auth = (f"{email}/token", token)
        self._session.headers["User-Agent"] = "social-triage"

    @classmethod
    def from_settings(
        cls, settings: ZendeskSinkSettings, *, templates: Path | None = None
    ) -> ZendeskSink:
        """`templates`: the escalation-wide override folder; the sink's own setting wins."""
        where = f"sinks[{settings.name}]"
        if settings.base_url:
            base_url = settings.base_url
        elif settings.subdomain:
            base_url = f"https://{settings.subdomain}.zendesk.com"
        else:
            raise NotConfigured(f"{where}.subdomain: not configured (or give base_url)")
        if not settings.email:
            raise NotConfigured(f"{where}.email: not configured")
        token = required_secret(where, "token", env=settings.token_env, file=settings.token_file)
        return cls(
            name=settings.name,
            base_url=base_url,
            email=settings.email,
            token=token,
            group_id=settings.group_id,
            tags=settings.tags,
            custom_fields=dict(settings.custom_fields),
            requester_email=settings.requester_email,
            priorities=dict(settings.priorities),
            timeout=settings.timeout_seconds,
            renderer=Renderer(settings.templates or templates),
        )

    def send(self, case: Case) -> TicketRef:
        return once(
            case.idempotency_key,
            sink=self.name,
            where=self.base_url,
            find=self.find,
            create=lambda: self._create(case),
        )

    def find(self, idempotency_key: str) -> TicketRef | None:
        data = self._get("/api/v2/tickets.json", "find by external_id", external_id=idempotency_key)
        tickets = [t for t in data.get("tickets") or [] if isinstance(t, dict)]
        # Zendesk matches external_id exactly, but a proxy might not: check it ourselves.
        tickets = [t for t in tickets if t.get("external_id") == idempotency_key]
        if not tickets:
            return None
        tickets.sort(key=lambda t: int(t.get("id") or 0))
        return self._ref(tickets[0])

    def status(self, ticket: TicketRef) -> str | None:
        label = "read ticket status"
        data = self._get(f"/api/v2/tickets/{ticket.ticket_id}.json", label)
        status = _ticket_of(data, f"zendesk {self.name}: {label}").get("status")
        return status if isinstance(status, str) else None

    def describe(self) -> str:
        return f"zendesk sink {self.name!r} -> {self.base_url}"

    def close(self) -> None:
        self._session.close()

    def _create(self, case: Case) -> TicketRef:
        label = f"zendesk {self.name}: create ticket"
        with translated(label):
            response = self._session.post(
                f"{self.base_url}/api/v2/tickets.json",
                json={"ticket": self._ticket(case)},
                headers={"Idempotency-Key": case.idempotency_key},
                timeout=self.timeout,
            )
        if response.status_code == 422:
            raise_for_delivery(response, label, detail=field_errors(_json(response)))
        raise_for_delivery(response, label)
        return self._ref(_ticket_of(_json(response), label))

    def _ticket(self, case: Case) -> dict[str, Any]:
        content = self.renderer.render(case)
        author = case.post.author
        requester: dict[str, Any] = {"name": f"@{author.handle.lstrip('@')} ({case.post.source})"}
        if self.requester_email:
            requester["email"] = self.requester_email
        tags = [*self.tags, tag(f"source_{case.post.source}"), tag(f"rule_{case.decision.rule}")]
        tags += [tag(f"sensitive_{kind}") for kind in sensitive_kinds(case)]
        ticket: dict[str, Any] = {
            "subject": content.subject,
            "comment": {"body": content.body, "public": False},
            "requester": requester,
            "tags": sorted({t for t in tags if t}),
            "priority": self.priorities.get(case.decision.priority, "normal"),
            "external_id": case.idempotency_key,
        }
        if self.group_id is not None:
            ticket["group_id"] = self.group_id
        if self.custom_fields:
            ticket["custom_fields"] = [
                {"id": field_id, "value": value} for field_id, value in self.custom_fields.items()
            ]
        return ticket

    def _get(self, path: str, what: str, **params: str) -> dict[str, Any]:
        label = f"zendesk {self.name}: {what}"
        with translated(label):
            response = self._session.get(
                f"{self.base_url}{path}", params=params, timeout=self.timeout
            )
        raise_for_delivery(response, label)
        return _json(response, label)

    def _ref(self, ticket: dict[str, Any]) -> TicketRef:
        status = ticket.get("status")
        return TicketRef(
            ticket_id=str(ticket["id"]),
            url=f"{self.base_url}/agent/tickets/{ticket['id']}",
            status=status if isinstance(status, str) else None,
        )


def _json(response: requests.Response, label: str = "zendesk") -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        if response.status_code >= 400:
            return {}
        raise DeliveryRetryable(f"{label}: answer is not JSON") from exc
    return data if isinstance(data, dict) else {}


def _ticket_of(data: dict[str, Any], label: str) -> dict[str, Any]:
    ticket = data.get("ticket")
    if not isinstance(ticket, dict) or "id" not in ticket:
        raise DeliveryRetryable(f"{label}: answer has no ticket id")
    return ticket
