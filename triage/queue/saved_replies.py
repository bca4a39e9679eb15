"""Saved replies: reply templates leads write in the web app (`/templates`) and agents pick on
the item page (`t`, or the plain select without JavaScript).

A template is plain text with `{variables}` (`VARIABLES`); the item page fills in what it
knows for the post and leaves the rest as written, so `{case_number}` stays visible in the box
for the agent to replace. `unfilled` finds such a blank, and `triage.queue.answering.respond`
refuses to send a text that still has one: a customer never receives "{case_number}".
Only the names in `VARIABLES` are variables; any other `{word}` is refused when the template
is saved, so a typo cannot slip through as literal text. Every change is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine, RowMapping

from classifiers.sensitive import redact
from kernel.errors import Forbidden, InputError
from triage.queue.models import QueueItem, User
from triage.storage import saved_replies as rows
from triage.storage.cases import newest_ticket_id
from triage.suggest.replies import clean_handle, first_name

if TYPE_CHECKING:
    from triage.queue.writes import QueueWrites

#: The variables a template may use, and what each becomes (shown on the Saved replies page).
VARIABLES: dict[str, str] = {
    "author_name": "the author's first name (left blank when the display name is not a name)",
    "author_handle": "the author's handle, without @ (write @{author_handle})",
    "case_number": "the helpdesk ticket number of the post's case, once the helpdesk gave one",
    "article_url": "the link of the best-matching help article",
    "article_title": "the title of the best-matching help article",
    "agent_name": "your user name",
    "brand": "the brand's name (brand.name)",
}
#: Languages offered on the page; any `xx` or `xx_YY` code is accepted.
LANGUAGES = ("en", "pt_BR", "es")
CHANNELS = {"reply": "Public reply", "dm": "Direct message"}
TITLE_MAX = 120
BODY_MAX = 5_000
_WORD = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
#: Long digit runs glued to letters in a handle escape the detector's word boundaries.
_LONG_NUMBER = re.compile(r"\d{6,}")


@dataclass(frozen=True, kw_only=True, slots=True)
class SavedReply:
    id: int
    title: str
    language: str
    #: `reply` (public) or `dm`.
    channel: str
    body: str
    updated_by: str
    updated_at: datetime


def unknown_variables(body: str) -> list[str]:
    return sorted({m for m in _WORD.findall(body) if m not in VARIABLES})


def unfilled(text: str) -> list[str]:
    """The variables still written as `{name}` in a text, in order of appearance, once each."""
    return list(dict.fromkeys(m for m in _WORD.findall(text) if m in VARIABLES))


def fill(body: str, values: Mapping[str, str | None]) -> str:
    """The body with every variable that has a value replaced; the others stay as written."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return value if value else match.group(0)

    return _WORD.sub(one, body)


def same_language(template: str, post: str | None) -> bool:
    """`pt_BR` serves a post detected as `pt` (or `pt-BR`); a post of unknown language is
    served by every template."""
    if not post:
        return True
    return template.split("_")[0].lower() == post.replace("-", "_").split("_")[0].lower()


def channels_for(route: str) -> tuple[str, ...]:
    """Which templates a post's route offers: DMs (and the public "continue in DM" replies)
    for `private_dm`, public replies for every other route."""
    return ("dm", "reply") if route == "private_dm" else ("reply",)


def check(title: str, language: str, channel: str, body: str) -> tuple[str, str, str, str]:
    """The cleaned fields, or an `InputError` naming the field at fault."""
    title, language, body = title.strip(), language.strip(), body.strip()
    if not title:
        raise InputError("saved reply: the title is empty")
    if len(title) > TITLE_MAX:
        raise InputError(f"saved reply: the title is longer than {TITLE_MAX} characters")
    if not _LANGUAGE.fullmatch(language):
        raise InputError(f"saved reply: language {language[:20]!r} is not a code like en or pt_BR")
    if channel not in CHANNELS:
        raise InputError(f"saved reply: channel {channel[:20]!r} is not one of reply, dm")
    if not body:
        raise InputError("saved reply: the text is empty")
    if len(body) > BODY_MAX:
        raise InputError(f"saved reply: the text is longer than {BODY_MAX:,} characters")
    unknown = unknown_variables(body)
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        known = ", ".join("{" + n + "}" for n in VARIABLES)
        raise InputError(f"saved reply: unknown variable {names}; the variables are {known}")
    return title, language, channel, body


def values_for(
    item: QueueItem,
    *,
    agent: str,
    brand: str,
    case_number: str | None,
    article: tuple[str, str] | None = None,
) -> dict[str, str | None]:
    """What the variables become for this post. A value nobody knows (no ticket number yet, a
    display name that is not a name) stays None, so the variable is left visible. `article`
    is the best help article's (title, http(s) url); none is filled in for a post with
    sensitive data (the agent decides)."""
    post = item.post
    handle = clean_handle(post.author.handle)
    handle = _LONG_NUMBER.sub(lambda m: "*" * len(m.group(0)), redact(handle))
    if item.signals and item.signals.sensitive:
        article = None
    return {
        "author_name": first_name(post.author.name),
        "author_handle": handle or None,
        "case_number": case_number,
        "article_url": article[1] if article else None,
        "article_title": article[0] if article else None,
        "agent_name": agent,
        "brand": brand or None,
    }


