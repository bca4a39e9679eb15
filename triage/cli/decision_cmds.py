"""Commands about decisions and cases: `explain`, `replay --rules`, `cases`."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import click

from config.schema import Settings
from kernel.errors import InputError
from kernel.models import CaseStatus, StoredPost
from triage.cli.common import config_option, require_database, settings_from
from triage.learned_heads import describe_heads
from triage.outbox_breaker import read_open_breakers
from triage.storage import Store, open_store
from triage.storage.cases import CaseStore
from triage.storage.decisions import DecisionStore, StoredDecision


def find_post(store: Store, ref: str) -> StoredPost:
    """`ref` is a post id or `source:external_id`."""
    found = store.get_post(int(ref)) if ref.isascii() and ref.isdigit() else None
    if found is None and ":" in ref:
        source, external_id = ref.split(":", 1)
        found = store.find_post(source, external_id)
    if found is None:
        raise InputError(f"no stored post {ref!r} (give a post id or source:external_id)")
    return found


def decided_post(store: Store, ref: str) -> tuple[StoredPost, StoredDecision]:
    """The post `ref` names and its current decision; a post not decided yet is an error."""
    stored = find_post(store, ref)
    current = DecisionStore(store.engine).current(stored.id)
    if current is None:
        raise InputError(f"post {stored.id} has no decision yet (run `social-triage run --once`)")
    return stored, current


def preview(text: str, width: int = 100) -> str:
    from classifiers.sensitive import redact

    flat = " ".join(redact(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@click.command()
@click.argument("post")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def explain(post: str, config_path: str | None, as_json: bool) -> None:
    """Why POST (an id or source:external_id) was routed the way it was."""
    settings = settings_from(config_path, logs=False)
    require_database(settings)
    store = open_store(settings)
    stored, current = decided_post(store, post)
    d = current.decision
    revisions = store.revisions(stored.id)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "post": {
                        "id": stored.id,
                        "source": stored.post.source,
                        "external_id": stored.post.external_id,
                        "url": stored.post.url,
                    },
                    "summary": d.summary.get(settings.locale) or d.summary.get("en"),
                    "route": d.route.value,
                    "tier": d.tier,
                    "priority": d.priority,
                    "confidence": d.confidence,
                    "needs_review": d.needs_review,
                    "rule": d.rule,
                    "rules_tried": list(d.rules_tried),
                    "explanation": d.explanation,
                    "scores": d.scores,
                    "model_version": d.model_version,
                    "heads": describe_heads(d.model_version),
                    "rules_version": d.rules_version,
                    "decided_by": current.decided_by,
                    "decided_at": current.decided_at.isoformat(),
                    "edited": bool(revisions),
                    "revisions": [
                        {"text": preview(text, 200), "replaced_at": when.isoformat()}
                        for text, when in revisions
                    ],
                },
                indent=2,
                default=str,
            )
        )
        return
    p = stored.post
    summary = d.summary.get(settings.locale) or d.summary.get("en")
    if summary:
        click.echo(summary)
    click.echo(f"post {stored.id} {p.source}:{p.external_id} by @{p.author.handle} {p.url or ''}")
    click.echo(f"  {preview(p.text, 200)}")
    if revisions:
        click.echo(f"  edited {len(revisions)} time(s); decided again on the newest text")
        for text, when in revisions:
            click.echo(f"    before {when.isoformat(timespec='seconds')}: {preview(text, 120)}")
    review = ", NEEDS REVIEW" if d.needs_review else ""
    click.echo(
        f"route: {d.route.value} (tier {d.tier if d.tier is not None else '-'}, {d.priority}, "
        f"confidence {d.confidence:.2f}{review})"
    )
    click.echo(f"rule: {d.rule}  tried before it: {', '.join(d.rules_tried) or 'none'}")
    click.echo(
        f"decided by {current.decided_by} at {current.decided_at:%Y-%m-%d %H:%M}Z; "
        f"model {d.model_version}; rules {d.rules_version}"
    )
    click.echo(f"heads: {describe_heads(d.model_version)}")
    click.echo("explanation:")
    for line in d.explanation.splitlines():
        click.echo(f"  {line}")


@click.command("replay")
@click.option(
    "--rules",
    "rules_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The rules file to try against the stored decisions.",
)
@config_option
@click.option("--examples", default=3, show_default=True, help="Examples per change.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def replay_cmd(rules_path: str, config_path: str | None, examples: int, as_json: bool) -> None:
    """Dry run: how a rules change would move the stored decisions (nothing is written)."""
    from classifiers.rules import RuleSet

    settings = settings_from(config_path, logs=False)
    rules = RuleSet.load(Path(rules_path))
    require_database(settings)
    store = open_store(settings)
    moves: Counter[tuple[str, str]] = Counter()
    samples: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    #: Same route, another rule or another needs_review: shown with examples too.
    others: Counter[str] = Counter()
    other_samples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    total = review_changes = 0
    for stored, current in DecisionStore(store.engine).iter_current():
        if current.signals is None:
            continue
        total += 1
        new = rules.decide(
            stored.post,
            stored.post.text,
            current.signals,
            review_threshold=settings.classifier.review_threshold,
        )
        old = current.decision
        review_changes += new.needs_review != old.needs_review
        example = {
            "post": stored.id,
            "old_rule": old.rule,
            "new_rule": new.rule,
            "needs_review": [old.needs_review, new.needs_review],
            "text": preview(stored.post.text),
        }
        if new.route == old.route:
            if new.rule != old.rule or new.needs_review != old.needs_review:
                what = "review" if new.rule == old.rule else "rule"
                others[what] += 1
                if len(other_samples[what]) < examples:
                    other_samples[what].append(example)
            continue
        key = (old.route.value, new.route.value)
        moves[key] += 1
        if len(samples[key]) < examples:
            samples[key].append(example)
    moved = sum(moves.values())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "rules": rules_path,
                    "rules_version": rules.version,
                    "decisions": total,
                    "moved": moved,
                    "review_changed": review_changes,
                    "moves": [
                        {"from": a, "to": b, "count": n, "examples": samples[(a, b)]}
                        for (a, b), n in moves.most_common()
                    ],
                    "same_route": {
                        what: {"count": others[what], "examples": other_samples[what]}
                        for what in ("rule", "review")
                    },
                },
                indent=2,
            )
        )
        return
    click.echo(
        f"{rules_path} (version {rules.version}): {moved} of {total} stored decisions "
        f"would change route; {review_changes} would change needs_review"
    )
    for (old_route, new_route), count in moves.most_common():
        click.echo(f"  {old_route} -> {new_route}: {count}")
        for ex in samples[(old_route, new_route)]:
            click.echo(_example(ex))
    titles = {"rule": "same route, another rule", "review": "same rule, needs_review changes"}
    for what, title in titles.items():
        if others[what]:
            click.echo(f"  {title}: {others[what]}")
            for ex in other_samples[what]:
                click.echo(_example(ex))
    if not moved and not sum(others.values()):
        click.echo("  no stored decision would change: nothing to show")


def _example(ex: dict[str, Any]) -> str:
    old, new = ex["needs_review"]
    review = f", review {'yes' if old else 'no'} -> {'yes' if new else 'no'}" if old != new else ""
    return f"      post {ex['post']} ({ex['old_rule']} -> {ex['new_rule']}{review}): {ex['text']}"


@click.group(invoke_without_command=True)
@click.option(
    "--status",
    type=click.Choice([status.value for status in CaseStatus]),
    default=None,
    help="Only cases in this status.",
)
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
@click.pass_context
def cases(
    ctx: click.Context, status: str | None, limit: int, as_json: bool, config_path: str | None
) -> None:
    """Helpdesk cases (the outbox): list them, `cases retry ID` or `cases release ID`."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_from(config_path, logs=False)
    require_database(settings)
    store = open_store(settings)
    rows = CaseStore(store.engine).list(status, limit=limit)
    if as_json:
        click.echo(json.dumps([_row(r) for r in rows], indent=2, default=str))
        return
    for line in _breaker_lines(store, settings):
        click.echo(line)
    if not rows:
        click.echo("no cases" + (f" in status {status}" if status else ""))
    for r in rows:
        state = f" ({r.ticket_status})" if r.ticket_status else ""
        ticket = f" ticket {r.ticket_id}{state}" if r.ticket_id else ""
        click.echo(
            f"case {r.id} [{r.status}] post {r.post_id} {r.source}:{r.external_id} -> "
            f"{r.sink}{ticket} attempts={r.attempts}"
        )
        if r.next_attempt_at and r.status in {"pending", "failed"}:
            click.echo(f"    next attempt at {r.next_attempt_at.isoformat(timespec='seconds')}")
        if r.status == CaseStatus.HELD:
            for line in _held_context(store, r.post_id):
                click.echo(f"    {line}")
            click.echo(f"    needs review: `social-triage cases release {r.id}` sends it")
        if r.last_error and r.status not in {"sent", "closed"}:
            click.echo(f"    {r.last_error}")
        if r.follow_up:
            click.echo(f"    suggested follow-up: {r.follow_up}")


