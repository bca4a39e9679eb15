"""`social-triage learn` and `social-triage corrections import|export`: the loop from people's
labels back into the heads that classify (docs/learning.md)."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from kernel.errors import InputError
from kernel.vocab import TASKS
from triage.cli.common import config_option, echo_json, settings_from
from triage.storage import open_store


@click.command()
@click.option(
    "--task",
    "tasks",
    multiple=True,
    type=click.Choice(list(TASKS)),
    help="Only these heads (repeat the option); default: learning.tasks from the settings.",
)
@click.option("--dry-run", is_flag=True, help="Fit and compare, print both sides, promote nothing.")
@click.option(
    "--rollback",
    is_flag=True,
    help="Bring back the head the active one of --task replaced (the shipped one at the end).",
)
@click.option("--brand", default=None, help="With --rollback: that brand's own route head.")
@click.option("--history", is_flag=True, help="List the head versions and their figures.")
@click.option("--as", "as_user", default=None, help="Who is acting (audit log); default: cli.")
@click.option("--json", "as_json", is_flag=True, help="With --history: JSON.")
@config_option
def learn(
    tasks: tuple[str, ...],
    dry_run: bool,
    rollback: bool,
    brand: str | None,
    history: bool,
    as_user: str | None,
    as_json: bool,
    config_path: str | None,
) -> None:
    """Refit the heads from the team's labels; promote a candidate only when it is better on
    the team's labels (cross-validated) and not worse on the shipped reference set.

    Every candidate is kept with its figures (`--history`); the open queue is decided again
    after a promotion. The daemon runs this on `learning.schedule`."""
    settings = settings_from(config_path)
    store = open_store(settings)
    actor = f"cli:{as_user or _os_user()}"
    if history:
        _history(store, tasks, as_json)
        return
    if rollback:
        if len(tasks) != 1:
            raise InputError("learn --rollback: name one --task")
        from triage.storage.learning import LearningStore

        retired, restored = LearningStore(store.engine).rollback(tasks[0], brand, by=actor)
        slot = f"{tasks[0]}@{brand}" if brand else tasks[0]
        if retired is None:
            raise InputError(f"learn --rollback: no learned {slot} head is active (shipped in use)")
        back = f"v{restored.id}" if restored else "the shipped head"
        click.echo(f"{slot}: v{retired.id} retired; {back} is in use again")
        from triage.learn_job import redecide_after_change

        redecided = redecide_after_change(settings, store, reason=f"{slot} rolled back")
        click.echo(f"re-decided {redecided} open queue item(s)")
        return
    if brand is not None:
        raise InputError("learn: --brand goes with --rollback")
    from triage.learn_job import run_learning

    report = run_learning(settings, store, tasks=tasks or None, dry_run=dry_run, trigger=actor)
    for line in report.lines():
        click.echo(line)


def _history(store: object, tasks: tuple[str, ...], as_json: bool) -> None:
    from triage.storage import Store
    from triage.storage.learning import LearningStore

    assert isinstance(store, Store)
    learning = LearningStore(store.engine)
    versions = [v for v in learning.versions(limit=200) if not tasks or v.task in tasks]
    if as_json:
        echo_json(
            [
                {
                    "version": v.id,
                    "task": v.task,
                    "brand": v.brand,
                    "status": v.status,
                    "created_at": v.created_at,
                    "created_by": v.created_by,
                    "promoted_at": v.promoted_at,
                    "replaces": v.replaces,
                    "comparison": v.metadata.get("comparison"),
                    "reason": v.reason,
                }
                for v in versions
            ]
        )
        return
    if not versions:
        click.echo("no learned heads yet: the shipped heads are in use (`learn` fits some)")
        return
    for v in versions:
        c = v.metadata.get("comparison") or {}
        team = c.get("team") or {}
        ref = c.get("reference") or {}
        figures = f"team {team.get('candidate', 0):.3f} vs {team.get('active', 0):.3f}" + (
            f", reference {ref['candidate']:.3f} vs {ref['active']:.3f}"
            if ref.get("candidate") is not None and ref.get("active") is not None
            else ""
        )
        click.echo(
            f"v{v.id:<5} {v.name:<24} {v.status:<9} {v.created_at:%Y-%m-%d %H:%M} "
            f"{c.get('team_rows', '?')} labels; {figures}; {v.reason or ''}"
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group()
def corrections() -> None:
    """People's labels: export them as training data, or import a team's earlier labels."""


@corrections.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@config_option
def corrections_export(file: str, config_path: str | None) -> None:
    """Write the newest label per post and task to FILE.csv (text with sensitive values masked)."""
    from triage.queue.corrections import export_csv

    settings = settings_from(config_path, logs=False)
    rows = export_csv(open_store(settings).engine, Path(file))
    click.echo(f"wrote {rows} label(s) to {file}")


@corrections.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--task", type=click.Choice(list(TASKS)), required=True)
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--brand-column", default=None, help="The brand each label is about (optional).")
@click.option("--lang-column", default=None, help="The post's language (optional).")
@click.option("--as", "as_user", required=True, help="The person the labels are from (a user).")
@config_option
def corrections_import(
    file: str,
    task: str,
    text_column: str,
    label_column: str,
    brand_column: str | None,
    lang_column: str | None,
    as_user: str,
    config_path: str | None,
) -> None:
    """Store a team's labels from FILE.csv as corrections by --as, attributed and audited.

    A row whose text is a stored post's labels that post; other rows are kept as labelled
    examples. Bad rows are listed one line each (FILE:LINE: reason) and skipped, and the command
    then exits 1; nothing stored is changed (labels are added, the newest counts). Importing
    the same file again adds nothing."""
    from triage.corrections_import import import_file

    settings = settings_from(config_path, logs=False)
    store = open_store(settings)
    result = import_file(
        store,
        Path(file),
        task=task,
        text_column=text_column,
        label_column=label_column,
        brand_column=brand_column,
        lang_column=lang_column,
        user=as_user,
    )
    for problem in result.problems:
        click.echo(problem, err=True)
    click.echo(result.summary())
    if result.problems:
        raise SystemExit(1)


commands = [learn, corrections]
