"""Answering a post (reply or DM): the one path by which the queue talks to customers.

One transaction checks and takes the item (`triage.queue.guard`) and writes the send log's
row under the form's one-time token before the platform is asked; then the source's responder
posts it; then the item is marked answered. `QueueService.respond` calls `respond` here,
passing itself as the `Desk` (what answering needs of the service, named here so this module
does not import the service that imports it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from config.schema import Settings
from kernel.abc import Responder
from kernel.errors import ConfigError, InputError, ReplyError
from kernel.models import StoredPost
from triage.queue.models import ItemStatus, QueueItem, User
from triage.queue.saved_replies import unfilled
from triage.queue.writes import ItemState, QueueWrites
from triage.storage import Store
from triage.storage.answers import send


class Desk(Protocol):
    """What answering needs of the queue service (`triage.queue.service.QueueService`): its
    settings, database and writes, the guarded transition every action makes (`_begin`,
    `_advance`), the stored post and the source's responder."""

    settings: Settings
    store: Store
    engine: Engine
    writes: QueueWrites

    def responder(self, source_name: str | None) -> Responder: ...

    def _begin(
        self,
        conn: Any,
        post_id: int,
        user: User,
        action: str,
        *,
        take_over: bool = False,
        again: bool = False,
    ) -> tuple[ItemState, QueueItem]: ...

    def _advance(
        self, conn: Any, post_id: int, seen: ItemState, user: User, **values: Any
    ) -> None: ...

    def _stored(self, post_id: int) -> StoredPost: ...


def respond(
    service: Desk,
    post_id: int,
    user: User,
    text: str,
    *,
    channel: str,
    take_over: bool = False,
    again: bool = False,
    token: str | None = None,
) -> Any:
    """Reply publicly (`reply`) or privately (`dm`); returns the `SentMessage`.

    One transaction checks and takes the item (`guard`: the caller's claim, or an
    unclaimed item claimed now, or an explicit `take_over`; an answered post only with
    `again`) and writes the send log's row before the platform is asked, under the
    form's one-time `token`: a double submit finds that row and sends nothing, and a
    second answer (another tab, another agent) finds the post answered. Then
    `triage.storage.answers.send` posts through the source's responder and stores a
    published public reply as the brand's post answering this one. A `ReplyError` (the
    platform refused) removes the row, is recorded in the audit log and raised; the item
    stays open and claimed.
    """
    text = text.strip()
    if not text:
        raise InputError("reply: the message is empty")
    if len(text) > 10_000:
        raise InputError("reply: the message is longer than 10,000 characters")
    if channel not in ("reply", "dm"):
        raise InputError(f"reply: unknown channel {channel!r}")
    blanks = unfilled(text)
    if blanks:  # a saved reply's variable nobody filled: never sent as "{case_number}"
        names = ", ".join("{" + b + "}" for b in blanks)
        raise InputError(f"reply: fill in {names} first (the saved reply had no value for it)")
    token = (token or "").strip()[:100] or None
    until = datetime.now(UTC) + timedelta(minutes=service.settings.web.claim_minutes)
    try:
        with service.engine.begin() as conn:
            if token:
                already = service.writes.replied_with(conn, token)
                if already is not None:
                    return already
            state, item = service._begin(
                conn, post_id, user, channel, take_over=take_over, again=again
            )
            service._advance(
                conn, post_id, state, user, claimed_by=user.name, claim_expires_at=until
            )
            reply_id = service.writes.reserve_reply(
                conn,
                post_id,
                channel=channel,
                text=text,
                dry_run=service.settings.replies.dry_run,
                by=user.name,
                key=token,
            )
    except IntegrityError:  # the same form, submitted twice at the same moment
        with service.engine.connect() as conn:
            found = service.writes.replied_with(conn, token or "")
        if found is None:
            raise
        return found
    stored = service._stored(post_id)
    try:
        responder = service.responder(item.fetched_by)
        sent = send(
            service.store,
            responder,
            stored,
            text,
            channel=channel,
            brand_handle=service.settings.brand.name,
        )
    except (ReplyError, ConfigError) as exc:
        with service.engine.begin() as conn:
            service.writes.drop_reply(conn, reply_id)
            service.writes.audit(
                conn,
                user.name,
                f"{channel}_failed",
                post_id,
                error=str(exc).splitlines()[0][:300],
            )
        raise
    with service.engine.begin() as conn:
        service.writes.complete_reply(conn, reply_id, sent)
        state = service.writes.lock(conn, post_id, user.name)
        service._advance(
            conn,
            post_id,
            state,
            user,
            status=ItemStatus.ANSWERED.value,
            claimed_by=None,
            claim_expires_at=None,
        )
        service.writes.audit(
            conn,
            user.name,
            channel,
            post_id,
            dry_run=sent.dry_run,
            external_id=sent.external_id,
            chars=len(sent.text),
            again=again or None,
        )
    return sent
