"""`social-triage queue show|claim|reply|dm|escalate|ignore|correct|note|reassign`: one item
in a terminal, shown and acted on through the same service and audit log as the web's item
page. Subcommands of `queue`, added to it in `triage/cli/__init__.py` as `bulk` is."""

from __future__ import annotations

from typing import Any

import click

from kernel.errors import Conflict, InputError
from triage.cli.common import config_option
from triage.cli.queue_common import acting_user, as_option, queue_service
from triage.queue.invitation import invitation_for
from triage.queue.models import CORRECTABLE, User
from triage.queue.service import Forbidden, QueueService


@click.command()
@click.argument("post_id", type=int)
@config_option
@click.option(
    "--no-suggestions", is_flag=True, help="Skip the suggested answers (no model is loaded)."
)
def show(post_id: int, config_path: str | None, no_suggestions: bool) -> None:
    """One item: text, thread, signals, explanation, replies, history and suggested answers."""
    service = queue_service(config_path)
    detail = service.detail(post_id)
    item = detail.item
    p = item.post
    state, age = service.sla(item)
    for parent in detail.thread:
        click.echo(f"  ↑ @{parent.author.handle}: {' '.join(parent.text.split())}")
    click.echo(
        f"post {item.post_id} {p.source}:{p.external_id} by @{p.author.handle} {p.url or ''}"
    )
    click.echo(f"  {item.text}")
    d = item.decision
    click.echo(
        f"route {d.route.value} (rule {d.rule}, confidence {d.confidence:.2f}"
        f"{', needs review' if d.needs_review else ''}); status {item.status.value}; "
        f"age {age} ({state})"
    )
    if item.claim:
        click.echo(f"claimed by {item.claim.by} until {item.claim.until:%H:%M}Z")
    click.echo("explanation:")
    for line in d.explanation.splitlines():
        click.echo(f"  {line}")
    for reply in detail.brand_replies:
        click.echo(f"  brand @{reply.author.handle}: {' '.join(reply.text.split())}")
    for sent in detail.replies:
        dry = " (dry run)" if sent.dry_run else ""
        click.echo(f"  sent {sent.channel}{dry} by {sent.sent_by}: {sent.text}")
    if detail.case:
        click.echo(f"case {detail.case.case_id} → {detail.case.sink}: {detail.case.status}")
    _echo_customer(service, item)
    if not no_suggestions:
        _echo_suggestions(service.settings, item, service.store)
    for entry in detail.history:
        click.echo(f"  {entry.at:%Y-%m-%d %H:%M} {entry.actor} {entry.action} {entry.detail or ''}")


def _echo_customer(service: QueueService, item: Any) -> None:
    """The author's other posts, their answers and cases, as on the item page."""
    from triage.queue.customer import customer

    found = customer(service.reads, item)
    if found is None:
        return
    click.echo(
        f"customer @{found.author.handle} on {found.source}: {found.total} other posts, "
        f"{found.answered} answered, {found.cases} helpdesk cases "
        f"(queue list --search '{found.search}' --source {found.source})"
    )
    for cp in found.posts:
        other = cp.item
        text = " ".join(other.text.split())
        text = text if len(text) <= 70 else text[:69] + "…"
        click.echo(
            f"  {other.post_id:>7} {other.post.created_at:%Y-%m-%d} "
            f"{other.decision.route.value} {other.status.value}: {text}"
        )
        for answer in cp.answers:
            dry = " (dry run)" if answer.dry_run else ""
            said = " ".join(answer.text.split())[:70]
            click.echo(f"          {answer.channel}{dry} by {answer.by}: {said}")
        for case in cp.cases:
            ticket = f" ticket {case.ticket_id}" if case.ticket_id else ""
            click.echo(f"          case {case.id} → {case.sink}: {case.status}{ticket}")


def _echo_suggestions(settings: Any, item: Any, store: Any) -> None:
    """The suggested replies and help articles, as on the web app's item page."""
    from triage.suggest import suggestions
    from triage.suggest.history import SentHistory

    encoder = None
    if settings.suggestions.knowledge_base is not None:
        from triage.digest.build import shared_encoder

        encoder = shared_encoder(settings)
    found = suggestions(
        item.post,
        item.decision,
        item.signals,
        settings=settings,
        encoder=encoder,
        history=SentHistory(store),
    )
    for reply in found.replies:
        click.echo(f"suggested {reply.channel} ({reply.label}):")
        for line in reply.text.splitlines():
            click.echo(f"  {line}")
    for article in found.articles:
        click.echo(f"article {article.score:.0%} {article.title}: {article.url}")


def _run(config_path: str | None, as_user: str, action: Any) -> None:
    service = queue_service(config_path)
    try:
        message = action(service, acting_user(service, as_user))
    except Conflict as exc:
        hint = " (--again to send anyway)" if exc.answered else ""
        hint = f" (--take-over to answer over {exc.claimant})" if exc.claimant else hint
        raise InputError(f"{exc}{hint}") from exc
    except Forbidden as exc:
        raise InputError(str(exc)) from exc
    click.echo(message)


