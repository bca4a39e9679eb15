"""The domain model: frozen, keyword-only records that cross every boundary.

No tweepy/praw object, raw API dict or SQLAlchemy row travels past the module that produced it;
sources turn API payloads into `Post`, storage turns rows back into these records.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Longest post text kept; longer texts are truncated (and flagged) at the listener boundary.
MAX_TEXT_CHARS = 40_000


class PostKind(enum.StrEnum):
    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"


class Route(enum.StrEnum):
    PUBLIC_REPLY = "public_reply"
    PRIVATE_DM = "private_dm"
    HELPDESK = "helpdesk"
    IGNORE = "ignore"


class CaseStatus(enum.StrEnum):
    #: Waits for a human (the decision needs review); never delivered until released.
    HELD = "held"
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    CLOSED = "closed"


class ItemStatus(enum.StrEnum):
    """A review-queue item's work state, as `queue_items.status` stores it (no row: open)."""

    OPEN = "open"
    ANSWERED = "answered"
    IGNORED = "ignored"
    ESCALATED = "escalated"


class TicketState(enum.StrEnum):
    """The project's own ticket states: every sink maps its helpdesk's status words onto these
    (its plugin record's `ticket_states`), so the outbox knows no helpdesk's words."""

    #: New or being worked on.
    OPEN = "open"
    #: Waiting for the customer or a third party (RT's `stalled`, Zendesk's `pending`).
    WAITING = "waiting"
    #: Handled: the case closes and a follow-up public reply is suggested.
    RESOLVED = "resolved"
    #: Dropped or deleted without being handled: the case closes too.
    REJECTED = "rejected"

    @property
    def closes_case(self) -> bool:
        return self in (TicketState.RESOLVED, TicketState.REJECTED)


@dataclass(frozen=True, kw_only=True, slots=True)
class Author:
    handle: str
    name: str | None = None
    followers: int | None = None
    verified: bool | None = None
    #: The platform's own id for the author, when it has one (X user id, Reddit fullname).
    external_id: str | None = None
    #: True when the author is the brand's own account (no self-echo routing).
    is_brand: bool = False


#: Used when a platform says the author no longer exists (Reddit "[deleted]").
DELETED_AUTHOR = Author(handle="[deleted]")


@dataclass(frozen=True, kw_only=True, slots=True)
class Post:
    """One public post, comment or reply. Identity is (source, external_id)."""

    source: str
    external_id: str
    text: str
    created_at: datetime
    url: str | None = None
    author: Author = DELETED_AUTHOR
    lang: str | None = None
    conversation_id: str | None = None
    parent_id: str | None = None
    kind: PostKind = PostKind.POST
    #: The listening query (or subreddit / feed) that surfaced the post.
    query: str | None = None
    #: The payload as the platform sent it (JSON-serialisable), for audits and re-parsing.
    raw: dict[str, Any] = field(default_factory=dict)
    #: The brand the post is addressed to, set when it is stored (its source's `brand`);
    #: sources leave it empty.
    brand: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.external_id)


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredPost:
    """A post as read back from storage, with its row id and when it was first seen."""

    id: int
    post: Post
    ingested_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class RateLimit:
    """What a platform's rate-limit headers said on the last response."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Skipped:
    """An item a source could not read: the reason, and the item as it was read (a replay
    line), which the quarantine keeps masked like a post."""

    reason: str
    content: str | None = None

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    """One page of a poll.

    `cursor` is the cursor to store together with this page's posts, in one transaction; it is
    `None` when storing this page must not move the cursor (the source has more unread data
    before the cursor may advance).
    """

    posts: tuple[Post, ...]
    cursor: dict[str, Any] | None = None
    rate_limit: RateLimit | None = None
    #: Items the source skipped on this page, each with a one-line reason (and its content).
    skipped: tuple[str | Skipped, ...] = ()
    #: Items the platform returned for this page (what a metered API bills); None: not counted.
    reads: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class PollRun:
    """The record of one poll of one source."""

    source: str
    started_at: datetime
    finished_at: datetime | None
    fetched: int
    new: int
    status: str  # ok | rate_limited | auth_error | error | interrupted
    error: str | None = None
    rate_limit_wait_seconds: float | None = None
    #: Items the poll could not store (malformed entries, bad replay lines).
    skipped: int = 0
    #: Items the platform returned (billed reads on X).
    reads: int = 0
    pages: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceState:
    """Health and progress of one configured source, as stored."""

    name: str
    type: str
    cursor: dict[str, Any] | None
    healthy: bool
    message: str | None
    last_poll_at: datetime | None
    next_poll_at: datetime | None
    posts: int = 0
    #: Set while the platform stopped serving this source (usage cap, credits).
    paused_until: datetime | None = None
    #: Items of this source that could not be stored (the `quarantine` table).
    quarantined: int = 0


# --- classification (filled in by classifiers/) ---------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class SensitiveFinding:
    kind: str  # payment_card | iban | cpf | cnpj | ssn | email | phone | account_number | ...
    start: int
    end: int
    #: The matched value with all but its edges masked; never the full value.
    preview: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Signals:
    sentiment: str  # negative | neutral | positive
    sentiment_score: float
    complaint: float
    private_score: float
    intents: dict[str, float]
    sensitive: tuple[SensitiveFinding, ...]
    language: str | None
    keywords: tuple[str, ...] = ()
    #: The sentiment head's probability of each label (empty when unknown): a rule on
    #: sentiment is as sure as the probability of the labels it names.
    sentiment_scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class Decision:
    route: Route
    tier: int | None
    confidence: float
    needs_review: bool
    rule: str
    explanation: str
    priority: str = "normal"
    rules_tried: tuple[str, ...] = ()
    scores: dict[str, Any] = field(default_factory=dict)
    model_version: str | None = None
    rules_version: str | None = None
    sink: str | None = None
    #: One plain sentence per interface language (`en`, `pt_BR`, `es`): where the post went and why
    #: (classifiers/summary.py). The explanation is the full rule trace.
    summary: dict[str, str] = field(default_factory=dict)


# --- escalation (filled in by escalation/) ---------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class TicketRef:
    """A helpdesk's answer to a created (or found) ticket."""

    ticket_id: str
    url: str | None = None
    status: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Case:
    """A post that must reach a helpdesk, written in the same transaction as its decision."""

    id: int
    post: Post
    decision: Decision
    signals: Signals | None
    sink: str
    #: Derived from the post identity and route; the same key never makes two tickets.
    idempotency_key: str
    status: CaseStatus = CaseStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    ticket: TicketRef | None = None
    last_error: str | None = None
    #: Earlier posts of the same thread, oldest first, for the agent's context.
    thread: tuple[Post, ...] = ()
    created_at: datetime | None = None


# --- answering (filled in by the responders in listener/) -----------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class SentMessage:
    """What a platform answered to a reply or DM the brand sent (or would have, in dry run)."""

    #: `reply` (public) or `dm`.
    channel: str
    text: str
    #: The platform's id of the new post or message; None in dry run.
    external_id: str | None = None
    url: str | None = None
    dry_run: bool = False
