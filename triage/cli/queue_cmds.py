"""`social-triage queue ...`: the review queue in a terminal, same service and audit as the web.

The group, its views (`list`) and the team's `figures`. What every queue command needs (the
service, the person `--as`) is in `queue_common`. One item's commands are in `item_cmds`, many
posts' in `bulk_cmds`; both are added to this group in `triage/cli/__init__.py`."""

from __future__ import annotations

import click

from kernel.errors import InputError
from triage.cli.common import config_option
from triage.cli.queue_common import queue_service
from triage.queue.models import Filters, View


@click.group()
def queue() -> None:
    """Work the review queue from a terminal (same rules and audit log as the web app)."""


@queue.command("list")
@click.option(
    "--view",
    type=click.Choice([v.value for v in View]),
    default=None,
    help="One view (default: public_reply; with --search or --author: every view).",
)
@click.option(
    "--search",
    default="",
    help="Words in the post text, author handle or name (case and accents folded), every view.",
)
@click.option("--author", default="", help="Posts by this handle (`author:@handle`).")
@click.option("--source", default="")
@click.option("--sentiment", default="")
@click.option("--intent", default="")
@click.option("--language", default="")
@click.option("--sensitive", type=click.Choice(["", "yes", "no"]), default="")
@click.option("--limit", type=click.IntRange(1, 500), default=25)
@click.option("--cursor", default=None, help="The cursor printed after a full page.")
@click.option(
    "--sort",
    type=click.Choice(["newest", "due"]),
    default="newest",
    help="newest first, or the least first-response time left first (open views).",
)
@config_option
def list_cmd(
    view: str | None,
    search: str,
    author: str,
    source: str,
    sentiment: str,
    intent: str,
    language: str,
    sensitive: str,
    limit: int,
    cursor: str | None,
    sort: str,
    config_path: str | None,
) -> None:
    """Items of a view, or a search across every view, newest first or least first-response
    time left first (post id, first-response badge, route, status, author, text)."""
    service = queue_service(config_path)
    if author.strip():
        search = f"{search} author:@{author.strip().lstrip('@')}"
    chosen = View(view) if view else None if search.strip() else View.PUBLIC_REPLY
    filters = Filters(
        search=search,
        source=source,
        sentiment=sentiment,
        intent=intent,
        language=language,
        sensitive=sensitive,
    )
    if sort == "due":
        if chosen is None:
            raise InputError("--sort due: name a --view (a search across views is newest first)")
        if cursor and not (cursor.isascii() and cursor.isdigit() and len(cursor) < 5):
            raise InputError(f"--cursor: {cursor[:20]!r} is not a page number")
        page = service.due_page(chosen, filters, page=int(cursor or 0), limit=limit)
    else:
        page = service.page(chosen, filters, cursor=cursor, limit=limit)
    for item in page.items:
        state, age = service.sla(item)
        claim = f" [claimed by {item.claim.by}]" if item.claim else ""
        text = " ".join(item.text.split())
        text = text if len(text) <= 90 else text[:89] + "…"
        status = f" ({item.status.value})" if chosen is None and item.status.value != "open" else ""
        click.echo(
            f"{item.post_id:>7}  {age:<22} {state:<6} {item.decision.route.value:<12} "
            f"@{item.post.author.handle}{status}{claim}: {text}"
        )
    if not page.items:
        click.echo("(empty)")
    if page.next_cursor:
        click.echo(f"more: --cursor {page.next_cursor}")


@queue.command()
@click.option(
    "--period",
    "kind",
    type=click.Choice(["1d", "7d", "30d", "custom"]),
    default="7d",
    help="Today, the last 7 or 30 days (today included), or --start to --end.",
)
@click.option("--start", default="", help="First day of a custom period (YYYY-MM-DD).")
@click.option("--end", default="", help="Last day of a custom period (YYYY-MM-DD).")
@config_option
def figures(kind: str, start: str, end: str, config_path: str | None) -> None:
    """Per person: answers per day, first-response time (business hours) and handle time,
    as on the Team page."""
    from triage.queue.figures import figures_with_total, period

    service = queue_service(config_path)
    chosen = period(kind, service.settings.sla.timezone, start=start, end=end)
    found, whole = figures_with_total(
        service.engine, service.clock, chosen.start, chosen.end, days=chosen.days
    )
    click.echo(
        f"{chosen.first} to {chosen.last} ({chosen.days} days, {service.settings.sla.timezone})"
    )
    click.echo(
        "person\tanswers\tper_day\tfirst_responses\tfirst_median_min\tfirst_p90_min"
        "\twithin_target\thandled\thandle_median_min\thandle_p90_min"
    )
    for f in [*found, *([whole] if whole else [])]:
        cells = [
            f.name or "(whole team)",
            str(f.answers),
            f"{f.answers_per_day:.2f}",
            str(f.first_responses),
            _num(f.first_response_median),
            _num(f.first_response_p90),
            "-" if f.within_target is None else f"{f.within_target:.0%}",
            str(f.handled),
            _num(f.handle_median),
            _num(f.handle_p90),
        ]
        click.echo("\t".join(cells))
    if not found:
        click.echo("(nobody answered from the queue in this period)")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


commands = [queue]
