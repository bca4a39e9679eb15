"""Commands that run the pipeline: `run`, `poll-once`, `migrate`."""

from __future__ import annotations

import logging

import click

from kernel.errors import ConfigError
from triage.checks import check_settings
from triage.cli.common import config_option, settings_from
from triage.daemon import Daemon
from triage.polling import PollOutcome
from triage.stages import Stages
from triage.storage import make_engine, migrate, open_store

log = logging.getLogger(__name__)

#: Poll outcomes that mean the source could not be read.
FAILED = frozenset({"error", "auth_error"})


@click.command()
@config_option
@click.option(
    "--once",
    is_flag=True,
    help="Run every job one pass, then exit (for cron): 0, or 1 when every source failed.",
)
@click.option(
    "--serve",
    "serve_web",
    is_flag=True,
    help="Also serve the review queue (web.host:web.port) from this process.",
)
def run(config_path: str | None, once: bool, serve_web: bool) -> None:
    """Run the daemon: poll, classify, escalate and sync on schedule until SIGTERM/SIGINT."""
    settings = settings_from(config_path)
    for warning in check_settings(settings, rules=False):  # the stages load the rules
        log.warning("%s", warning)
    store = open_store(settings)
    if serve_web and not once:
        from triage.web.app import serve_in_thread

        serve_in_thread(settings, store, host=settings.web.host, port=settings.web.port)
    store.mark_abandoned_polls()
    daemon = Daemon(settings, store, stages=Stages(settings, store))
    daemon.log_startup()
    if settings.classifier.enabled:
        # Loaded (its cache built on a first run) before any job: a model that cannot load or
        # a cache that cannot be written stops the start in one line, not every job's tick.
        assert daemon.stages is not None
        daemon.stages.load_classifier()
    if once:
        outcomes = daemon.run_once()
        for outcome in outcomes:
            click.echo(_summary(outcome), err=True)
        failed = [o for o in outcomes if o.status in FAILED]
        if outcomes and len(failed) == len(outcomes):
            click.echo(f"run --once: every source failed ({len(failed)})", err=True)
            raise click.exceptions.Exit(1)
        return
    server = None
    if settings.metrics.enabled:
        from triage.metrics import Metrics, MetricsServer

        daemon.metrics = Metrics(store, settings.metrics)
        try:
            server = MetricsServer(daemon.metrics, settings.metrics.host, settings.metrics.port)
        except OSError as exc:
            where = f"{settings.metrics.host}:{settings.metrics.port}"
            raise ConfigError(f"metrics: cannot listen on {where}: {exc.strerror}") from exc
        server.start()
    try:
        daemon.run_forever()
    finally:
        if server is not None:
            server.stop()


@click.command("poll-once")
@config_option
@click.option("--source", "source_name", default=None, help="Poll only this source.")
@click.option(
    "--force", is_flag=True, help="Poll even before a stored rate-limit reset or pause ends."
)
def poll_once(config_path: str | None, source_name: str | None, force: bool) -> None:
    """Poll every enabled source (or one) once; exit 1 if any poll failed.

    A source whose platform said "come back at T" (a rate-limit reset, a usage-cap pause) is
    not polled before T unless --force; its line says until when."""
    settings = settings_from(config_path)
    if source_name is not None:
        try:
            settings.source(source_name)
        except KeyError as exc:
            raise click.UsageError(str(exc.args[0])) from exc
    store = open_store(settings)
    store.mark_abandoned_polls()
    daemon = Daemon(settings, store, only_source=source_name)
    outcomes = daemon.run_once(force=force)
    for outcome in outcomes:
        click.echo(_summary(outcome))
    if any(o.status in FAILED for o in outcomes) or (source_name is not None and not outcomes):
        raise click.exceptions.Exit(1)


@click.command("migrate")
@config_option
def migrate_cmd(config_path: str | None) -> None:
    """Create or upgrade the database schema to the newest revision."""
    settings = settings_from(config_path)
    engine = make_engine(settings.database.url, password_env=settings.database.password_env)
    migrate(engine)
    click.echo("database schema is up to date")


def _summary(outcome: PollOutcome) -> str:
    line = (
        f"{outcome.source}: {outcome.status} fetched={outcome.fetched} new={outcome.new} "
        f"pages={outcome.pages} skipped={outcome.skipped}"
    )
    if outcome.next_poll_at:
        line += f" next_poll_at={outcome.next_poll_at.isoformat(timespec='seconds')}"
    if outcome.error:
        line += f" error={outcome.error}"
    return line


commands = [run, poll_once, migrate_cmd]