def ticket_number(engine: Engine, post_id: int) -> str | None:
    """The helpdesk's ticket number for the post's newest case, if the helpdesk gave one."""
    with engine.connect() as conn:
        found = newest_ticket_id(conn, post_id)
    return str(found) if found else None


class SavedReplies:
    """The saved replies in the database; changes need a lead or admin and are audited."""

    def __init__(self, engine: Engine, writes: QueueWrites) -> None:
        self.engine = engine
        self.writes = writes

    def all(self) -> list[SavedReply]:
        with self.engine.connect() as conn:
            return [_record(r) for r in rows.every(conn)]

    def get(self, reply_id: int) -> SavedReply:
        with self.engine.connect() as conn:
            row = rows.get(conn, reply_id)
        if row is None:
            raise InputError(f"no saved reply {reply_id}")
        return _record(row)

    def for_post(self, language: str | None, route: str) -> list[SavedReply]:
        """The templates in the post's language for its route's channels, the route's own
        channel first (`channels_for`)."""
        wanted = channels_for(route)
        found = [
            r for r in self.all() if r.channel in wanted and same_language(r.language, language)
        ]
        return sorted(found, key=lambda r: (wanted.index(r.channel), r.title.lower(), r.id))

    def add(self, user: User, *, title: str, language: str, channel: str, body: str) -> int:
        _require_lead(user)
        title, language, channel, body = check(title, language, channel, body)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            new_id = rows.add(
                conn,
                title=title,
                language=language,
                channel=channel,
                body=body,
                by=user.name,
                now=now,
            )
            self.writes.audit(
                conn,
                user.name,
                "saved_reply_add",
                None,
                id=new_id,
                title=title,
                language=language,
                channel=channel,
            )
        return new_id

    def update(
        self, user: User, reply_id: int, *, title: str, language: str, channel: str, body: str
    ) -> None:
        _require_lead(user)
        title, language, channel, body = check(title, language, channel, body)
        with self.engine.begin() as conn:
            done = rows.change(
                conn,
                reply_id,
                by=user.name,
                now=datetime.now(UTC),
                title=title,
                language=language,
                channel=channel,
                body=body,
            )
            if not done:
                raise InputError(f"no saved reply {reply_id}")
            self.writes.audit(
                conn,
                user.name,
                "saved_reply_edit",
                None,
                id=reply_id,
                title=title,
                language=language,
                channel=channel,
            )

    def import_all(self, user: User, entries: list[dict[str, Any]], origin: str) -> tuple[int, int]:
        """Add the entries (`export` writes them), replacing a saved reply of the same title,
        language and channel; every entry is checked before anything is written, so a bad
        file changes nothing. Returns (added, replaced)."""
        _require_lead(user)
        checked = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise InputError(f"{origin}: entry {number} is not an object")
            fields = [entry.get(k) for k in ("title", "language", "channel", "body")]
            if not all(isinstance(f, str) for f in fields):
                raise InputError(
                    f"{origin}: entry {number} needs title, language, channel and body as text"
                )
            try:
                checked.append(check(*fields))  # type: ignore[arg-type]
            except InputError as exc:
                raise InputError(f"{origin}: entry {number}: {exc}") from exc
        existing = {(r.title, r.language, r.channel): r.id for r in self.all()}
        added = replaced = 0
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            for title, language, channel, body in checked:
                found = existing.get((title, language, channel))
                if found is not None:
                    rows.change(conn, found, by=user.name, now=now, body=body)
                    replaced += 1
                    continue
                rows.add(
                    conn,
                    title=title,
                    language=language,
                    channel=channel,
                    body=body,
                    by=user.name,
                    now=now,
                )
                added += 1
            self.writes.audit(
                conn,
                user.name,
                "saved_reply_import",
                None,
                origin=origin,
                added=added,
                replaced=replaced,
            )
        return added, replaced

    def delete(self, user: User, reply_id: int) -> None:
        _require_lead(user)
        with self.engine.begin() as conn:
            row = rows.get(conn, reply_id)
            if row is None:
                raise InputError(f"no saved reply {reply_id}")
            rows.remove(conn, reply_id)
            # The whole template goes into the entry: a deletion by mistake can be undone.
            self.writes.audit(
                conn,
                user.name,
                "saved_reply_delete",
                None,
                id=reply_id,
                title=row["title"],
                language=row["language"],
                channel=row["channel"],
                body=row["body"],
            )


def _require_lead(user: User) -> None:
    if not user.is_lead:
        raise Forbidden("saved replies are managed by leads and admins")


def _record(row: RowMapping) -> SavedReply:
    return SavedReply(
        id=int(row["id"]),
        title=row["title"],
        language=row["language"],
        channel=row["channel"],
        body=row["body"],
        updated_by=row["updated_by"],
        updated_at=row["updated_at"],
    )
