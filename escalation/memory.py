"""An in-memory helpdesk: the reference `Sink`, for tests and dry runs.

Idempotent like the real ones: a second `send` for a key returns the ticket of the first.
`fail_next` scripts failures, `statuses` lets a test resolve tickets.
"""

from __future__ import annotations

import threading

from kernel.abc import Sink
from kernel.models import Case, TicketRef, TicketState


class MemorySink(Sink):
    type = "memory"
    ticket_states = {
        "new": TicketState.OPEN,
        "open": TicketState.OPEN,
        "pending": TicketState.WAITING,
        "resolved": TicketState.RESOLVED,
        "closed": TicketState.RESOLVED,
        "rejected": TicketState.REJECTED,
    }

    def __init__(self, *, name: str = "memory") -> None:
        super().__init__(name=name)
        self.tickets: dict[str, TicketRef] = {}
        self.cases: dict[str, Case] = {}
        self.statuses: dict[str, str] = {}
        self.fail_next: list[Exception] = []
        self.sends = 0
        self._lock = threading.Lock()

    def send(self, case: Case) -> TicketRef:
        with self._lock:
            self.sends += 1
            if self.fail_next:
                raise self.fail_next.pop(0)
            found = self.tickets.get(case.idempotency_key)
            if found is not None:
                return found
            ticket_id = str(len(self.tickets) + 1)
            ticket = TicketRef(ticket_id=ticket_id, url=f"memory://{ticket_id}", status="new")
            self.tickets[case.idempotency_key] = ticket
            self.cases[case.idempotency_key] = case
            self.statuses[ticket_id] = "new"
            return ticket

    def find(self, idempotency_key: str) -> TicketRef | None:
        return self.tickets.get(idempotency_key)

    def status(self, ticket: TicketRef) -> str | None:
        return self.statuses.get(ticket.ticket_id)
