"""Zammad sink over the REST API (`/api/v1`), with httpx and token auth.

Zammad has no external-id field, so the case key travels as a reference: `st` and 32 hex
digits of the key's SHA-256, one word that Zammad's search finds whichever backend it runs
(Elasticsearch indexes tags and article bodies; without it, the SQL search looks into titles
and article bodies). The reference is a tag of the ticket and the last line of its article.
`send` searches for it before creating and checks each hit's tags (exact and immediate) before
trusting it, so an article that merely quotes a reference is not taken for the ticket; after
creating, it checks that Zammad kept the tag (an instance may forbid new tags) and warns if
not. With Elasticsearch a new ticket is searchable after Zammad's background indexing,
normally seconds; the outbox's first retry comes later than that.

Errors are JSON `{"error": ..., "error_human": ...}`; 429 (from Zammad or its proxy) carries
`Retry-After`.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import httpx

from escalation._http import one_line, raise_for_delivery, translated_httpx
from escalation.content import Renderer
from escalation.helpdesk import json_answer, once, required_secret
from escalation.zammad import PLUGIN
from escalation.zammad.settings import ZammadSinkSettings, default_priorities
from kernel.abc import Sink
from kernel.errors import DeliveryError, DeliveryRetryable, NotConfigured
from kernel.models import Case, TicketRef

log = logging.getLogger(__name__)

#: Search hits checked for the reference tag; more than one is already a helpdesk oddity.
_SEARCH_LIMIT = 10


def reference(idempotency_key: str) -> str:
    """The one-word, search-safe stand-in for a case key: `st` + 32 hex digits."""
    return "st" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]


def error_detail(response: httpx.Response) -> str:
    """Zammad's own words for a refusal: `error_human`, else `error`, else the body."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error_human", "error", "message"):
            if isinstance(data.get(key), str) and data[key]:
                return one_line(data[key])
    return one_line(response.text or response.reason_phrase or "")


