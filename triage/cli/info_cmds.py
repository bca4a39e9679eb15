"""Commands that report: `sources`, `stats`, `config check`."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from config import load_settings
from config.schema import Settings
from config.secrets import describe_secret
from kernel.errors import InputError
from kernel.plugins import registered
from kernel.read_budget import ReadBudget
from kernel.scrub import scrub_url
from triage.checks import check_settings
from triage.cli.common import config_option, require_database, settings_from
from triage.storage import database_engine, open_store, redacted_url
from triage.storage.cases import CaseStore
from triage.storage.decisions import DecisionStore


@click.group(invoke_without_command=True)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def sources(ctx: click.Context, config_path: str | None, as_json: bool) -> None:
    """Every configured source: health, last and next poll, cursor and post counts.

    `sources resume NAME` lifts a pause (X usage cap or depleted credits)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_from(config_path, logs=False)
    store = open_store(settings)
    states = {state.name: state for state in store.source_states()}
    rows: list[dict[str, Any]] = []
    for source in settings.sources:
        state = states.get(source.name)
        last = store.poll_runs(source.name, limit=1)
        run = last[0] if last else None
        rows.append(
            {
                "name": source.name,
                "type": source.type,
                "enabled": source.enabled,
                "interval_seconds": source.interval_seconds,
                "healthy": state.healthy if state else None,
                "message": state.message if state else None,
                "last_poll_at": _iso(state.last_poll_at) if state else None,
                "next_poll_at": _iso(state.next_poll_at) if state else None,
                "posts": state.posts if state else 0,
                "quarantined": state.quarantined if state else 0,
                "cursor": state.cursor if state else None,
                "paused_until": _iso(_future(state.paused_until if state else None)),
                "last_status": run.status if run else None,
                "last_skipped": run.skipped if run else 0,
                "last_fetched": run.fetched if run else 0,
                **_reads(store, source),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['name']} ({row['type']}, every {row['interval_seconds']}s): {_health(row)}; "
            f"posts={row['posts']} quarantined={row['quarantined']} "
            f"last_poll={row['last_poll_at'] or '-'} "
            f"next_poll={row['next_poll_at'] or '-'} "
            f"skipped={row['last_skipped']} (last poll)"
        )
        click.echo(f"    cursor: {json.dumps(row['cursor'])[:200] if row['cursor'] else '-'}")
        if "reads_used" in row:
            budget = row["read_budget"]
            click.echo(
                f"    reads: {row['reads_used']} this period"
                + (f" of {budget} (left {row['reads_left']})" if budget else "")
                + f", since {row['reads_since']}"
            )
        if row["message"]:
            click.echo(f"    {row['message']}")


@sources.command("resume")
@click.argument("name")
@config_option
def sources_resume(name: str, config_path: str | None) -> None:
    """Poll a source paused by its platform again at its next turn; its cursor is kept."""
    settings = settings_from(config_path, logs=False)
    try:
        settings.source(name)
    except KeyError as exc:
        raise InputError(str(exc.args[0])) from exc
    if not open_store(settings).resume(name):
        raise InputError(f"source {name!r} has never been polled; nothing to resume")
    click.echo(f"source {name} resumed: polled at its next turn (or now with `poll-once`)")


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(config_path: str | None, as_json: bool) -> None:
    """Counts of stored posts by source (and, as they exist, decisions and cases)."""
    settings = settings_from(config_path, logs=False)
    require_database(settings)
    store = open_store(settings)
    data = store.stats()
    decided = DecisionStore(store.engine).counts()
    data["decisions"] = decided["by_route"]
    data["needs_review"] = decided["needs_review"]
    data["unclassified"] = decided["unclassified"]
    data["cases"] = CaseStore(store.engine).counts()
    if as_json:
        click.echo(json.dumps(data))
        return
    for key, value in data.items():
        if not isinstance(value, dict):
            click.echo(f"{key}: {value}")
        else:
            click.echo(f"{key}:")
            for name, count in value.items():
                click.echo(f"  {name}: {count}")


@click.group("config")
def config_group() -> None:
    """Inspect settings."""


@config_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@config_option
def config_check(file: str | None, config_path: str | None) -> None:
    """Validate a settings file and print what it enables, with secrets masked; exit 1 when an
    enabled source or a sink lacks a secret it needs."""
    path = file or config_path
    settings = load_settings(path)
    warnings = check_settings(settings)
    where = path or ("./social-triage.yaml" if Path("social-triage.yaml").is_file() else None)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    problems = missing_secrets(settings)
    click.echo(f"config: {where or 'built-in defaults'}: {'NOT READY' if problems else 'OK'}")
    for line in describe(settings):
        click.echo(line)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)


