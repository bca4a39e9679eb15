"""Erasure of one author (LGPD art. 18 / GDPR art. 17): everything stored about them goes.

Two passes in one transaction:

1. The author's own posts are deleted with every row that points at them (revisions,
   decisions, cases, queue work, replies, corrections); audit entries about them stay as a
   tombstone (who did what, when) without their detail.
2. The free-text and JSON columns of every other row (`_free_text`) are searched for the
   handle, the display name and the author's words (thread context in other posts'
   `raw["parent"]`, notes, examples, errors) and those are replaced by `[erased]`.

`erase_author(dry_run=True)` runs both and rolls back, so the counts it shows are exact.
Cases already delivered to a remote helpdesk cannot be reached from here: the report lists
their sink and ticket id. File-sink lines are rewritten by `escalation.file.FileSink.erase`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Table,
    Text,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)

from triage.storage.audit import write_audit
from triage.storage.tables import (
    alerts,
    audit_log,
    cases,
    corrections,
    decisions,
    examples,
    poll_runs,
    post_revisions,
    posts,
    quarantine,
    queue_items,
    replies,
    source_state,
)

ERASED = "[erased]"
#: Rows deleted per statement.
_CHUNK = 500
#: Shorter texts are not identifying, and replacing them elsewhere would damage other posts.
_MIN_WORDS = 12
#: Texts of the author the SQL pre-filter of other rows looks for (a statement per table).
_PREFILTER_TEXTS = 50
#: A handle shorter than this is anonymised only as `@handle` (and where a record names it as
#: its author): "bob" or "ana" as a bare word would take ordinary words with it.
_MIN_BARE_HANDLE = 4


@dataclass(frozen=True, kw_only=True, slots=True)
class ErasureReport:
    posts: int = 0
    revisions: int = 0
    decisions: int = 0
    cases: int = 0
    queue_items: int = 0
    replies: int = 0
    corrections: int = 0
    #: Audit entries about the author's posts, kept without their detail.
    audit_tombstones: int = 0
    quarantined: int = 0
    #: Other rows (thread context, notes, examples, errors) where the author was anonymised.
    anonymised: int = 0
    #: (sink, idempotency key) of the author's cases: a file sink drops these lines.
    case_keys: tuple[tuple[str, str], ...] = ()
    #: (sink, ticket id) of cases already sent: they live on in the helpdesk.
    tickets: tuple[tuple[str, str], ...] = ()
    #: What identifies the author, to scrub copies outside the database (file-sink lines).
    needles: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return bool(self.posts or self.quarantined or self.anonymised)

    def counts(self) -> dict[str, int]:
        return {
            "posts": self.posts,
            "revisions": self.revisions,
            "decisions": self.decisions,
            "cases": self.cases,
            "queue_items": self.queue_items,
            "replies": self.replies,
            "corrections": self.corrections,
            "audit_tombstones": self.audit_tombstones,
            "quarantined": self.quarantined,
            "anonymised": self.anonymised,
        }


class Anonymiser:
    """Replaces a handle (as a whole word, with or without `@`), names and texts by `[erased]`
    in strings and JSON values; a JSON object naming the author (thread context) loses every
    string but its ids and dates."""

    _KEEP = frozenset({"external_id", "id", "created_at", "conversation_id", "parent_id"})
    _AUTHOR = ("author", "author_handle", "handle", "username", "screen_name", "user")

    def __init__(self, handle: str, needles: Sequence[str] = ()) -> None:
        self.handle = handle.lstrip("@").lower()
        self.needles = tuple(
            sorted({n for n in needles if n and len(n) >= 4}, key=len, reverse=True)
        )
        parts = [re.escape(n) for n in self.needles]
        at = "@?" if len(self.handle) >= _MIN_BARE_HANDLE else "@"
        parts.append(r"(?<![\w.@])" + at + re.escape(self.handle) + r"(?!\w)")
        self._pattern = re.compile("|".join(parts), re.IGNORECASE)

    def text(self, value: str) -> str:
        return self._pattern.sub(ERASED, value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            if any(
                isinstance(value.get(k), str) and value[k].lstrip("@").lower() == self.handle
                for k in self._AUTHOR
            ):
                return {
                    k: v if k in self._KEEP or not isinstance(v, str) else ERASED
                    for k, v in value.items()
                } | {k: self.value(v) for k, v in value.items() if isinstance(v, dict | list)}
            return {k: self.value(v) for k, v in value.items()}
        return value


def erase_author(
    engine: Engine,
    handle: str,
    *,
    source: str | None = None,
    dry_run: bool = False,
    actor: str = "cli",
) -> ErasureReport:
    """Erase `handle` (case-insensitive, with or without `@`), on one `source` or all; with
    `dry_run` the same work is done and rolled back, for the counts."""
    name = handle.lstrip("@").lower()
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # Deleted rows are overwritten on disk, not left in free pages.
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
            conn.commit()
        transaction = conn.begin()
        try:
            report = _erase(conn, name, source, actor)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return report


def _erase(conn: Connection, name: str, source: str | None, actor: str) -> ErasureReport:
    stmt = select(posts.c.id, posts.c.text, posts.c.author_name).where(
        func.lower(posts.c.author_handle) == name
    )
    if source is not None:
        stmt = stmt.where(posts.c.source == source)
    rows = conn.execute(stmt).all()
    ids = [int(r.id) for r in rows]
    needles = {str(r.text) for r in rows if len(str(r.text).strip()) >= _MIN_WORDS}
    # A display name of one word ("Maria") names many people: only full names are searched.
    needles |= {str(r.author_name).strip() for r in rows if len(str(r.author_name).split()) > 1}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        needles |= {
            str(t)
            for t in conn.execute(
                select(post_revisions.c.text).where(post_revisions.c.post_id.in_(chunk))
            ).scalars()
            if len(str(t).strip()) >= _MIN_WORDS
        }
    sent = conn.execute(
        select(cases.c.sink, cases.c.idempotency_key, cases.c.ticket_id).where(
            cases.c.post_id.in_(ids)
        )
    ).all()
    totals: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        for key, n in delete_posts(conn, ids[start : start + _CHUNK]).items():
            totals[key] = totals.get(key, 0) + n
    # Quarantined payloads are JSON text (a replay line is JSON inside a JSON string): an item
    # by this author names the handle as its author.
    by_author = re.compile(
        r'"(?:author|author_handle|handle|username|screen_name)"\s*:\s*"@?' + re.escape(name) + '"',
        re.IGNORECASE,
    )
    quarantined = 0
    for row_id, payload in conn.execute(select(quarantine.c.id, quarantine.c.payload)).all():
        if payload and by_author.search(payload.replace('\\"', '"')):
            conn.execute(delete(quarantine).where(quarantine.c.id == row_id))
            quarantined += 1
    anonymiser = Anonymiser(name, sorted(needles))
    anonymised = _anonymise_elsewhere(conn, anonymiser, keep_handle_of=name if source else None)
    report = ErasureReport(
        posts=len(ids),
        revisions=totals.get("revisions", 0),
        decisions=totals.get("decisions", 0),
        cases=totals.get("cases", 0),
        queue_items=totals.get("queue_items", 0),
        replies=totals.get("replies", 0),
        corrections=totals.get("corrections", 0),
        audit_tombstones=totals.get("audit", 0),
        quarantined=quarantined,
        anonymised=anonymised,
        case_keys=tuple((str(s), str(k)) for s, k, _ in sent),
        tickets=tuple((str(s), str(t)) for s, _, t in sent if t),
        needles=(name, *anonymiser.needles),
    )
    # The erasure is on record, without whom it was about: the counts only.
    write_audit(conn, actor, "erase", None, report.counts())
    if conn.dialect.name == "sqlite":
        # The full-text index keeps deleted terms in its segments until they are merged.
        conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")
    return report


def delete_posts(conn: Connection, ids: Sequence[int]) -> dict[str, int]:
    """Delete posts and every row that points at them; audit entries keep a tombstone (actor,
    action, time) without their detail, which may quote the post or a reply to it."""

    def gone(table: Table, column: Column[Any]) -> int:
        return int(conn.execute(delete(table).where(column.in_(ids))).rowcount or 0)

    counts = {
        "cases": gone(cases, cases.c.post_id),
        "decisions": gone(decisions, decisions.c.post_id),
        "revisions": gone(post_revisions, post_revisions.c.post_id),
        "queue_items": gone(queue_items, queue_items.c.post_id),
        "replies": gone(replies, replies.c.post_id),
        "corrections": gone(corrections, corrections.c.post_id),
    }
    counts["audit"] = int(
        conn.execute(
            update(audit_log)
            .where(audit_log.c.post_id.in_(ids), audit_log.c.detail.is_not(None))
            .values(detail=None)
        ).rowcount
        or 0
    )
    conn.execute(delete(posts).where(posts.c.id.in_(ids)))
    return counts


def _free_text() -> dict[Table, tuple[Column[Any], ...]]:
    """Where people's words are kept: the free-text and JSON columns. Ids, names of sources,
    routes, rules, statuses and the service's own tables (users, models, counters) are not
    searched, so erasing the handle `x` or `acme` never rewrites a source name or a brand."""
    return {
        posts: (posts.c.text, posts.c.raw, posts.c.url, posts.c.author_name),
        post_revisions: (post_revisions.c.text, post_revisions.c.raw),
        decisions: (decisions.c.explanation, decisions.c.summary, decisions.c.signals),
        cases: (cases.c.last_error, cases.c.follow_up, cases.c.ticket_url),
        replies: (replies.c.text, replies.c.url),
        audit_log: (audit_log.c.detail,),
        quarantine: (quarantine.c.payload, quarantine.c.reason),
        examples: (examples.c.text,),
        alerts: (alerts.c.last_error,),
        poll_runs: (poll_runs.c.error,),
        source_state: (source_state.c.message,),
    }


def _anonymise_elsewhere(
    conn: Connection, anonymiser: Anonymiser, *, keep_handle_of: str | None
) -> int:
    """Scrub the author from the free text of every other row; how many rows changed."""
    changed = 0
    # The SQL pre-filter looks for the handle, names and the first texts; a row holding the
    # author's words names them too (thread context carries its author), and the rows found
    # are rewritten with every text.
    terms = [anonymiser.handle, *(n.lower() for n in anonymiser.needles[:_PREFILTER_TEXTS])]
    for table, columns in _free_text().items():
        pk = list(table.primary_key.columns)
        found = or_(
            *(
                func.lower(cast(c, Text)).contains(term, autoescape=True)
                for c in columns
                for term in terms
            )
        )
        extra = [posts.c.author_handle] if table is posts else []
        for row in conn.execute(select(*pk, *extra, *columns).where(found)).mappings().all():
            if extra and str(row["author_handle"]).lower() == keep_handle_of:
                continue  # the same handle on another platform: someone else
            values: dict[str, Any] = {}
            for column in columns:
                old = row[column.name]
                new = anonymiser.value(old)
                if new != old:
                    values[column.name] = new
            if values:
                conn.execute(update(table).where(*(c == row[c.name] for c in pk)).values(**values))
                changed += 1
    return changed


__all__ = ["ERASED", "Anonymiser", "ErasureReport", "delete_posts", "erase_author"]