class ZammadSink(Sink):
    type = "zammad"
    ticket_states = PLUGIN.ticket_states

    def __init__(
        self,
        *,
        name: str,
        url: str,
        token: str,
        group: str,
        customer: str,
        tags: list[str] | None = None,
        internal: bool = True,
        priorities: dict[str, str] | None = None,
        timeout: float = 20.0,
        renderer: Renderer | None = None,
    ) -> None:
        super().__init__(name=name)
        self.url = url.rstrip("/")
        self.group = group
        self.customer = customer
        self.tags = list(tags or [])
        self.internal = internal
        self.priorities = priorities or default_priorities()
        self.renderer = renderer or Renderer()
        self._client = httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Token token={token}", "User-Agent": "social-triage"},
            timeout=timeout,
        )

    @classmethod
    def from_settings(
        cls, settings: ZammadSinkSettings, *, templates: Path | None = None
    ) -> ZammadSink:
        """`templates`: the escalation-wide override folder; the sink's own setting wins."""
        where = f"sinks[{settings.name}]"
        for setting in ("url", "group", "customer"):
            if not getattr(settings, setting).strip():
                raise NotConfigured(f"{where}.{setting}: not configured")
        token = required_secret(where, "token", env=settings.token_env, file=settings.token_file)
        return cls(
            name=settings.name,
            url=settings.url,
            token=token,
            group=settings.group,
            customer=settings.customer,
            tags=settings.tags,
            internal=settings.internal,
            priorities=dict(settings.priorities),
            timeout=settings.timeout_seconds,
            renderer=Renderer(settings.templates or templates),
        )

    def send(self, case: Case) -> TicketRef:
        return once(
            case.idempotency_key,
            sink=self.name,
            where=self.url,
            find=self.find,
            create=lambda: self._create(case),
        )

    def find(self, idempotency_key: str) -> TicketRef | None:
        ref = reference(idempotency_key)
        found = self._get(
            "/tickets/search",
            "search by reference",
            query=ref,
            expand="true",
            limit=str(_SEARCH_LIMIT),
        )
        for ticket in sorted(_search_hits(found), key=lambda t: int(t.get("id") or 0)):
            if ref in self._tags(ticket["id"]):
                return self._ref(ticket)
        return None

    def status(self, ticket: TicketRef) -> str | None:
        data = self._get(f"/tickets/{ticket.ticket_id}", "read ticket state", expand="true")
        state = data.get("state") if isinstance(data, dict) else None
        return state.lower() if isinstance(state, str) else None

    def describe(self) -> str:
        return f"zammad sink {self.name!r} -> {self.url} (group {self.group!r})"

    def close(self) -> None:
        self._client.close()

    def _create(self, case: Case) -> TicketRef:
        key = case.idempotency_key
        label = f"zammad {self.name}: create ticket"
        with translated_httpx(label):
            response = self._client.post(
                "/tickets", params={"expand": "true"}, json=self._ticket(case)
            )
        raise_for_delivery(response, label, detail=error_detail(response))
        ticket = _object(response, label)
        try:
            kept = reference(key) in self._tags(ticket["id"])
        except DeliveryError as exc:  # the ticket exists: deliver it, say what is unknown
            log.warning("%s: cannot check ticket %s's tags: %s", self.name, ticket["id"], exc)
            kept = True
        if not kept:
            # Found by nothing else: a retry after a crash would make a second ticket.
            log.warning(
                "%s: Zammad did not keep the reference tag on ticket %s; allow agents to "
                "create tags (Settings > Tags), or a crash before the case is recorded "
                "could duplicate it",
                self.name,
                ticket["id"],
            )
        return self._ref(ticket)

    def _ticket(self, case: Case) -> dict[str, Any]:
        content = self.renderer.render(case)
        author = case.post.author
        ref = reference(case.idempotency_key)
        tags = [*self.tags, ref]
        return {
            "title": content.subject,
            "group": self.group,
            "customer_id": f"guess:{self.customer}",
            "priority": self.priorities.get(case.decision.priority, "2 normal"),
            # Zammad splits the tag list on commas; a comma inside a tag would make two.
            "tags": ",".join(t.replace(",", " ").strip() for t in tags if t.strip()),
            "article": {
                "subject": content.subject,
                "body": f"{content.body.rstrip()}\n\nsocial-triage reference: {ref}\n",
                "type": "note",
                "internal": self.internal,
                "content_type": "text/plain",
                "from": f"@{author.handle.lstrip('@')} ({case.post.source})",
            },
        }

    def _tags(self, ticket_id: object) -> set[str]:
        data = self._get("/tags", "read tags", object="Ticket", o_id=str(ticket_id))
        tags = data.get("tags") if isinstance(data, dict) else None
        return {str(t).lower() for t in tags} if isinstance(tags, list) else set()

    def _get(self, path: str, what: str, **params: str) -> Any:
        label = f"zammad {self.name}: {what}"
        with translated_httpx(label):
            response = self._client.get(path, params=params)
        raise_for_delivery(response, label, detail=error_detail(response))
        return json_answer(response, label)

    def _ref(self, ticket: dict[str, Any]) -> TicketRef:
        state = ticket.get("state")
        return TicketRef(
            ticket_id=str(ticket["id"]),
            url=f"{self.url}/#ticket/zoom/{ticket['id']}",
            status=state.lower() if isinstance(state, str) else None,
        )


def _object(response: httpx.Response, label: str) -> dict[str, Any]:
    data = json_answer(response, label)
    if not isinstance(data, dict) or "id" not in data:
        raise DeliveryRetryable(f"{label}: answer has no ticket id")
    return data


def _search_hits(data: Any) -> list[dict[str, Any]]:
    """Tickets of a search answer: a list with `expand=true`; ids and assets without it."""
    if isinstance(data, list):
        return [t for t in data if isinstance(t, dict) and "id" in t]
    if isinstance(data, dict):
        assets = (data.get("assets") or {}).get("Ticket") or {}
        ids = data.get("tickets") or []
        return [assets[str(i)] for i in ids if isinstance(assets.get(str(i)), dict)]
    return []
