"""Data protection commands: `erase` (one author's data) and `retention` (apply it now)."""

from __future__ import annotations

import click

from escalation.file import FileSink, FileSinkSettings
from triage.cli.common import config_option, echo_json, require_database, settings_from
from triage.storage import open_store
from triage.storage.erasure import Anonymiser, ErasureReport, erase_author
from triage.storage.privacy import apply_retention

#: `erase` found nothing stored about the author (documented in docs/data-protection.md).
NOTHING_MATCHED = 3


@click.command()
@config_option
@click.option("--author", "handle", required=True, help="The author's handle (with or without @).")
@click.option("--source", default=None, help="Only this platform (x, reddit, ...).")
@click.option("--yes", is_flag=True, help="Erase without asking (for scripts).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the counts as JSON (without --yes: a dry run)."
)
def erase(
    config_path: str | None, handle: str, source: str | None, yes: bool, as_json: bool
) -> None:
    """Erase everything stored about one author (LGPD art. 18 / GDPR art. 17): their posts,
    revisions, decisions, cases, queue work, replies and corrections; audit entries keep a
    tombstone; the handle and words are anonymised in other posts' thread context, notes and
    file-sink lines. Shows the counts and asks first; exit code 3 when nothing matched."""
    settings = settings_from(config_path, logs=False)
    require_database(settings)
    store = open_store(settings)
    plan = erase_author(store.engine, handle, source=source, dry_run=True)
    if not plan.matched:
        click.echo(f"erase: nothing stored matches author {handle}", err=True)
        raise SystemExit(NOTHING_MATCHED)
    files = [s for s in settings.sinks if isinstance(s, FileSinkSettings)]
    remote = [
        (sink, ticket) for sink, ticket in plan.tickets if sink not in {f.name for f in files}
    ]
    if as_json and not yes:
        echo_json({"author": handle, "dry_run": True, **plan.counts(), "tickets": remote})
        return
    if not as_json:
        click.echo(f"would erase {handle}: " + _counts(plan))
        for path in sorted({str(f.path) for f in files}):
            click.echo(f"and their lines in the file sink {path}")
        _tell_unreachable(remote)
        if not yes:
            click.confirm("Erase now?", abort=True)
    report = erase_author(store.engine, handle, source=source)
    anonymiser = Anonymiser(report.needles[0], report.needles[1:])
    lines = 0
    for file_settings in files:
        keys = {key for sink, key in report.case_keys if sink == file_settings.name}
        dropped, changed = FileSink.from_settings(file_settings).erase(keys, anonymiser.value)
        lines += dropped + changed
    remote = [(sink, t) for sink, t in report.tickets if sink not in {f.name for f in files}]
    if as_json:
        echo_json(
            {
                "author": handle,
                "dry_run": False,
                **report.counts(),
                "file_lines": lines,
                "tickets": remote,
            }
        )
        return
    click.echo(f"erased {handle}: " + _counts(report) + f" file_lines={lines}")
    _tell_unreachable(remote)


def _counts(report: ErasureReport) -> str:
    return " ".join(f"{k}={v}" for k, v in report.counts().items())


def _tell_unreachable(tickets: list[tuple[str, str]]) -> None:
    """Tickets already in a remote helpdesk: erase cannot reach them."""
    for sink, ticket in tickets:
        click.echo(f"not reached: ticket {ticket} in helpdesk {sink}: erase it there", err=True)


@click.command()
@config_option
def retention(config_path: str | None) -> None:
    """Apply the `retention` settings now (the daemon also does, every `interval_hours`)."""
    settings = settings_from(config_path, logs=False)
    require_database(settings)
    store = open_store(settings)
    report = apply_retention(store.engine, settings.retention)
    click.echo(
        f"raw payloads cleared={report.raw_cleared} posts deleted={report.posts_deleted} "
        f"quarantined items deleted={report.quarantine_deleted}"
    )


commands = [erase, retention]
