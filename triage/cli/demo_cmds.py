"""`social-triage demo`: a one-shot tour over the bundled sample, in a throwaway database."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, TypeVar

import click

from config import load_settings
from config.schema import Settings
from escalation.file import FileSinkSettings
from kernel.vocab import ROUTES_BY_URGENCY, SENTIMENTS
from triage.cli.common import config_option
from triage.cli.decision_cmds import preview
from triage.daemon import Daemon
from triage.logs import configure_logging
from triage.stages import Stages
from triage.storage import open_store
from triage.storage.answers import answered_post_ids
from triage.storage.decisions import DecisionStore

T = TypeVar("T", bound=tuple[Any, ...])

#: Shown in this order: what needs a person first.
ROUTES = ROUTES_BY_URGENCY


def unanswered_first(items: list[T], answered: set[int]) -> list[T]:
    """The queue's order: posts the brand has not answered yet first, otherwise as given."""
    return sorted(items, key=lambda item: item[0].id in answered)


@click.command()
@click.option("--examples", default=3, show_default=True, help="Posts shown per route.")
@config_option
def demo(examples: int, config_path: str | None) -> None:
    """Ingest the bundled sample, classify and route it, show the queue and a digest.

    With --config, that file's brand, classifier and rules are used; the database, sources and
    sinks are always a throwaway copy (the bundled sample, a file sink), so nothing is touched.
    """
    with tempfile.TemporaryDirectory(prefix="social-triage-demo-") as tmp:
        settings = load_settings(
            config_path, environ={"TRIAGE_DATABASE__URL": f"sqlite:///{tmp}/demo.db"}
        )
        settings.sources = Settings().sources  # the bundled sample, whatever the file polls
        settings.sinks = [FileSinkSettings(name="local", path=Path(tmp) / "cases.jsonl")]
        settings.logging.level = "WARNING"
        configure_logging(settings.logging)
        store = open_store(settings)
        click.echo("Reading the bundled sample and classifying it (loads the model once)...")
        daemon = Daemon(settings, store, stages=Stages(settings, store))
        daemon.run_once()
        decided = list(DecisionStore(store.engine).iter_current())
        by_route = Counter(d.decision.route.value for _, d in decided)
        click.echo(
            f"\n{len(decided)} posts decided: "
            + ", ".join(f"{route} {by_route.get(route, 0)}" for route in ROUTES)
        )
        click.echo("\n== Review queue (what agents see first) ==")
        answered = answered_post_ids(store, [p.id for p, _ in decided])
        for route in ROUTES[:3]:
            shown = unanswered_first(
                [(p, d) for p, d in decided if d.decision.route.value == route], answered
            )[:examples]
            click.echo(f"\n{route}:")
            for post, current in shown:
                d = current.decision
                flag = " [review]" if d.needs_review else ""
                flag += " [answered]" if post.id in answered else ""
                click.echo(
                    f"  #{post.id} {post.post.source} @{post.post.author.handle}{flag} "
                    f"rule={d.rule} conf={d.confidence:.2f}"
                )
                click.echo(f"     {preview(post.post.text)}")
        click.echo("\n== Digest: sentiment by source ==")
        table: dict[str, Counter[str]] = {}
        for post, current in decided:
            if current.signals is not None and not post.post.author.is_brand:
                table.setdefault(post.post.source, Counter())[current.signals.sentiment] += 1
        for source, counts in sorted(table.items()):
            total = sum(counts.values())
            shares = ", ".join(
                f"{s} {counts.get(s, 0)}"
                + (f" ({counts.get(s, 0) / total:.0%})" if s == "negative" else "")
                for s in SENTIMENTS
            )
            click.echo(f"  {source:<8} {total:>3} posts: {shares}")
        cases = daemon.stages.cases.counts() if daemon.stages else {}
        click.echo(f"\nHelpdesk cases by status (sent to a local file): {cases}")
        if cases.get("held"):
            click.echo("Held cases wait for review: `social-triage cases release ID` sends one.")
        click.echo("Try `social-triage run --once`, then `social-triage explain ID`.")


commands = [demo]
