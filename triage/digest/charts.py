"""The digest's charts as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")  # before pyplot: a daemon has no display

from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kernel.vocab import SENTIMENTS
from triage.digest.compute import Digest, net_sentiment
from triage.digest.i18n import Formatter

COLOURS = {
    "negative": "#d9534f",
    "neutral": "#9aa5b1",
    "positive": "#3f9b6b",
    "unclassified": "#e3e7eb",
}
INK = "#243342"
MUTED = "#6b7785"
ACCENT = "#2f6fb0"
NO_POSTS = "#f1f3f5"
#: Charts are drawn at twice their displayed size, for sharp text on high-DPI screens.
DPI = 144


def _figure(width: float, height: float) -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#c8cfd6")
    ax.tick_params(colors=MUTED, labelsize=8)
    ax.yaxis.grid(True, color="#eef1f4", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def volume_chart(digest: Digest, fmt: Formatter) -> bytes:
    """Posts per day, stacked by sentiment."""
    _ = fmt.gettext
    fig, ax = _figure(6.4, 2.8)
    labels = [fmt.short_day(day) for day in digest.days]
    bottom = [0] * len(digest.days)
    names = {s: fmt.sentiment(s) for s in SENTIMENTS} | {"unclassified": _("Not classified yet")}
    for sentiment in (*SENTIMENTS, "unclassified"):
        values = [digest.sentiment_by_day[day].get(sentiment, 0) for day in digest.days]
        if sentiment == "unclassified" and not any(values):
            continue
        ax.bar(
            labels,
            values,
            bottom=bottom,
            color=COLOURS[sentiment],
            label=names[sentiment],
            width=0.65,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel(_("Posts"), color=MUTED, fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(frameon=False, fontsize=8, ncol=4, loc="upper left", bbox_to_anchor=(0, 1.16))
    _thin_labels(ax, len(labels))
    return _png(fig)


def trend_chart(digest: Digest, fmt: Formatter) -> bytes:
    """Net sentiment per day, this period against the previous one (aligned by day)."""
    return _png(trend_figure(digest, fmt))


def trend_figure(digest: Digest, fmt: Formatter) -> Figure:
    """A day without classified posts has no net sentiment: it is a gap in the line (not a
    zero, which would read as a balanced day, and not a straight line drawn across it, which
    would invent a trend), and a day without any post is shaded as such."""
    _ = fmt.gettext
    fig, ax = _figure(6.4, 2.6)
    labels = [fmt.short_day(day) for day in digest.days]
    current = [_net(digest.sentiment_by_day[day]) for day in digest.days]
    previous = [_net(counts) for counts in digest.previous_sentiment_by_day][: len(labels)]
    xs = list(range(len(labels)))
    empty = [x for x, day in zip(xs, digest.days, strict=True) if not digest.sentiment_by_day[day]]
    for n, x in enumerate(empty):
        label = _("No posts") if n == 0 else None
        ax.axvspan(x - 0.5, x + 0.5, color=NO_POSTS, linewidth=0, label=label)
    ax.axhline(0, color="#c8cfd6", linewidth=0.8)
    if any(v is not None for v in previous):
        _line(ax, xs, previous, color=MUTED, style="--", label=_("Previous period"))
    _line(ax, xs, current, color=ACCENT, style="-", label=_("This period"))
    ax.set_xticks(xs, labels)
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-105, 105)
    ax.set_ylabel(_("Net sentiment"), color=MUTED, fontsize=8)
    ax.legend(frameon=False, fontsize=8, ncol=3, loc="upper left", bbox_to_anchor=(0, 1.16))
    _thin_labels(ax, len(labels))
    return fig


def themes_chart(digest: Digest, fmt: Formatter) -> bytes:
    """Negative themes by number of posts, largest on top."""
    _ = fmt.gettext
    themes = list(digest.themes)[::-1]
    fig, ax = _figure(6.4, 0.5 + 0.42 * max(len(themes), 1))
    ax.yaxis.grid(False)
    ax.xaxis.grid(True, color="#eef1f4", linewidth=0.8)
    names = [", ".join(t.words) or _("(no distinctive words)") for t in themes]
    sizes = [t.size for t in themes]
    bars = ax.barh(names, sizes, color=COLOURS["negative"], height=0.6)
    for bar, size in zip(bars, sizes, strict=True):
        ax.text(
            bar.get_width() + max(sizes) * 0.01,
            bar.get_y() + bar.get_height() / 2,
            fmt.number(size),
            va="center",
            fontsize=8,
            color=INK,
        )
    ax.tick_params(axis="y", labelsize=9, colors=INK)
    ax.set_xlabel(_("Negative posts"), color=MUTED, fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(fig)


def all_charts(digest: Digest, fmt: Formatter) -> dict[str, bytes]:
    """Chart name -> PNG; the themes chart only when there are themes."""
    charts: dict[str, Callable[[Digest, Formatter], bytes]] = {
        "volume": volume_chart,
        "trend": trend_chart,
    }
    if digest.themes:
        charts["themes"] = themes_chart
    return {name: draw(digest, fmt) for name, draw in charts.items()}


def _net(counts: dict[str, int]) -> float | None:
    value = net_sentiment(counts)
    return None if value is None else value * 100


def _line(
    ax: plt.Axes, xs: list[int], ys: list[float | None], *, color: str, style: str, label: str
) -> None:
    """One point per day; a day without a value is NaN, where matplotlib breaks the line."""
    if all(y is None for y in ys):
        return
    ax.plot(
        xs[: len(ys)],
        [math.nan if y is None else y for y in ys],
        linestyle=style,
        color=color,
        marker="o",
        markersize=3.5,
        linewidth=1.8,
        label=label,
    )


def _thin_labels(ax: plt.Axes, count: int) -> None:
    """At most ~10 day labels on the axis, so long periods stay legible."""
    step = max(1, -(-count // 10))
    for i, label in enumerate(ax.get_xticklabels()):
        label.set_visible(i % step == 0)
