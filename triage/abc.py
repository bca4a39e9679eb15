"""Every extension-point interface, in one module.

A `Source` turns one platform into `Page`s of `Post`s; it does no storage and no
classification. Implementations live in `listener/`, one small module each.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any, ClassVar

from triage.models import Case, Page, TicketRef


class Source(abc.ABC):
    """A place to listen. `poll` yields pages newest-data-last-safe: see `Page.cursor`."""

    #: The `type` value that selects this source in the config.
    type: ClassVar[str]

    def __init__(self, *, name: str) -> None:
        self.name = name

    @abc.abstractmethod
    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Read everything new since `cursor` (None: first poll), one page at a time.

        Raise from `triage.errors.SourceError` on failure; pages already yielded are kept.
        The cursor of the last page yielded is the one a later poll resumes from.
        """

    def describe(self) -> str:
        """One line for `sources` and the start-up log; never includes a secret."""
        return f"{self.type} source {self.name!r}"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release network sessions; the default has nothing to release."""


class Sink(abc.ABC):
    """A helpdesk that receives cases. Implementations live in `escalation/`, one module each.

    `send` must be idempotent on `case.idempotency_key`: a sink that can look a ticket up by key
    does so before creating one, so a crash between "ticket created" and "row updated" never
    makes a second ticket. Errors are `triage.errors.DeliveryRetryable` or
    `DeliveryPermanent`.
    """

    type: ClassVar[str]

    def __init__(self, *, name: str) -> None:
        self.name = name

    @abc.abstractmethod
    def send(self, case: Case) -> TicketRef:
        """Create the ticket for `case` (or find the one a previous attempt created)."""

    def find(self, idempotency_key: str) -> TicketRef | None:
        """The ticket already created for this key, if the helpdesk can tell; else None."""
        return None

    def status(self, ticket: TicketRef) -> str | None:
        """The helpdesk's current status for a ticket (`open`, `resolved`, ...), if known."""
        return None

    def describe(self) -> str:
        return f"{self.type} sink {self.name!r}"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release network sessions."""
