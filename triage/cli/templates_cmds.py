"""`social-triage templates ...`: the saved replies in a file, to review them in version
control or copy them between installations (the web app's Saved replies page edits them)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kernel.errors import Forbidden, InputError
from triage.cli.common import config_option
from triage.cli.queue_common import acting_user, as_option, queue_service
from triage.queue.saved_replies import SavedReplies, fill, ticket_number, unfilled, values_for
from triage.queue.service import QueueService


def _saved(config_path: str | None) -> tuple[SavedReplies, QueueService]:
    service = queue_service(config_path)
    return SavedReplies(service.engine, service.writes), service


@click.group()
def templates() -> None:
    """Saved replies (reply templates with {variables}): list, show, export, import."""


@templates.command("list")
@config_option
def list_cmd(config_path: str | None) -> None:
    """One line per saved reply: id, language, channel, title."""
    saved, _ = _saved(config_path)
    for r in saved.all():
        click.echo(f"{r.id}\t{r.language}\t{r.channel}\t{r.title}")


@templates.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@config_option
def export(path: Path, config_path: str | None) -> None:
    """Write every saved reply to PATH as JSON (title, language, channel, body)."""
    saved, _ = _saved(config_path)
    entries = [
        {"title": r.title, "language": r.language, "channel": r.channel, "body": r.body}
        for r in saved.all()
    ]
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"exported {len(entries)} saved replies to {path}")


@templates.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@as_option
@config_option
def import_cmd(path: Path, as_user: str, config_path: str | None) -> None:
    """Add the saved replies in PATH (as `export` writes it); one with the same title,
    language and channel is replaced. A bad entry changes nothing. Leads and admins."""
    saved, service = _saved(config_path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a JSON file ({exc})") from exc
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected a JSON list of saved replies")
    try:
        added, replaced = saved.import_all(acting_user(service, as_user), entries, str(path))
    except Forbidden as exc:
        raise InputError(str(exc)) from exc
    click.echo(f"imported {path}: {added} added, {replaced} replaced")


@templates.command()
@click.argument("post_id", type=int)
@as_option
@config_option
def show(post_id: int, as_user: str, config_path: str | None) -> None:
    """The saved replies for POST_ID (its language and route), filled in for it, to copy
    into `queue reply` or `queue dm`. The help-article variables stay blank here."""
    saved, service = _saved(config_path)
    user = acting_user(service, as_user)
    item = service.item(post_id)
    language = (item.signals.language if item.signals else None) or item.post.lang
    route = item.decision.route.value
    found = saved.for_post(language, route)
    if not found:
        click.echo(f"no saved reply in {language or 'any language'} for {route} posts")
        return
    values = values_for(
        item,
        agent=user.name,
        brand=service.settings.brand.name,
        case_number=ticket_number(service.engine, post_id),
    )
    for reply in found:
        text = fill(reply.body, values)
        blanks = ", ".join("{" + b + "}" for b in unfilled(text))
        click.echo(
            f"{reply.id}\t{reply.channel}\t{reply.title}"
            + (f"\tto fill: {blanks}" if blanks else "")
        )
        click.echo(f"  {text}")


commands = [templates]