@click.command()
@click.argument("post_id", type=int)
@click.option("--take-over", is_flag=True, help="Claim it even if someone else holds it.")
@as_option
@config_option
def claim(post_id: int, take_over: bool, as_user: str, config_path: str | None) -> None:
    """Claim POST_ID for a while (web.claim_minutes); others see it is taken."""
    _run(
        config_path,
        as_user,
        lambda s, u: f"claimed until {s.claim(post_id, u, take_over=take_over):%H:%M}Z",
    )


def answer_options(func: Any) -> Any:
    """The explicit overrides an answer may need (the web app's checkboxes)."""
    func = click.option(
        "--again", is_flag=True, help="Answer even though the post is already answered."
    )(func)
    return click.option(
        "--take-over",
        is_flag=True,
        help="Answer a post someone else has claimed (they see it was taken over).",
    )(func)


def _sent(message: Any) -> str:
    dry = " (dry run: nothing was sent)" if message.dry_run else ""
    return f"{message.channel} stored{dry}" + (f": {message.url}" if message.url else "")


@click.command()
@click.argument("post_id", type=int)
@click.argument("text", required=False)
@click.option("--dm-invite", is_flag=True, help="Post the standard 'let's continue in DM' reply.")
@answer_options
@as_option
@config_option
def reply(
    post_id: int,
    text: str | None,
    dm_invite: bool,
    take_over: bool,
    again: bool,
    as_user: str,
    config_path: str | None,
) -> None:
    """Reply publicly to POST_ID with TEXT (dry run unless replies.dry_run is false). Needs
    your claim (an unclaimed post is claimed now); --take-over and --again are the explicit
    overrides for someone else's claim and an answered post."""
    if not text and not dm_invite:
        raise click.UsageError("give TEXT or --dm-invite")
    _run(
        config_path,
        as_user,
        lambda s, u: _sent(
            s.respond(
                post_id,
                u,
                text or invitation_for(s.item(post_id)),
                channel="reply",
                take_over=take_over,
                again=again,
            )
        ),
    )


@click.command()
@click.argument("post_id", type=int)
@click.argument("text")
@answer_options
@as_option
@config_option
def dm(
    post_id: int, text: str, take_over: bool, again: bool, as_user: str, config_path: str | None
) -> None:
    """Send TEXT privately to the author of POST_ID (the same rules as `reply`)."""
    _run(
        config_path,
        as_user,
        lambda s, u: _sent(
            s.respond(post_id, u, text, channel="dm", take_over=take_over, again=again)
        ),
    )


@click.command()
@click.argument("post_id", type=int)
@click.option("--reason", default="")
@as_option
@config_option
def escalate(post_id: int, reason: str, as_user: str, config_path: str | None) -> None:
    """Make POST_ID a helpdesk case (through the outbox; never twice)."""
    _run(config_path, as_user, lambda s, u: f"case {s.escalate(post_id, u, reason)} created")


@click.command()
@click.argument("post_id", type=int)
@click.option("--reason", default="")
@as_option
@config_option
def ignore(post_id: int, reason: str, as_user: str, config_path: str | None) -> None:
    """Take POST_ID out of the queue without an answer."""
    _run(config_path, as_user, lambda s, u: (s.ignore(post_id, u, reason), "ignored")[1])


@click.command()
@click.argument("post_id", type=int)
@click.argument("field", type=click.Choice(CORRECTABLE))
@click.argument("value")
@as_option
@config_option
def correct(post_id: int, field: str, value: str, as_user: str, config_path: str | None) -> None:
    """Correct FIELD of POST_ID to VALUE; the item is re-decided at once."""

    def act(s: QueueService, u: User) -> str:
        d = s.correct(post_id, u, field, value)
        return f"re-decided: {d.route.value} (rule {d.rule})"

    _run(config_path, as_user, act)


@click.command()
@click.argument("post_id", type=int)
@click.argument("text")
@as_option
@config_option
def note(post_id: int, text: str, as_user: str, config_path: str | None) -> None:
    """Add a note to POST_ID for the team."""
    _run(config_path, as_user, lambda s, u: (s.note(post_id, u, text), "noted")[1])


@click.command()
@click.argument("post_id", type=int)
@click.argument("to")
@as_option
@config_option
def reassign(post_id: int, to: str, as_user: str, config_path: str | None) -> None:
    """Give POST_ID to another person (leads and admins)."""
    _run(config_path, as_user, lambda s, u: (s.reassign(post_id, u, to), f"assigned to {to}")[1])


subcommands = [show, claim, reply, dm, escalate, ignore, correct, note, reassign]
