"""The marketing dashboard: the digest's numbers and charts over a chosen period, and the alerts.

Read-only, for `marketing`, `lead` and `admin`. The numbers are `social-triage digest`'s
(`triage.digest.build.make_digest`) for the same period and filters, rendered as a fragment of
the digest's own HTML (`render_html(..., full_page=False, inline_styles=False)`: the page's
Content-Security-Policy forbids inline styles, so the digest's stylesheet is served from
`/dashboard/digest.css`; charts are `data:` PNGs, which `img-src` allows). Handlers already run
in the thread pool; a rendering is cached for `CACHE_SECONDS` per period and filters, and the
negative themes (which load the encoder) are only computed when asked for.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.schema import Settings
from kernel.errors import InputError
from triage.digest.build import make_digest
from triage.digest.i18n import Formatter
from triage.digest.notify import headline, queue_link
from triage.digest.records import QuotedPost, quote
from triage.digest.render import STYLESHEET, render_html
from triage.queue.models import LEADS, Role
from triage.storage import Store
from triage.storage.alerts import Alert, AlertStore
from triage.storage.digest_reads import DigestReads, PostFilter
from triage.web.auth import Ctx, requires
from triage.web.i18n import current
from triage.web.page import common

DASHBOARD_ROLES = (Role.MARKETING, *LEADS)
PERIODS = ("7d", "30d", "custom")
#: How long one rendering (numbers and charts) is reused for the same period and filters.
CACHE_SECONDS = 60.0
#: Custom periods are at most this long (a year of charts is still readable).
MAX_DAYS = 366
#: The earliest day a custom period may start (no social post is older; and the previous
#: period `make_digest` compares with must stay a valid date).
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True, kw_only=True, slots=True)
class DashboardQuery:
    period: str = "7d"
    start: date | None = None
    end: date | None = None
    brand: str = ""
    source: str = ""
    language: str = ""
    themes: bool = False

    def key(self) -> tuple[Any, ...]:
        return (self.period, self.start, self.end, self.brand, self.source, self.language,
                self.themes)  # fmt: skip

    def filters(self) -> PostFilter:
        return PostFilter(
            brand=self.brand or None, source=self.source or None, language=self.language or None
        )

    def period_and_until(self) -> tuple[str, datetime | None]:
        """`make_digest`'s period and end: whole days, the custom end day included."""
        if self.period != "custom":
            return self.period, None
        assert self.start is not None and self.end is not None
        days = (self.end - self.start).days + 1
        return f"{days}d", datetime.combine(self.end + timedelta(days=1), dtime(), tzinfo=UTC)


def parse_query(request: Request) -> DashboardQuery:
    q = request.query_params
    period = q.get("period", "7d") or "7d"
    if period not in PERIODS:
        raise InputError(f"period: {period[:20]!r} is not one of {', '.join(PERIODS)}")
    start = end = None
    if period == "custom":
        try:
            start = date.fromisoformat(q.get("start", ""))
            end = date.fromisoformat(q.get("end", ""))
        except ValueError as exc:
            raise InputError("custom period: start and end must be dates (YYYY-MM-DD)") from exc
        if end < start:
            raise InputError("custom period: the end is before the start")
        if start < EARLIEST or end > date.today() + timedelta(days=366):
            raise InputError(
                f"custom period: dates between {EARLIEST.isoformat()} and a year from today"
            )
        if (end - start).days + 1 > MAX_DAYS:
            raise InputError(f"custom period: at most {MAX_DAYS} days")
    return DashboardQuery(
        period=period,
        start=start,
        end=end,
        brand=q.get("brand", "").strip()[:100],
        source=q.get("source", "").strip()[:50],
        language=q.get("language", "").strip()[:10],
        themes=q.get("themes") == "1",
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertRow:
    alert: Alert
    headline: str
    link: str
    posts: tuple[QuotedPost, ...]


class Dashboard:
    """Renderings of the digest for the web, cached per query for `CACHE_SECONDS`."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._cache: dict[tuple[Any, ...], tuple[float, str, Any]] = {}

    def digest_html(self, query: DashboardQuery, locale: str) -> tuple[str, Any]:
        """(the digest fragment's HTML, the `Digest`) for this query, in `locale`."""
        now = time.monotonic()
        key = (*query.key(), locale)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < CACHE_SECONDS:
                return hit[1], hit[2]
        period, until = query.period_and_until()
        # A live page includes today so far (the e-mailed digest covers whole past days); the
        # window still follows the data when the newest post is older than that.
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        digest = make_digest(
            self.settings,
            self.store,
            period=period,
            until=until,
            filters=query.filters(),
            themes=query.themes,
            now=None if until else tomorrow,
        )
        html = render_html(
            digest,
            images="data",
            locale=locale,
            full_page=False,
            inline_styles=False,
        ).html
        with self._lock:
            if len(self._cache) > 32:
                self._cache.clear()
            self._cache[key] = (now, html, digest)
        return html, digest

    def alerts(self, locale: str, limit: int = 50) -> list[AlertRow]:
        fmt = Formatter(locale)
        found = AlertStore(self.store.engine).recent(limit=limit)
        reads = DigestReads(self.store.engine)
        by_id = {p.id: p for p in reads.posts_by_ids(i for a in found for i in a.post_ids)}
        return [
            AlertRow(
                alert=a,
                headline=headline(a, fmt, self.settings.brand.name),
                link=queue_link("", a),  # this app's own queue, same origin
                posts=tuple(quote(by_id[i]) for i in a.post_ids[:3] if i in by_id),
            )
            for a in found
        ]


def _dashboard(request: Request) -> Dashboard:
    found: Dashboard | None = getattr(request.app.state, "dashboard", None)
    if found is None:
        found = Dashboard(request.app.state.settings, request.app.state.store)
        request.app.state.dashboard = found
    return found


@requires(*DASHBOARD_ROLES)
def dashboard(ctx: Ctx) -> Response:
    render = ctx.request.app.state.render
    board = _dashboard(ctx.request)
    try:
        query = parse_query(ctx.request)
    except InputError as exc:
        return render.page("error.html", status_code=400, **common(ctx, message=str(exc)))
    html, digest = board.digest_html(query, current())
    return render.page(
        "dashboard.html",
        **common(
            ctx,
            q=query,
            periods=PERIODS,
            digest=digest,
            digest_html=Markup(html),  # the digest template autoescapes everything
            alerts=board.alerts(current()),
            sources=ctx.request.app.state.queue.reads.filter_options()["source"],
            dashboard_active=True,
        ),
    )


@requires(*DASHBOARD_ROLES)
def stylesheet(ctx: Ctx) -> Response:
    return Response(
        STYLESHEET.read_text(encoding="utf-8"),
        media_type="text/css",
        headers={"cache-control": "private, max-age=3600"},
    )


routes = [
    Route("/dashboard", dashboard),
    Route("/dashboard/digest.css", stylesheet),
]
