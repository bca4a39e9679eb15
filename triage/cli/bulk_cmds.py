"""`social-triage queue bulk ...`: the queue page's bulk select in a terminal (ignore spam,
escalate to the helpdesk, assign to a person, undo within 10 s), through the same
`triage.queue.bulk` and audit log."""

from __future__ import annotations

import click

from kernel.errors import Forbidden, InputError
from triage.cli.common import config_option
from triage.cli.queue_common import acting_user, as_option, queue_service
from triage.queue.bulk import Batch, BulkActions
from triage.queue.models import UNDO_SECONDS


@click.group()
def bulk() -> None:
    """Act on many posts at once (skips what is claimed by someone else or already done)."""


def _report(batch: Batch) -> None:
    verb = {
        "ignore": "ignored",
        "escalate": "escalated",
        "assign": f"assigned to {batch.to}",
        "undo": "undone",
    }
    done = " ".join(str(i) for i in batch.done)
    if batch.cases:
        done = " ".join(f"{i} (case {c})" for i, c in zip(batch.done, batch.cases, strict=True))
    click.echo(f"{verb[batch.action]} {len(batch.done)}: {done}".rstrip(": "))
    for skipped in batch.skipped:
        click.echo(f"  skipped #{skipped.post_id}: {skipped.reason}")
    if batch.action != "undo" and batch.done:
        click.echo(
            f"batch {batch.id}; within {UNDO_SECONDS} s: "
            f"social-triage queue bulk undo {batch.id} --as {batch.by}"
        )
    if not batch.done:
        raise InputError(f"nothing {verb[batch.action]}: every post was skipped")


def _act(
    config_path: str | None, as_user: str, action: str, ids: tuple[int, ...], **kw: str
) -> None:
    service = queue_service(config_path)
    user = acting_user(service, as_user)
    actions = BulkActions(service)
    try:
        if action == "ignore":
            batch = actions.ignore(list(ids), user, kw.get("reason", ""))
        elif action == "escalate":
            batch = actions.escalate(list(ids), user, kw.get("reason", ""))
        elif action == "assign":
            batch = actions.assign(list(ids), user, kw["to"])
        else:
            batch = actions.undo(ids[0], user)
    except Forbidden as exc:  # a Conflict too: the undo came too late or is someone else's
        raise InputError(str(exc)) from exc
    _report(batch)


@bulk.command("ignore")
@click.argument("post_ids", type=int, nargs=-1, required=True)
@click.option("--reason", default="", help="Why, for the audit log (e.g. spam).")
@as_option
@config_option
def ignore(post_ids: tuple[int, ...], reason: str, as_user: str, config_path: str | None) -> None:
    """Ignore POST_IDS (open ones nobody else holds); the rest are listed with the reason."""
    _act(config_path, as_user, "ignore", post_ids, reason=reason)


@bulk.command("escalate")
@click.argument("post_ids", type=int, nargs=-1, required=True)
@click.option("--reason", default="", help="Why, for the case and the audit log.")
@as_option
@config_option
def escalate(post_ids: tuple[int, ...], reason: str, as_user: str, config_path: str | None) -> None:
    """Make POST_IDS helpdesk cases (open ones nobody else holds, one case per post); the
    rest are listed with the reason."""
    _act(config_path, as_user, "escalate", post_ids, reason=reason)


@bulk.command("assign")
@click.argument("to")
@click.argument("post_ids", type=int, nargs=-1, required=True)
@as_option
@config_option
def assign(to: str, post_ids: tuple[int, ...], as_user: str, config_path: str | None) -> None:
    """Give POST_IDS to TO (their claim); leads and admins only."""
    _act(config_path, as_user, "assign", post_ids, to=to)


@bulk.command("undo")
@click.argument("batch_id", type=int)
@as_option
@config_option
def undo(batch_id: int, as_user: str, config_path: str | None) -> None:
    """Take back your batch BATCH_ID within 10 s (posts someone acted on since stay)."""
    _act(config_path, as_user, "undo", (batch_id,))