def _breaker_lines(store: Store, settings: Settings) -> list[str]:
    """The sinks whose delivery breaker is open in a running replica (their cases wait)."""
    esc = settings.escalation
    lines = []
    for b in read_open_breakers(store.engine, stale_after_seconds=esc.breaker_max_cooldown_seconds):
        lines.append(
            f"sink {b.sink}: breaker {b.state.upper()} in {b.replica} since "
            f"{b.opened_at.isoformat(timespec='seconds')} ({b.failures} failures in a row); "
            f"its cases wait, next probe at {b.retry_at.isoformat(timespec='seconds')}"
        )
        if b.last_error:
            lines.append(f"    {b.last_error}")
    return lines


@cases.command("retry")
@click.argument("case_id", type=int)
@config_option
def cases_retry(case_id: int, config_path: str | None) -> None:
    """Put a dead or failed case back in the queue now (a pending case is refused: it is
    queued already and may be in delivery)."""
    settings = settings_from(config_path, logs=False)
    store = CaseStore(open_store(settings).engine)
    if not store.retry(case_id):
        status = store.status_of(case_id)
        if status is None:
            raise InputError(f"case {case_id}: no such case")
        if status == "held":
            raise InputError(f"case {case_id} is held for review: use `cases release {case_id}`")
        if status == "pending":
            raise InputError(
                f"case {case_id} is pending: queued already and maybe in delivery now, not "
                "retried; only dead or failed cases are retried"
            )
        raise InputError(f"case {case_id} is {status}; only dead or failed cases are retried")
    click.echo(f"case {case_id} queued for delivery")


@cases.command("release")
@click.argument("case_id", type=int)
@config_option
def cases_release(case_id: int, config_path: str | None) -> None:
    """Let a held case (its decision needed review) go to the helpdesk now."""
    settings = settings_from(config_path, logs=False)
    store = CaseStore(open_store(settings).engine)
    if not store.release(case_id):
        status = store.status_of(case_id)
        if status is None:
            raise InputError(f"case {case_id}: no such case")
        raise InputError(f"case {case_id} is {status}, not held; only held cases are released")
    click.echo(f"case {case_id} released: queued for delivery")


def _held_context(store: Store, post_id: int) -> list[str]:
    """What an agent needs to decide on a held case: the text (redacted) and why it is held."""
    stored = store.get_post(post_id)
    current = DecisionStore(store.engine).current(post_id)
    lines = [f"text: {preview(stored.post.text)}"] if stored is not None else []
    if current is not None:
        d = current.decision
        why = d.explanation.splitlines()[0] if d.explanation else ""
        lines.append(
            f"held because: rule {d.rule}, confidence {d.confidence:.2f}"
            + (f" ({why})" if why else "")
        )
    return lines


def _row(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}


commands = [explain, replay_cmd, cases]
