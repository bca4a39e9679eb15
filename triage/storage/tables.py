"""The schema, as SQLAlchemy Core tables. Alembic migrations in `triage/migrations` create it.

Rows never leave `triage.storage`: the store turns them into `kernel.models` records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit ids on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every engine, always read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


posts = Table(
    "posts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("external_id", String(191), nullable=False),
    Column("url", Text),
    Column("author_handle", String(255), nullable=False),
    Column("author_name", String(255)),
    Column("author_external_id", String(191)),
    Column("author_followers", BigInteger),
    Column("author_verified", Boolean),
    Column("author_is_brand", Boolean, nullable=False, default=False),
    Column("text", Text, nullable=False),
    Column("lang", String(16)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("conversation_id", String(191)),
    Column("parent_id", String(191)),
    Column("kind", String(16), nullable=False),
    Column("query", Text),
    #: The configured source (poller) that first stored the post.
    Column("fetched_by", String(64), nullable=False),
    #: The brand the post is addressed to: its source's `brand`, else `brand.name`.
    Column("brand", Text),
    Column("raw", JSON, nullable=False),
    #: Set when the post's current decision is stored; NULL posts wait for the classifier.
    Column("classified_at", UTCDateTime),
    UniqueConstraint("source", "external_id"),
    Index(None, "ingested_at"),
    Index(None, "source", "conversation_id"),
    Index(None, "classified_at"),
    #: The brand's answers to a post (triage.storage.answers).
    Index(None, "source", "parent_id"),
    #: A view sorted by time left reads each route's open items oldest first
    #: (`triage.queue.due`): walked in this order, it stops after a page (migration 0016).
    Index(None, "created_at", "id"),
)

source_state = Table(
    "source_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("cursor", JSON),
    Column("healthy", Boolean, nullable=False, default=True),
    Column("message", Text),
    Column("last_poll_at", UTCDateTime),
    Column("next_poll_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    #: Not polled before this (X usage cap, depleted credits) unless resumed by hand.
    Column("paused_until", UTCDateTime),
)

poll_runs = Table(
    "poll_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("fetched", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("pages", Integer, nullable=False, default=0),
    #: running | ok | rate_limited | auth_error | error | interrupted
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("rate_limit_wait_seconds", Float),
    #: Items the poll could not store (malformed), and items the platform returned (billed).
    Column("skipped", Integer, nullable=False, server_default="0"),
    Column("reads", Integer, nullable=False, server_default="0"),
    Index(None, "source", "started_at"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", name="fk_decisions_post"), nullable=False),
    Column("route", String(16), nullable=False),
    Column("tier", Integer),
    Column("priority", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("rule", Text, nullable=False),
    Column("rules_tried", JSON, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("scores", JSON, nullable=False),
    #: Sentiment, scores, intents, language and sensitive kinds with redacted previews only.
    Column("signals", JSON),
    Column("sink", String(64)),
    Column("model_version", Text),
    Column("rules_version", Text),
    #: `classifier`, or `agent:NAME` for a human correction.
    Column("decided_by", Text, nullable=False),
    #: The one-sentence summary per interface language (`classifiers/summary.py`).
    Column("summary", JSON),
    Column("decided_at", UTCDateTime, nullable=False),
    #: Set when a newer decision replaces this one; the current decision has NULL.
    Column("superseded_at", UTCDateTime),
    Index(None, "post_id"),
    Index(None, "route", "superseded_at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", name="fk_cases_post"), nullable=False),
    Column("decision_id", Id, ForeignKey("decisions.id", name="fk_cases_decision"), nullable=False),
    Column("sink", String(64), nullable=False),
    Column("idempotency_key", String(191), nullable=False),
    #: held | pending | sent | failed | dead | closed
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime),
    Column("ticket_id", String(191)),
    Column("ticket_url", Text),
    Column("ticket_status", Text),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    #: A suggested public reply once the ticket is closed (the `follow_up.txt.j2` template).
    Column("follow_up", Text),
    #: The delivery worker holding the case's lease (`next_attempt_at` is when it ends).
    Column("claimed_by", Text),
    UniqueConstraint("idempotency_key"),
    Index(None, "status", "next_attempt_at"),
)

# --- the review queue (triage/queue, triage/web) ---------------------------------------------

# Queue views walk the current decisions newest post first (or least confident first) and stop
# after a page, instead of sorting every open item (migration 0005).
Index(None, decisions.c.route, decisions.c.superseded_at, decisions.c.post_id)
Index(None, decisions.c.superseded_at, decisions.c.post_id)
Index(None, decisions.c.superseded_at, decisions.c.confidence, decisions.c.id)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    #: agent | lead | marketing | admin
    Column("role", Text, nullable=False),
    #: argon2id hash (argon2-cffi); never the password.
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    #: The web app's language for this person (`kernel.vocab.LOCALES`); NULL: the `locale` setting.
    Column("locale", Text),
    UniqueConstraint("name"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    #: sha256 of the cookie's token: a copy of this table cannot be replayed as a login.
    Column("token_hash", Text, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", name="fk_web_sessions_user"), nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "expires_at"),
)

#: Work state of a decided post; a post without a row is open and unclaimed.
queue_items = Table(
    "queue_items",
    metadata,
    Column("post_id", Id, ForeignKey("posts.id", name="fk_queue_items_post"), primary_key=True),
    #: open | answered | ignored | escalated
    Column("status", Text, nullable=False),
    Column("claimed_by", Text),
    Column("claim_expires_at", UTCDateTime),
    Column("assigned_to", Text),
    Column("updated_by", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    #: Bumped by every action: a conditional update on it is how two agents never both win.
    Column("version", Integer, nullable=False, default=0, server_default="0"),
    Index(None, "status"),
)

#: Failed log-ins per account and per client address (keys are sha256 hashes: neither a
#: name typed by a stranger nor an address is stored in clear), and the addresses an account
#: last logged in from. Counted with one atomic upsert, so concurrent guesses all count.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False, default=0),
    #: How many locks this key has had since its last good log-in: each lasts twice as long.
    Column("locks", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

#: Who has an item open and what they are doing (`viewing` or `replying`), refreshed by the
#: page's polling; rows older than a minute mean nothing (two web workers agree).
presence = Table(
    "presence",
    metadata,
    Column("post_id", Id, primary_key=True),
    Column("user_name", Text, primary_key=True),
    Column("activity", Text, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Index(None, "seen_at"),
)

#: Saved replies: reply templates leads write for agents, per language and channel, with
#: `{variables}` the item page fills in (`triage.queue.saved_replies`).
saved_replies = Table(
    "saved_replies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    #: en | pt_BR | es ...: the language the text is written in.
    Column("language", String(16), nullable=False),
    #: reply (public) | dm
    Column("channel", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("updated_by", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "language", "channel"),
)

#: Every reply and DM an agent sent, or would have sent in dry run.
replies = Table(
    "replies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", name="fk_replies_post"), nullable=False),
    #: reply | dm
    Column("channel", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("external_id", Text),
    Column("url", Text),
    Column("sent_by", Text, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    #: The reply form's one-time token: a double submit finds its row and sends nothing.
    Column("idempotency_key", Text),
    Index(None, "post_id"),
    UniqueConstraint("idempotency_key"),
)

#: Labelled texts that are not stored posts: a team's earlier labels, imported from a CSV
#: (`corrections import`). The text is masked at rest like a post's.
examples = Table(
    "examples",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("lang", String(16)),
    Column("brand", Text),
    #: Where it came from: `import:FILE.csv:ROW`.
    Column("origin", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

#: A person's label for a post (or an imported example): training data, and the reason for a
#: re-decision. Exactly one of `post_id` and `example_id` is set.
corrections = Table(
    "corrections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", name="fk_corrections_post")),
    #: route | sentiment | complaint | intent | sensitive
    Column("field", Text, nullable=False),
    Column("old_value", Text),
    Column("new_value", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("example_id", Id, ForeignKey("examples.id", name="fk_corrections_example")),
    #: The brand the label is about (the post's, or the imported row's); NULL: any.
    Column("brand", Text),
    #: `queue` (the web app or `queue correct`) or `import:FILE.csv`.
    Column("origin", Text, nullable=False, server_default="queue"),
    Index(None, "post_id"),
    Index(None, "field"),
)

#: Every head the learning loop fitted, promoted or not, with the figures that decided it
#: (`social-triage learn`). The active version of a task (and brand) is what classifies.
head_versions = Table(
    "head_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("task", Text, nullable=False),
    #: NULL: the global head; else a brand's own route head.
    Column("brand", Text),
    #: candidate (dry run) | rejected | active | retired
    Column("status", Text, nullable=False),
    Column("encoder_version", Text, nullable=False),
    #: The head's metadata: recipe, training data counts, the comparison that decided it.
    Column("metadata", JSON, nullable=False),
    #: The weights, as the `.npz` a heads folder holds.
    Column("weights", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("promoted_at", UTCDateTime),
    Column("retired_at", UTCDateTime),
    #: Why it was promoted, rejected or retired, one line.
    Column("reason", Text),
    Column("run_id", Id),
    #: The version this one replaced when promoted (NULL: the shipped head); a rollback
    #: brings that one back.
    Column("replaces", Id),
    Index(None, "task", "brand", "status"),
)

#: One run of the learning loop (by hand or on the daemon's schedule).
learn_runs = Table(
    "learn_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    #: `cli:NAME`, `schedule`
    Column("trigger", Text, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    #: The newest correction id it saw: the schedule counts new ones from here.
    Column("last_correction_id", Id),
    #: running | done | failed
    Column("status", Text, nullable=False),
    #: One line per task: promoted, rejected (why) or skipped (why).
    Column("summary", Text),
)

#: Who did what, when: every queue action, login and user change.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    #: No foreign key: the record outlives the post.
    Column("post_id", Id),
    Column("detail", Text),
    Index(None, "post_id"),
    Index(None, "actor", "id"),
)

#: Spike and crisis alerts for marketing (triage/digest/alerts.py).
alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    #: `volume` or `negative_share`
    Column("kind", Text, nullable=False),
    #: What the hourly series counts: `brand:NAME` or `theme:INTENT`.
    Column("scope", Text, nullable=False),
    #: Start of the unusual hour (UTC).
    Column("bucket_start", UTCDateTime, nullable=False),
    Column("posts", Integer, nullable=False),
    Column("negative", Integer, nullable=False),
    #: The baseline median (posts, or negative share) and the robust z-score against it.
    Column("baseline", Float, nullable=False),
    Column("score", Float, nullable=False),
    #: The driving posts' ids; their texts are read, and redacted, when the alert is shown.
    Column("post_ids", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("emailed_at", UTCDateTime),
    Column("webhook_at", UTCDateTime),
    Column("last_error", Text),
    #: One alert per kind, scope and hour, whichever replica finds it first.
    UniqueConstraint("kind", "scope", "bucket_start"),
    Index(None, "created_at"),
)

#: Items that could not be stored even after normalising: kept with the reason, never retried
#: automatically, so one bad item never blocks its page or the cursor (`sources` counts them).
quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    #: The configured source (poller) that fetched the item.
    Column("source", Text, nullable=False),
    Column("external_id", Text),
    Column("reason", Text, nullable=False),
    #: The payload as JSON text (cards and credentials masked), cut at 64 KiB.
    Column("payload", Text),
    Column("quarantined_at", UTCDateTime, nullable=False),
    Index(None, "source"),
)

#: Earlier texts of edited posts: `posts.text` is always the newest, older ones are kept here.
post_revisions = Table(
    "post_revisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", name="fk_post_revisions_post"), nullable=False),
    Column("text", Text, nullable=False),
    Column("raw", JSON),
    #: When this text was replaced by a newer one.
    Column("replaced_at", UTCDateTime, nullable=False),
    Index(None, "post_id"),
)

#: What retention keeps of deleted posts: counts per day, source and route, for digests.
retained_counts = Table(
    "retained_counts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("day", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("route", Text, nullable=False),
    Column("posts", Integer, nullable=False),
    UniqueConstraint("day", "source", "route"),
)

#: Each replica's open delivery breakers (triage/outbox_breaker.py), for `social-triage cases`:
#: a row while a sink's breaker is open or probing, deleted when it closes.
sink_breakers = Table(
    "sink_breakers",
    metadata,
    Column("sink", Text, primary_key=True),
    #: host:pid of the process that keeps the breaker (each replica has its own).
    Column("replica", Text, primary_key=True),
    #: open | half-open
    Column("state", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    #: When its cool-down ends and one case probes the sink.
    Column("retry_at", UTCDateTime, nullable=False),
    #: The last error, scrubbed of secrets.
    Column("last_error", Text),
)
