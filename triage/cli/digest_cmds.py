"""`social-triage digest` and `social-triage alerts`: marketing's view from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from triage.cli.common import config_option, settings_from
from triage.errors import InputError
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
@click.option("--source", default=None, help="Only posts from this platform (x, reddit, forum).")
@click.option("--language", default=None, help="Only posts in this language (en, pt).")
@click.option("--query", default=None, help="Only posts fetched for this listening query.")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the HTML digest here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write its numbers here.")
@click.option("--send", is_flag=True, help="E-mail it through digest.smtp.")
@click.option("--locale", type=click.Choice(["en", "pt_BR"]), default=None, help="Override locale.")
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
    from triage.digest.build import make_digest, write_files
    from triage.digest.i18n import Formatter
    from triage.digest.mail import Mailer, digest_message
    from triage.digest.period import parse_period
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


commands = [digest]
