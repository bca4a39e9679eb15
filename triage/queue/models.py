"""Records of the review queue: users, items as agents see them, filters, pages, audit."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from kernel.models import Decision, ItemStatus, Post, Signals

#: How long an agent may take back an ignore or an escalation (the card offers Undo that long;
#: an escalation's case is held back that long before the outbox may send it).
UNDO_SECONDS = 10


class Role(enum.StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    MARKETING = "marketing"
    ADMIN = "admin"


#: Roles that work items (claim, reply, escalate, correct).
WORKERS = frozenset({Role.AGENT, Role.LEAD, Role.ADMIN})
#: Roles that also reassign, release held cases and read the audit log.
LEADS = frozenset({Role.LEAD, Role.ADMIN})
#: Roles that may read the queue pages.
READERS = frozenset(Role)


class View(enum.StrEnum):
    """The queue's views, one per tier plus the work lists around them."""

    PUBLIC_REPLY = "public_reply"
    PRIVATE_DM = "private_dm"
    HELPDESK = "helpdesk"
    REVIEW = "review"
    IGNORED = "ignored"
    ANSWERED = "answered"
    #: Least confident first: the posts worth labelling.
    LABEL = "label"


VIEW_TITLES = {
    View.PUBLIC_REPLY: "Public reply",
    View.PRIVATE_DM: "DM",
    View.HELPDESK: "Helpdesk",
    View.REVIEW: "Needs review",
    View.IGNORED: "Ignored",
    View.ANSWERED: "Answered",
    View.LABEL: "Label these",
}

#: Fields a correction may change, and the values each accepts (intent: `|`-separated).
CORRECTABLE = ("route", "sentiment", "complaint", "intent", "sensitive")


@dataclass(frozen=True, kw_only=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    active: bool = True
    #: The web app's language for this person (`kernel.vocab.LOCALES`); None: the setting.
    locale: str | None = None

    @property
    def actor(self) -> str:
        """How decisions and the audit log name this person."""
        return f"agent:{self.name}"

    @property
    def can_work(self) -> bool:
        return self.role in WORKERS

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS


@dataclass(frozen=True, kw_only=True, slots=True)
class Filters:
    """What an agent narrowed a view to; empty strings mean "any"."""

    source: str = ""
    query: str = ""
    route: str = ""
    sentiment: str = ""
    intent: str = ""
    language: str = ""
    #: "yes" | "no" | ""
    sensitive: str = ""
    #: "1h" | "24h" | "older" | ""  (posted within the last hour / day, or before that)
    age: str = ""
    #: Words of the post text, author handle or name; `author:@handle` (`storage.search`).
    search: str = ""

    def active(self) -> dict[str, str]:
        return {k: v for k in self.__slots__ if (v := getattr(self, k))}


@dataclass(frozen=True, kw_only=True, slots=True)
class Claim:
    by: str
    until: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueItem:
    """A decided post as a card in a view."""

    post_id: int
    post: Post
    fetched_by: str
    decision_id: int
    decision: Decision
    signals: Signals | None
    decided_by: str
    decided_at: datetime
    status: ItemStatus
    claim: Claim | None
    assigned_to: str | None
    #: Post text with sensitive values masked: what the UI and the CLI show.
    text: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemPage:
    items: tuple[QueueItem, ...]
    #: Keyset cursor of the next page, None on the last one.
    next_cursor: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class SentReply:
    id: int
    channel: str
    text: str
    dry_run: bool
    external_id: str | None
    url: str | None
    sent_by: str
    sent_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    post_id: int | None
    detail: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class HeldCase:
    case_id: int
    post_id: int
    status: str
    sink: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemDetail:
    """One item with everything an agent reads before acting."""

    item: QueueItem
    #: Parent posts, oldest first, then the brand's replies in the same conversation.
    thread: tuple[Post, ...]
    brand_replies: tuple[Post, ...]
    replies: tuple[SentReply, ...]
    notes: tuple[AuditEntry, ...]
    history: tuple[AuditEntry, ...]
    case: HeldCase | None = None
    corrections: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
