"""The digest as HTML (an e-mail body with cid: images, a standalone page with data: URIs, or
a fragment for the web dashboard) and as CSV."""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from kernel.vocab import SENTIMENTS
from triage.digest.charts import all_charts
from triage.digest.compute import ROUTES, Digest
from triage.digest.i18n import Formatter, translations

ImageMode = Literal["data", "cid"]
#: The digest's styles (scoped to `.st-digest`), inlined in e-mails and files; the web
#: dashboard serves this file.
STYLESHEET = Path(__file__).resolve().parent / "templates" / "digest.css"


@dataclass(frozen=True, kw_only=True, slots=True)
class RenderedDigest:
    subject: str
    html: str
    text: str
    #: Content-ID (without brackets) -> PNG bytes; empty for `data:` images.
    images: dict[str, bytes] = field(default_factory=dict)


def _environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("triage.digest", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def intent_name(fmt: Formatter, intent: str) -> str:
    _ = fmt.gettext
    names = {
        "billing": _("Billing"),
        "account_access": _("Account access"),
        "delivery": _("Delivery"),
        "refund": _("Refund"),
        "technical_problem": _("Technical problem"),
        "outage": _("Outage"),
        "question": _("Question"),
        "praise": _("Praise"),
        "spam": _("Spam"),
        "legal_threat": _("Legal threat"),
        "safety": _("Safety"),
    }
    return names.get(intent, intent.replace("_", " ").capitalize())


def route_name(fmt: Formatter, route: str) -> str:
    _ = fmt.gettext
    names = {
        "helpdesk": _("Helpdesk"),
        "private_dm": _("Private message"),
        "public_reply": _("Public reply"),
        "ignore": _("Ignored"),
    }
    return names.get(route, route)


def case_status_name(fmt: Formatter, status: str) -> str:
    _ = fmt.gettext
    names = {
        "held": _("held for review"),
        "pending": _("pending"),
        "sent": _("sent"),
        "failed": _("failed"),
        "dead": _("dead"),
        "closed": _("closed"),
    }
    return names.get(status, status)


def source_name(source: str) -> str:
    names = {"x": "X", "reddit": "Reddit", "forum": "Forum", "feed": "Feed"}
    names |= {"mastodon": "Mastodon", "bluesky": "Bluesky"}
    return names.get(source, source.capitalize())


def subject(digest: Digest, fmt: Formatter) -> str:
    _ = fmt.gettext
    last = digest.days[-1] if digest.days else digest.window.end.date()
    first = digest.days[0] if digest.days else digest.window.start.date()
    span = fmt.date(first) if first == last else f"{fmt.date(first)} \u2013 {fmt.date(last)}"
    return _("%(brand)s social digest, %(span)s") % {"brand": digest.brand, "span": span}


def render_html(
    digest: Digest,
    *,
    images: ImageMode = "data",
    locale: str = "en",
    full_page: bool = True,
    inline_styles: bool = True,
) -> RenderedDigest:
    """The digest as HTML. `images="cid"` for an e-mail (the PNGs come back in `images`, to
    attach with those Content-IDs); `"data"` embeds them, for a file or a web page.
    `full_page=False` gives a fragment (with its own scoped styles) for the dashboard;
    `inline_styles=False` leaves the `<style>` element out, for a page whose
    Content-Security-Policy forbids inline styles: it links `STYLESHEET` instead."""
    fmt = Formatter(locale)
    charts = all_charts(digest, fmt)
    sources: dict[str, str] = {}
    attached: dict[str, bytes] = {}
    stamp = digest.window.end.strftime("%Y%m%d%H")
    for name, png in charts.items():
        if images == "cid":
            cid = f"{name}-{stamp}@social-triage"
            attached[cid] = png
            sources[name] = f"cid:{cid}"
        else:
            sources[name] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    title = subject(digest, fmt)
    start, end = digest.window.start, digest.window.end
    if start.hour == end.hour == 0 and digest.days:
        days = len(digest.days)
        count = fmt.ngettext("%(num)d day", "%(num)d days", days) % {"num": days}
        period = f"{fmt.date(digest.days[0])} \u2013 {fmt.date(digest.days[-1])} ({count}, UTC)"
    else:
        period = f"{fmt.datetime(start)} \u2013 {fmt.datetime(end)} (UTC)"
    html = (
        _environment(locale)
        .get_template("digest.html.j2")
        .render(
            d=digest,
            fmt=fmt,
            title=title,
            period=period,
            charts=sources,
            full_page=full_page,
            inline_styles=inline_styles,
            lang=fmt.language,
            sentiments=SENTIMENTS,
            routes=ROUTES,
            intent_name=lambda i: intent_name(fmt, i),
            route_name=lambda r: route_name(fmt, r),
            sentiment_name=fmt.sentiment,
            case_status_name=lambda s: case_status_name(fmt, s),
            source_name=source_name,
            http_url=http_url,
        )
    )
    return RenderedDigest(subject=title, html=html, text=render_text(digest, fmt), images=attached)


def http_url(url: str | None) -> str | None:
    """A post's link if it is a plain http(s) URL (strangers write post URLs on some
    platforms: no `javascript:`, `data:` or credentials in a digest or the dashboard)."""
    if not url or len(url) > 2048 or any(ord(c) < 33 or c in "\"'<>\\`" for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username:
        return None
    return url


def render_text(digest: Digest, fmt: Formatter) -> str:
    """The plain-text part of the e-mail: the headline numbers, for clients without HTML."""
    _ = fmt.gettext
    lines = [subject(digest, fmt), ""]
    lines.append(
        f"{_('Posts')}: {fmt.number(digest.total)} ({_('previous period')}: "
        f"{fmt.number(digest.previous_total)})"
    )
    lines.append(f"{_('Net sentiment')}: {fmt.signed(digest.net_sentiment)}")
    for s in SENTIMENTS:
        lines.append(f"{fmt.sentiment(s)}: {fmt.percent(digest.share[s])}")
    lines.append(f"{_('Helpdesk cases')}: {fmt.number(digest.helpdesk_cases)}")
    for theme in digest.themes:
        lines.append(f"- {', '.join(theme.words)} ({fmt.number(theme.size)})")
    return "\n".join(lines) + "\n"


def render_csv(digest: Digest) -> str:
    """Every number of the digest, one per row: section, key, subkey, value (plain numbers,
    ISO dates, dot decimals: for spreadsheets, whatever the locale)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "subkey", "value"])
    writer.writerow(["period", "start", "", digest.window.start.isoformat()])
    writer.writerow(["period", "end", "", digest.window.end.isoformat()])
    writer.writerow(["posts", "total", "current", digest.total])
    writer.writerow(["posts", "total", "previous", digest.previous_total])
    for source, count in digest.by_source.items():
        writer.writerow(["posts", "source", source, count])
    for day in digest.days:
        for source, count in sorted(digest.volume[day].items()):
            writer.writerow(["volume", day.isoformat(), source, count])
        for sentiment, count in sorted(digest.sentiment_by_day[day].items()):
            writer.writerow(["sentiment_by_day", day.isoformat(), sentiment, count])
    for s in SENTIMENTS:
        writer.writerow(["sentiment", s, "current", digest.sentiment.get(s, 0)])
        writer.writerow(["sentiment", s, "previous", digest.previous_sentiment.get(s, 0)])
        writer.writerow(["sentiment_share", s, "current", _num(digest.share[s])])
        writer.writerow(["sentiment_share", s, "previous", _num(digest.previous_share[s])])
    writer.writerow(["net_sentiment", "", "current", _num(digest.net_sentiment)])
    writer.writerow(["net_sentiment", "", "previous", _num(digest.previous_net_sentiment)])
    for intent, count in digest.intents:
        writer.writerow(["intent", intent, "", count])
    for i, theme in enumerate(digest.themes, 1):
        writer.writerow(["theme", i, " ".join(theme.words), theme.size])
    for post in digest.top_posts:
        value = post.engagement if digest.engagement_basis == "engagement" else post.followers
        writer.writerow(["top_post", post.id, f"{digest.engagement_basis} @{post.handle}", value])
    for route, count in digest.routes.items():
        writer.writerow(["route", route, "", count])
    for status, count in sorted(digest.cases.items()):
        writer.writerow(["cases", status, "", count])
    writer.writerow(["posts", "unclassified", "", digest.unclassified])
    for route, rt in digest.responses.items():
        writer.writerow(["response", route, "posts", rt.posts])
        writer.writerow(["response", route, "answered", rt.answered])
        writer.writerow(["response", route, "answered_share", _num(rt.share)])
        writer.writerow(["response", route, "p50_seconds", _num(rt.p50)])
        writer.writerow(["response", route, "p90_seconds", _num(rt.p90)])
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
