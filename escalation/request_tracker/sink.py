"""Request Tracker 5 sink over REST 2.0 (requests + basic auth).

The idempotency key lives in a ticket custom field (default "External ID"): `send` searches
for it before creating, so a crash between "ticket created" and "case row updated" finds the
ticket on the next attempt instead of creating a second one. RT silently ignores custom field
names it does not know (still answering 201), so every create is read back to check the key
stuck; otherwise lookups could never find the ticket and every retry would duplicate it.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import requests

from escalation._http import raise_for_delivery, translated
from escalation.content import Renderer
from escalation.helpdesk import json_answer, once, required_secret
from escalation.request_tracker import PLUGIN
from escalation.request_tracker.settings import DEFAULT_PRIORITIES, RequestTrackerSinkSettings
from kernel.abc import Sink
from kernel.errors import DeliveryPermanent, DeliveryRetryable, NotConfigured
from kernel.models import Case, TicketRef

log = logging.getLogger(__name__)

_NOT_ADDRESS_CHARS = re.compile(r"[^A-Za-z0-9._+-]+")


def ticketsql_string(value: str) -> str:
    """A single-quoted TicketSQL literal (backslash escapes, checked against RT 5.0.3)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def requestor_address(handle: str, source: str) -> str:
    """`handle@source` as an address RT accepts; RT drops (not rejects) invalid ones."""
    local = _NOT_ADDRESS_CHARS.sub("_", handle.lstrip("@")).strip("._") or "unknown"
    domain = _NOT_ADDRESS_CHARS.sub("-", source).strip(".-") or "social"
    return f"{local}@{domain}"


class RequestTrackerSink(Sink):
    type = "request_tracker"
    ticket_states = PLUGIN.ticket_states

    def __init__(
        self,
        *,
        name: str,
        url: str,
        user: str,
        password: str,
        queue: str = "General",
        custom_field: str = "External ID",
        requestor: str | None = None,
        priorities: dict[str, int] | None = None,
        custom_fields: dict[str, str] | None = None,
        timeout: float = 20.0,
        renderer: Renderer | None = None,
    ) -> None:
        super().__init__(name=name)
        self.url = url.rstrip("/")
        self.api = f"{self.url}/REST/2.0"
        self.queue = queue
        self.custom_field = custom_field
        self.requestor = requestor
        self.priorities = priorities or dict(DEFAULT_PRIORITIES)
        self.custom_fields = dict(custom_fields or {})
        self.timeout = timeout
        self.renderer = renderer or Renderer()
        self._session = requests.Session()
        self._session.auth = (user, password)
        self._session.headers["User-Agent"] = "social-triage"

    @classmethod
    def from_settings(
        cls, settings: RequestTrackerSinkSettings, *, templates: Path | None = None
    ) -> RequestTrackerSink:
        """`templates`: the escalation-wide override folder; the sink's own setting wins."""
        where = f"sinks[{settings.name}]"
        for field in ("url", "user", "queue", "custom_field"):
            if not getattr(settings, field):
                raise NotConfigured(f"{where}.{field}: not configured")
        password = required_secret(
            where, "password", env=settings.password_env, file=settings.password_file
        )
        return cls(
            name=settings.name,
            url=settings.url,
            user=settings.user,
            password=password,
            queue=settings.queue,
            custom_field=settings.custom_field,
            requestor=settings.requestor,
            priorities=settings.priorities,
            custom_fields=settings.custom_fields,
            timeout=settings.timeout_seconds,
            renderer=Renderer(settings.templates or templates),
        )

    # --- the Sink interface ----------------------------------------------------------------

    def send(self, case: Case) -> TicketRef:
        return once(
            case.idempotency_key,
            sink=self.name,
            where=self.api,
            find=self.find,
            create=lambda: self._create_checked(case),
        )

    def find(self, idempotency_key: str) -> TicketRef | None:
        query = f"{ticketsql_string('CF.{' + self.custom_field + '}')}="
        query += ticketsql_string(idempotency_key)
        data = self._call(
            "GET",
            "tickets",
            "search by key",
            params={"query": query, "fields": "Status", "orderby": "id", "order": "ASC"},
        )
        items = data.get("items") or []
        if not items:
            return None
        if len(items) > 1:
            ids = ", ".join(str(i.get("id")) for i in items)
            log.warning("%s: several tickets carry key %s (%s)", self.name, idempotency_key, ids)
        first = items[0]
        return self._ref(str(first["id"]), first.get("Status"))

    def status(self, ticket: TicketRef) -> str | None:
        status = self._read(ticket.ticket_id, "read status").get("Status")
        return status if isinstance(status, str) else None

    def describe(self) -> str:
        return (
            f"request_tracker sink {self.name!r} -> {self.url} queue {self.queue!r} "
            f"(key in CF {self.custom_field!r})"
        )

    def close(self) -> None:
        self._session.close()

    # --- REST 2.0 ----------------------------------------------------------------------------

    def _create_checked(self, case: Case) -> TicketRef:
        """Create the ticket and read it back: RT drops a custom field it does not know."""
        key = case.idempotency_key
        ticket_id = self._create(case)
        ticket = self._read(ticket_id, "read back new ticket")
        if key not in self._key_values(ticket):
            raise DeliveryPermanent(
                f"request_tracker {self.name}: ticket {ticket_id} was created but RT did not "
                f"store the key in custom field {self.custom_field!r}; create that field "
                f"(FreeformSingle), apply it to queue {self.queue!r} and grant the sink user "
                "SeeCustomField and ModifyCustomField"
            )
        return self._ref(ticket_id, ticket.get("Status"))

    def _create(self, case: Case) -> str:
        content = self.renderer.render(case)
        author = case.post.author
        payload: dict[str, Any] = {
            "Queue": self.queue,
            "Subject": content.subject,
            "Content": content.body,
            "ContentType": "text/plain",
            "Requestor": self.requestor or requestor_address(author.handle, case.post.source),
            "Priority": self.priorities.get(
                case.decision.priority, self.priorities.get("normal", 50)
            ),
            "CustomFields": {**self.custom_fields, self.custom_field: case.idempotency_key},
        }
        data = self._call("POST", "ticket", "create ticket", json=payload)
        ticket_id = data.get("id")
        if ticket_id is None:
            # RT said 201 but named no ticket: retrying would find it by key if it exists.
            raise DeliveryRetryable(f"request_tracker {self.name}: create answered without an id")
        return str(ticket_id)

    def _read(self, ticket_id: str, what: str) -> dict[str, Any]:
        return self._call("GET", f"ticket/{ticket_id}", what)

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        label = f"request_tracker {self.name}: {what}"
        with translated(label):
            response = self._session.request(
                method, f"{self.api}/{path}", timeout=self.timeout, **kwargs
            )
        raise_for_delivery(response, label)
        data = json_answer(response, label)
        if not isinstance(data, dict):
            raise DeliveryRetryable(f"{label}: unexpected answer {type(data).__name__}")
        return data

    def _key_values(self, ticket: dict[str, Any]) -> list[str]:
        for field in ticket.get("CustomFields") or []:
            if isinstance(field, dict) and field.get("name") == self.custom_field:
                return [str(v) for v in field.get("values") or []]
        return []

    def _ref(self, ticket_id: str, status: Any) -> TicketRef:
        return TicketRef(
            ticket_id=ticket_id,
            url=f"{self.url}/Ticket/Display.html?id={ticket_id}",
            status=status if isinstance(status, str) else None,
        )