def missing_secrets(settings: Settings) -> list[str]:
    """One line per secret an enabled source or a sink needs and does not have. Reply
    credentials count only when replies are sent (`replies.dry_run: false`)."""
    problems = []
    for kind, items in (("sources", settings.sources), ("sinks", settings.sinks)):
        for item in items:
            if not getattr(item, "enabled", True):
                continue
            for secret, (env, file) in _secrets(item).items():
                if secret in getattr(item, "reply_secrets", ()) and settings.replies.dry_run:
                    continue
                if not (env or file) or _present(env, file):
                    continue
                where = f"file {file} is missing" if file else f"set the environment variable {env}"
                problems.append(f"{kind}[{item.name}].{secret}: not configured; {where}")
    return problems


def _present(env: str | None, file: Path | None) -> bool:
    if file is not None:
        return Path(file).is_file()
    return bool(os.environ.get(env or "", "").strip())


def describe(settings: Settings) -> list[str]:
    engine = database_engine(settings.database)
    lines = [f"database: {redacted_url(engine)}", "sources:"]
    for s in settings.sources:
        state = "enabled" if s.enabled else "disabled"
        lines.append(
            f"  {s.name}: {s.type}, {state}, every {s.interval_seconds}s "
            f"(jitter {s.jitter_seconds}s, max {s.max_pages} pages)"
        )
        for secret, (env, file) in _secrets(s).items():
            if secret in s.reply_secrets and settings.replies.dry_run:
                # Not asked for while replies are dry runs: no "NOT SET" to worry about.
                where = f"file {file}" if file else f"env {env}"
                lines.append(f"    {secret}: {where} (not needed while replies are dry runs)")
                continue
            lines.append(f"    {secret}: {describe_secret(env=env, file=file)}")
    lines.append("sinks:" if settings.sinks else "sinks: none")
    default_sink = settings.escalation.default_sink or (
        settings.sinks[0].name if settings.sinks else None
    )
    for sink in settings.sinks:
        default = " (default)" if sink.name == default_sink else ""
        url = getattr(sink, "url", None) or getattr(sink, "base_url", None)
        target = f" -> {scrub_url(url)}" if isinstance(url, str) and url else ""
        lines.append(f"  {sink.name}: {sink.type}{default}{target}")
        for secret, (env, file) in _secrets(sink).items():
            if env or file:
                lines.append(f"    {secret}: {describe_secret(env=env, file=file)}")
    lines.append(f"rules: {settings.rules or 'shipped defaults'}")
    answering = sorted({s.type for s in settings.sources if _has_responder(s.type)})
    lines.append(
        "replies: dry run (nothing is sent)"
        if settings.replies.dry_run
        else f"replies: SENT to {', '.join(answering) or 'no platform'} with the sources' "
        "reply credentials"
    )
    tips = settings.suggestions
    lines.append(
        f"suggestions: templates {tips.templates or 'shipped'}, "
        f"knowledge base {tips.knowledge_base or 'none'}"
    )
    return lines


def _has_responder(source_type: str) -> bool:
    plugin = registered("source").get(source_type)
    return plugin is not None and plugin.responder is not None


def _secrets(settings: Any) -> dict[str, tuple[str | None, Path | None]]:
    found: dict[str, tuple[str | None, Path | None]] = {}
    fields = type(settings).model_fields
    for name in fields:
        if name.endswith("_env"):
            base = name.removesuffix("_env")
            found[base] = (getattr(settings, name), getattr(settings, f"{base}_file", None))
    return found


def _reads(store: Any, source: Any) -> dict[str, Any]:
    """Billed reads this period, for sources on a metered API (those with a read budget)."""
    if not hasattr(source, "monthly_read_budget"):
        return {}
    budget = ReadBudget(monthly=source.monthly_read_budget or 1, reset_day=source.budget_reset_day)
    start, _ = budget.period(datetime.now(UTC))
    used = store.reads_since(source.name, start)
    limit = source.monthly_read_budget
    return {
        "reads_used": used,
        "read_budget": limit,
        "reads_left": max(0, limit - used) if limit else None,
        "reads_since": _iso(start),
    }


def _health(row: dict[str, Any]) -> str:
    """One word (or two) that agrees with the last poll: never "healthy" above an error."""
    if not row["enabled"]:
        return "disabled"
    if row["paused_until"]:
        return f"PAUSED until {row['paused_until']}"
    if row["healthy"] is None:
        return "never polled"
    status = row["last_status"]
    if status == "rate_limited":
        return "rate limited"
    if status == "running":
        return "polling"
    if not row["healthy"] or status in {"error", "auth_error"}:
        return "UNHEALTHY" if status != "error" else "FAILING"
    return "healthy"


def _future(value: datetime | None) -> datetime | None:
    return value if value is not None and value > datetime.now(UTC) else None


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


commands = [sources, stats, config_group]
