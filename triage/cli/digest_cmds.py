"""`social-triage digest` and `social-triage alerts`: marketing's view from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from kernel.errors import InputError
from kernel.vocab import LOCALES
from triage.cli.common import config_option, settings_from
from triage.storage import open_store
from triage.storage.digest_reads import PostFilter


def _parse_until(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(
            f"--until {value!r}: expected an ISO date or time, e.g. 2026-11-24"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command()
@config_option
@click.option("--period", default="7d", show_default=True, help="How far back: 24h, 1d, 7d, 2w.")
@click.option(
    "--until",
    default=None,
    help="End of the period (ISO date/time, UTC). Default: now, or after the newest post "
    "when nothing was posted since.",
)
@click.option("--brand", default=None, help="Only posts whose query or text mention this term.")
@click.option("--source", default=None, help="Only posts from this platform (x, bluesky, ...).")
@click.option("--language", default=None, help="Only posts in this language (en, pt).")
@click.option("--query", default=None, help="Only posts fetched for this listening query.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the HTML digest here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write its numbers here.")
@click.option("--send", is_flag=True, help="E-mail it through digest.smtp.")
@click.option("--locale", type=click.Choice(LOCALES), default=None, help="Override locale.")
@click.option("--no-themes", is_flag=True, help="Skip the negative themes (no encoder load).")
def digest(
    config_path: str | None,
    period: str,
    until: str | None,
    brand: str | None,
    source: str | None,
    language: str | None,
    query: str | None,
    out: str | None,
    csv_path: str | None,
    send: bool,
    locale: str | None,
    no_themes: bool,
) -> None:
    """Sentiment digest over a period: volume, sentiment, themes, top posts, routes, cases."""
    from kernel.period import parse_period
    from triage.digest.build import make_digest, write_files
    from triage.digest.i18n import Formatter
    from triage.digest.mail import Mailer, digest_message
    from triage.digest.render import render_html, render_text

    try:
        parse_period(period)
    except ValueError as exc:
        raise InputError(f"--period: {exc}") from exc
    settings = settings_from(config_path, logs=False)
    if send and settings.digest.smtp is None:
        raise InputError("--send: digest.smtp is not configured (see docs/digests.md)")
    store = open_store(settings)
    filters = PostFilter(brand=brand, source=source, language=language, query=query)
    result = make_digest(
        settings,
        store,
        period=period,
        until=_parse_until(until),
        filters=filters,
        themes=not no_themes,
    )
    lang = locale or settings.locale
    write_files(
        result,
        lang,
        html=Path(out) if out else None,
        csv=Path(csv_path) if csv_path else None,
    )
    if send:
        assert settings.digest.smtp is not None
        mailer = Mailer.from_settings(settings.digest.smtp)
        rendered = render_html(result, images="cid", locale=lang)
        mailer.send(digest_message(rendered, sender=mailer.sender, to=mailer.to))
        click.echo(f"sent to {', '.join(mailer.to)}", err=True)
    click.echo(render_text(result, Formatter(lang)), nl=False)
    for label, path in (("HTML", out), ("CSV", csv_path)):
        if path:
            click.echo(f"{label}: {path}", err=True)


@click.command()
@config_option
@click.option("--check", is_flag=True, help="Look for new spikes now (and deliver them).")
@click.option(
    "--until",
    default=None,
    help="With --check: judge the hours before this time (ISO, UTC) instead of now.",
)
@click.option("--hours", default=3, show_default=True, help="With --check: hours judged.")
@click.option("--limit", default=50, show_default=True, help="Alerts listed.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def alerts(
    config_path: str | None,
    check: bool,
    until: str | None,
    hours: int,
    limit: int,
    as_json: bool,
) -> None:
    """Past spike and crisis alerts, newest first; --check looks for new ones first."""
    from triage.cli.common import echo_json
    from triage.digest.alert_job import check_alerts
    from triage.digest.notify import AlertNotifier
    from triage.storage.alerts import AlertStore

    if hours < 1:
        raise InputError("--hours: must be at least 1")
    settings = settings_from(config_path, logs=False)
    store = open_store(settings)
    if check:
        notifier = AlertNotifier.from_settings(settings)
        found = check_alerts(
            settings, store, now=_parse_until(until), hours=hours, notifier=notifier
        )
        notifier.close()
        click.echo(f"{len(found)} new alert(s)", err=True)
    rows = AlertStore(store.engine).recent(limit)
    if as_json:
        echo_json(
            [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "scope": a.scope,
                    "hour": a.bucket_start.isoformat(),
                    "posts": a.posts,
                    "negative": a.negative,
                    "baseline": a.baseline,
                    "score": round(a.score, 2),
                    "post_ids": list(a.post_ids),
                    "emailed_at": a.emailed_at.isoformat() if a.emailed_at else None,
                    "webhook_at": a.webhook_at.isoformat() if a.webhook_at else None,
                    "last_error": a.last_error,
                }
                for a in rows
            ]
        )
        return
    if not rows:
        click.echo("no alerts")
    for a in rows:
        sent = ", ".join(
            name for name, at in (("email", a.emailed_at), ("webhook", a.webhook_at)) if at
        )
        click.echo(
            f"#{a.id} {a.bucket_start:%Y-%m-%d %H:00} UTC {a.kind} {a.scope}: {a.posts} posts, "
            f"{a.negative} negative (baseline {a.baseline:.2f}, z={a.score:.1f}) "
            f"sent: {sent or '-'}{'  error: ' + a.last_error if a.last_error else ''}"
        )


commands = [digest, alerts]
