"""Every extension-point interface, in one module.

A `Source` turns one platform into `Page`s of `Post`s; it does no storage and no
classification. Implementations live in `listener/`, one small module each. A `Sink` delivers
helpdesk cases (`escalation/`). A `Responder` posts an agent's public reply or DM back to the
platform a post came from (`listener/`, beside the client code it shares with the source).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any, ClassVar

from kernel.models import Case, Page, Post, SentMessage, TicketRef


class Source(abc.ABC):
    """A place to listen. `poll` yields pages newest-data-last-safe: see `Page.cursor`."""

    #: The `type` value that selects this source in the config.
    type: ClassVar[str]

    def __init__(self, *, name: str) -> None:
        self.name = name

    @abc.abstractmethod
    def poll(self, cursor: dict[str, Any] | None) -> Iterator[Page]:
        """Read everything new since `cursor` (None: first poll), one page at a time.

        Raise from `kernel.errors.SourceError` on failure; pages already yielded are kept.
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
    makes a second ticket. Errors are `kernel.errors.DeliveryRetryable` or
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


class Responder(abc.ABC):
    """Answers posts of one configured source on its platform, as the brand's account.

    Errors are `kernel.errors.ReplyError`: its one-line message is shown to the agent as it is
    (never a secret), and the queue item stays open. A dry-run responder stores and shows the
    message without sending anything; every responder is dry-run until a setting turns it off.
    """

    type: ClassVar[str]
    #: The brand account that posts (X handle, Reddit username), when the responder knows it.
    account: str | None = None

    def __init__(self, *, name: str, dry_run: bool = True) -> None:
        self.name = name
        self.dry_run = dry_run

    @abc.abstractmethod
    def reply(self, post: Post, text: str) -> SentMessage:
        """Publish `text` as a public reply to `post` (X reply, Reddit comment)."""

    @abc.abstractmethod
    def direct_message(self, post: Post, text: str) -> SentMessage:
        """Send `text` privately to the author of `post` (X DM, Reddit private message)."""

    def describe(self) -> str:
        return f"{self.type} responder {self.name!r}{' (dry run)' if self.dry_run else ''}"

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release network sessions."""
