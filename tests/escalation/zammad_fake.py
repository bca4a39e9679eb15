"""A stateful Zammad on loopback that follows its REST API (docs.zammad.org, "API"), for the
Zammad sink's tests and its contract harness.

Endpoints, with the shapes Zammad documents and its controllers render:
- `POST /api/v1/tickets` (201; with `?expand=true`, the state, group, priority and customer by
  name): the group and priority are looked up by name (422 `No lookup value found for
  'group': "..."` otherwise), `customer_id: "guess:EMAIL"` is checked (422 `Invalid email
  '...' of customer`), `tags` is split on commas, `article` becomes the first article;
- `GET /api/v1/tickets/search?query=...` (`expand=true`: a list of tickets; otherwise
  `{tickets: [ids], tickets_count, assets: {Ticket: {...}}}`), matching the query in the title,
  the tags and the article bodies, as Elasticsearch does;
- `GET /api/v1/tickets/{id}` (`expand=true` adds `state` and the other names);
- `GET /api/v1/tags?object=Ticket&o_id={id}` -> `{"tags": [...]}`.
Every request needs `Authorization: Token token=TOKEN` (401 `{"error": "authentication
failed"}` otherwise). Errors are `{"error": ..., "error_human": ...}`. Scripted responses
(`add`) win, for fault tests; `create_delay` makes the next create (one) store the ticket and
then answer late (a timeout after the ticket exists).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.httpserver import FakeAPI, Request, Response

TOKEN = "zammad-token-for-tests"
GROUPS = {"Users": 1, "Social media": 2}
PRIORITIES = {"1 low": 1, "2 normal": 2, "3 high": 3}
STATES = {"new": 1, "open": 2, "pending reminder": 3, "closed": 4, "merged": 5, "removed": 6}
_TICKET = re.compile(r"^/api/v1/tickets/(\d+)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def error(status: int, message: str) -> Response:
    return Response(status=status, body={"error": message, "error_human": message})


class ZammadFake(FakeAPI):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.tickets: dict[int, dict[str, Any]] = {}
        self.tags: dict[int, list[str]] = {}
        self.articles: dict[int, list[dict[str, Any]]] = {}
        self.create_delay = 0.0
        #: Answer searches in the compact shape (ids and assets) even when asked to expand,
        #: as Zammad versions before `expand` on search did.
        self.compact_search = False
        #: Drop the tags a create asks for, as an instance where agents may not create tags.
        self.drop_tags = False
        self._next_id = 19  # the documented create answer's id

    def creates(self) -> int:
        return len([r for r in self.requests if r.method == "POST"])

    def tickets_tagged(self, tag: str) -> int:
        return sum(tag in tags for tags in self.tags.values())

    def _next(self, method: str, path: str) -> Response:
        with self._lock:
            scripted = self.routes.get((method, path))
            if scripted:
                return scripted.popleft()
            request = next(
                r for r in reversed(self.requests) if (r.method, r.path) == (method, path)
            )
        if request.headers.get("authorization") != f"Token token={self.token}":
            return error(401, "authentication failed")
        if method == "POST" and path == "/api/v1/tickets":
            return self._create(request)
        if method == "GET" and path == "/api/v1/tickets/search":
            return self._search(request)
        if method == "GET" and path == "/api/v1/tags":
            ticket_id = int(request.param("o_id") or 0)
            if request.param("object") != "Ticket" or ticket_id not in self.tickets:
                return error(404, "Couldn't find Ticket")
            return Response(status=200, body={"tags": list(self.tags[ticket_id])})
        match = _TICKET.match(path)
        if method == "GET" and match:
            ticket_id = int(match.group(1))
            if ticket_id not in self.tickets:
                return error(404, f"Couldn't find Ticket with 'id'={ticket_id}")
            return Response(status=200, body=self._shape(ticket_id, request))
        return super()._next(method, path)

    def _create(self, request: Request) -> Response:
        sent = json.loads(request.body)
        group, priority = sent.get("group"), sent.get("priority", "2 normal")
        if group not in GROUPS:
            return error(422, f"No lookup value found for 'group': {json.dumps(group)}")
        if priority not in PRIORITIES:
            return error(422, f"No lookup value found for 'priority': {json.dumps(priority)}")
        customer = str(sent.get("customer_id") or "").removeprefix("guess:")
        if not _EMAIL.match(customer):
            return error(422, f"Invalid email '{customer}' of customer")
        ticket_id, self._next_id = self._next_id, self._next_id + 1
        self.tickets[ticket_id] = {
            "id": ticket_id,
            "group_id": GROUPS[group],
            "priority_id": PRIORITIES[priority],
            "state_id": STATES["new"],
            "organization_id": None,
            "number": str(22000 + ticket_id),
            "title": sent.get("title"),
            "owner_id": 1,
            "customer_id": 10,
            "create_article_type_id": 10,
            "create_article_sender_id": 1,
            "article_count": 1,
            "pending_time": None,
            "preferences": {},
            "created_at": "2021-11-08T14:17:41.913Z",
            "updated_at": "2021-11-08T14:17:41.994Z",
            "article_ids": [100 + ticket_id],
            "ticket_time_accounting_ids": [],
            # the names `expand=true` adds
            "group": group,
            "state": "new",
            "priority": priority,
            "customer": customer,
            "owner": "-",
        }
        asked = [t for t in str(sent.get("tags") or "").split(",") if t]
        self.tags[ticket_id] = [] if self.drop_tags else asked
        self.articles[ticket_id] = [sent["article"]] if sent.get("article") else []
        delay, self.create_delay = self.create_delay, 0.0
        if delay:
            time.sleep(delay)
        return Response(status=201, body=self._shape(ticket_id, request))

    def _search(self, request: Request) -> Response:
        query = (request.param("query") or "").lower()
        found = [
            ticket_id
            for ticket_id, ticket in sorted(self.tickets.items())
            if query
            and (
                query in str(ticket["title"]).lower()
                or query in [t.lower() for t in self.tags[ticket_id]]
                or any(query in str(a.get("body", "")).lower() for a in self.articles[ticket_id])
            )
        ][: int(request.param("limit") or 50)]
        if request.param("expand") == "true" and not self.compact_search:
            return Response(status=200, body=[self.tickets[i] for i in found])
        assets = {str(i): self._compact(i) for i in found}
        body = {"tickets": found, "tickets_count": len(found), "assets": {"Ticket": assets}}
        return Response(status=200, body=body)

    def set_state(self, ticket_id: int, state: str) -> None:
        self.tickets[ticket_id].update(state=state, state_id=STATES[state])

    def _shape(self, ticket_id: int, request: Request) -> dict[str, Any]:
        if request.param("expand") == "true":
            return dict(self.tickets[ticket_id])
        return self._compact(ticket_id)

    def _compact(self, ticket_id: int) -> dict[str, Any]:
        names = {"group", "state", "priority", "customer", "owner"}
        return {k: v for k, v in self.tickets[ticket_id].items() if k not in names}
