"""Data protection commands: `erase` (one author's data) and `retention` (apply it now)."""

from __future__ import annotations

import click

from triage.cli.common import config_option, echo_json, settings_from
from triage.storage import open_store
from triage.storage.privacy import apply_retention, erase_author


@click.command()
@config_option
@click.option("--author", "handle", required=True, help="The author's handle (with or without @).")
@click.option("--source", default=None, help="Only this platform (x, reddit, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def erase(config_path: str | None, handle: str, source: str | None, as_json: bool) -> None:
    """Delete everything stored about one author: posts, revisions, decisions, cases and
    quarantined items (an erasure request under LGPD art. 18 / GDPR art. 17)."""
    settings = settings_from(config_path, logs=False)
    store = open_store(settings)
    report = erase_author(store.engine, handle, source=source)
    counts = {
        "posts": report.posts,
        "revisions": report.revisions,
        "decisions": report.decisions,
        "cases": report.cases,
        "quarantined": report.quarantined,
    }
    if as_json:
        echo_json({"author": handle, **counts})
        return
    click.echo(f"erased {handle}: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    if report.cases:
        click.echo("cases already sent live on in the helpdesk: erase them there too", err=True)


@click.command()
@config_option
def retention(config_path: str | None) -> None:
    """Apply the `retention` settings now (the daemon also does, every `interval_hours`)."""
    settings = settings_from(config_path, logs=False)
    store = open_store(settings)
    report = apply_retention(store.engine, settings.retention)
    click.echo(
        f"raw payloads cleared={report.raw_cleared} posts deleted={report.posts_deleted} "
        f"quarantined items deleted={report.quarantine_deleted}"
    )


commands = [erase, retention]
