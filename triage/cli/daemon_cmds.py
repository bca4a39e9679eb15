"""Commands that run the pipeline: `run`, `poll-once`, `migrate`."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

import click

from kernel.errors import ConfigError, DatabaseUnavailable
from kernel.scrub import db_error_line
from triage.checks import check_settings
from triage.cli.common import config_option, settings_from
from triage.daemon import Daemon
from triage.outages import DATABASE_DOWN
from triage.polling import PollOutcome
from triage.stages import Stages
from triage.storage import Store, database_engine, migrate, open_store, redacted_url

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
    # At boot the database may come up after us: wait for it (one line per attempt), then
    # exit 75 for the service manager to try again later.
    store = open_store(settings, wait_seconds=0 if once else settings.database.start_wait_seconds)
    if serve_web and not once:
        from triage.web.app import serve_in_thread

        serve_in_thread(settings, store, host=settings.web.host, port=settings.web.port)
    with _database_down_is_one_line(store):
        store.mark_abandoned_polls()
    daemon = Daemon(settings, store, stages=Stages(settings, store))
    daemon.log_startup()
    if settings.classifier.enabled:
        # Loaded (its cache built on a first run) before any job: a model that cannot load or
        # a cache that cannot be written stops the start in one line, not every job's tick.
        assert daemon.stages is not None
        daemon.stages.load_classifier()
    if once:
        with _database_down_is_one_line(store):
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

        assert daemon.stages is not None
        daemon.metrics = Metrics(
            store, settings.metrics, outages=daemon.outages, breakers=daemon.stages.breakers
        )
        try:
            server = MetricsServer(daemon.metrics, settings.metrics.host, settings.metrics.port)
        except OSError as exc:
            where = f"{settings.metrics.host}:{settings.metrics.port}"
            raise ConfigError(f"metrics: cannot listen on {where}: {exc.strerror}") from exc
        server.start()
    try:
        clean = daemon.run_forever()
    finally:
        if server is not None:
            server.stop()
    if not clean:
        # A job thread is blocked on a database that does not answer; threads cannot be
        # stopped, and the interpreter would wait for them at exit. Its transaction is lost
        # with the connection and rolled back by the server, as after a crash.
        logging.shutdown()
        os._exit(0)


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
    with _database_down_is_one_line(store):
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
    engine = database_engine(settings.database)
    migrate(engine, timeout_seconds=settings.database.migration_timeout_seconds)
    click.echo("database schema is up to date")


@contextlib.contextmanager
def _database_down_is_one_line(store: Store) -> Iterator[None]:
    """A database that stops answering (or is locked) mid-run: one line and exit 75, for cron
    to try again, instead of a traceback. What was committed stays; the rest runs next time."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except DATABASE_DOWN as exc:
        where = redacted_url(store.engine)
        raise DatabaseUnavailable(f"database {where}: {db_error_line(exc)}") from exc


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
