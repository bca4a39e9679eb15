"""Every extension-point interface, in one module.

Plugins (found through entry points, see `kernel.plugins`):
- `Source` turns one platform into `Page`s of `Post`s; it does no storage and no
  classification (`listener/`, one module or folder per platform);
- `Responder` posts an agent's public reply or DM back to the platform a post came from
  (beside its source, with which it shares the client code);
- `Sink` delivers helpdesk cases and reads their tickets' status back (`escalation/`).
Each is built by the registry through its `from_settings` classmethod (as scrapy components
read their own settings in `from_crawler`): it reads its settings model, resolves its secrets
and refuses with `NotConfigured` naming a missing one, and makes no request.

What the application needs from the classifiers, as structural types (the application and the
classifiers each depend on these, not on each other's modules):
- `Rules` decides a post from its signals (`classifiers.rules.RuleSet`);
- `PostClassifier` turns posts into signals and decisions (`classifiers.pipeline.Classifier`);
- `TextEncoder` embeds texts (`classifiers.encoder.Encoder`; the knowledge base uses it);
- `Detector` finds sensitive values in a text (`classifiers.sensitive.detect`), which the
  kernel's masking (`kernel.protect`) and scrubbing (`kernel.scrub`) are given.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from kernel.errors import NotConfigured
from kernel.models import (
    Case,
    Decision,
    Page,
    Post,
    SensitiveFinding,
    SentMessage,
    Signals,
    TicketRef,
    TicketState,
)

if TYPE_CHECKING:
    import numpy as np


def _not_buildable(cls: type) -> NotConfigured:
    return NotConfigured(f"{cls.__name__} cannot be built from settings (no from_settings)")


class Source(abc.ABC):
    """A place to listen. `poll` yields pages newest-data-last-safe: see `Page.cursor`."""

    #: The `type` value that selects this source in the config.
    type: ClassVar[str]

    def __init__(self, *, name: str) -> None:
        self.name = name

    @classmethod
    def from_settings(cls, settings: Any, brand: Any) -> Self:
        """The source its settings model describes; `brand` is `config.base.BrandSettings`."""
        raise _not_buildable(cls)

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
    #: The helpdesk's status words (lower case) -> the project's ticket states, one mapping
    #: per sink (its plugin record names the same); a word not listed is `OPEN`.
    ticket_states: ClassVar[Mapping[str, TicketState]] = {}

    def __init__(self, *, name: str) -> None:
        self.name = name

    @classmethod
    def from_settings(cls, settings: Any, *, templates: Path | None = None) -> Self:
        """The sink its settings model describes; `templates` is `escalation.templates`."""
        raise _not_buildable(cls)

    @abc.abstractmethod
    def send(self, case: Case) -> TicketRef:
        """Create the ticket for `case` (or find the one a previous attempt created)."""

    def find(self, idempotency_key: str) -> TicketRef | None:
        """The ticket already created for this key, if the helpdesk can tell; else None."""
        return None

    def status(self, ticket: TicketRef) -> str | None:
        """The helpdesk's current status for a ticket (`open`, `resolved`, ...), if known."""
        return None

    def ticket_state(self, status: str) -> TicketState:
        """The project's state for one of this helpdesk's status words."""
        return self.ticket_states.get(status.lower(), TicketState.OPEN)

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

    @classmethod
    def from_settings(cls, settings: Any) -> Self:
        """The live responder for one source's settings (reply credentials read here)."""
        raise _not_buildable(cls)

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


class Rules(Protocol):
    """Decides a post from its signals: the ordered rules (`classifiers.rules.RuleSet`)."""

    version: str

    def decide(
        self, post: Post | None, text: str, signals: Signals, *, review_threshold: float
    ) -> Decision: ...


class PostClassifier(Protocol):
    """Signals and a decision for each (post, text); `classifiers.pipeline.Classifier`."""

    def classify(self, items: list[tuple[Post | None, str]]) -> list[tuple[Signals, Decision]]: ...


class TextEncoder(Protocol):
    """Embeds texts, one row each; `version` changes when the embeddings would."""

    version: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class Detector(Protocol):
    """Every sensitive value in a text, in text order, with masked previews."""

    def __call__(self, text: str) -> Sequence[SensitiveFinding]: ...
