"""A stateful Zendesk on loopback built from recorded shapes, for the sink contract tests.

It answers the three endpoints the sink uses with the recorded envelopes in
tests/fixtures/zendesk (ids, external_id and status filled in from what was created), so the
same contract tests that run against a real Request Tracker run against Zendesk's shapes.
Scripted responses (`add`) still win, for fault tests. One request at a time: tests drive it
sequentially.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from tests.escalation.helpers import zendesk_envelope, zendesk_response
from tests.httpserver import FakeAPI, Response

_TICKET_PATH = re.compile(r"^/api/v2/tickets/(\d+)\.json$")


class ZendeskFake(FakeAPI):
    def __init__(self) -> None:
        super().__init__()
        self.tickets: dict[int, dict[str, Any]] = {}
        self._next_id = zendesk_envelope("ticket_create.official_ruby_client.json")["body"][
            "ticket"
        ]["id"]

    def creates(self) -> int:
        return len([r for r in self.requests if r.method == "POST"])

    def _next(self, method: str, path: str) -> Response:
        with self._lock:
            scripted = self.routes.get((method, path))
            if scripted:
                return scripted.popleft()
            request = self.requests[-1]
        if method == "POST" and path == "/api/v2/tickets.json":
            return self._create(json.loads(request.body)["ticket"])
        if method == "GET" and path == "/api/v2/tickets.json":
            key = request.param("external_id")
            found = [t for t in self.tickets.values() if t["external_id"] == key]
            response = zendesk_response("tickets_by_external_id.empty.composite.json")
            response.body = {**response.body, "tickets": found, "count": len(found)}
            return response
        match = _TICKET_PATH.match(path)
        if method == "GET" and match and int(match.group(1)) in self.tickets:
            response = zendesk_response("ticket_show.official_ruby_client.json")
            response.body = {"ticket": self.tickets[int(match.group(1))]}
            return response
        return super()._next(method, path)

    def _create(self, sent: dict[str, Any]) -> Response:
        response = zendesk_response("ticket_create.official_ruby_client.json")
        ticket = copy.deepcopy(response.body["ticket"])
        ticket.update(
            id=self._next_id,
            url=f"{self.url}/api/v2/tickets/{self._next_id}.json",
            subject=sent["subject"],
            external_id=sent.get("external_id"),
            priority=sent.get("priority"),
            tags=sent.get("tags", []),
            status="new",
        )
        self.tickets[self._next_id] = ticket
        self._next_id += 1
        response.body = {**response.body, "ticket": ticket}
        return response
