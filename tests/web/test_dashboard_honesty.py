"""The dashboard says nothing misleading: themes that were not computed are said to be off (not
"too few negative posts"), and the net-sentiment line breaks at days without posts instead of
drawing a trend across them (issue 18)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import numpy as np
import pytest
from starlette.testclient import TestClient

from config.schema import Settings
from tests.digest.helpers import at, seed
from tests.queue.seed import users
from tests.web.conftest import login
from triage.digest.build import make_digest
from triage.digest.charts import ACCENT, trend_chart, trend_figure
from triage.digest.i18n import Formatter
from triage.digest.render import render_html
from triage.storage import Store
from triage.web.app import create_app

#: Posts on Nov 1-3 and 17-20; Nov 4-16 (13 days) have none. 58 negative posts in all.
BUSY = (1, 2, 3, 17, 18, 19, 20)
EMPTY = range(4, 17)
PERIOD = {"period": "custom", "start": "2026-11-01", "end": "2026-11-20"}


def _rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for n, day in enumerate(BUSY):
        negatives = 9 if n < 2 else 8  # 9 + 9 + 8 * 5 = 58
        positives = n % 3  # the net sentiment moves from day to day
        for i in range(negatives + positives):
            rows.append(
                {"text": f"day {day} post {i}: the app keeps crashing", "created_at": at(day, 9, i),
                 "sentiment": "negative" if i < negatives else "positive",
                 "external_id": f"d{day}-{i}"}
            )  # fmt: skip
    return rows


@pytest.fixture
def gappy(store: Store) -> Iterator[tuple[Store, TestClient]]:
    users(store)
    seed(store, _rows())
    with TestClient(create_app(Settings(), store), base_url="http://testserver") as client:
        yield store, client


def test_unticked_themes_are_said_to_be_off(gappy: tuple[Store, TestClient]) -> None:
    store, client = gappy
    login(client, "mo")
    page = client.get("/dashboard", params=PERIOD)
    assert page.status_code == 200
    assert "Negative themes were not computed for this digest (turned off)." in page.text
    assert "Too few negative posts" not in page.text
    digest = make_digest(
        Settings(), store, period="20d", until=datetime(2026, 11, 21, tzinfo=UTC), themes=False
    )
    assert digest.negative_posts == 58 and not digest.themes_computed
    # themes that were computed and found none still say so, in both languages
    asked = dataclasses.replace(digest, themes_computed=True)
    assert "Too few negative posts to group into themes." in render_html(asked).html
    pt = render_html(digest, locale="pt_BR").html
    assert "Os temas negativos não foram calculados" in pt and "Poucos posts" not in pt
    assert "fica como uma lacuna na linha" in pt


def test_days_without_posts_are_gaps_in_the_net_sentiment_line(
    gappy: tuple[Store, TestClient],
) -> None:
    store, client = gappy
    digest = make_digest(
        Settings(), store, period="20d", until=datetime(2026, 11, 21, tzinfo=UTC), themes=False
    )
    assert [d.day for d in digest.days] == list(range(1, 21))
    fig = trend_figure(digest, Formatter("en"))
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "This period"]
    xs = [int(x) for x in np.asarray(line.get_xdata())]
    ys = np.asarray(line.get_ydata(), dtype=float)
    assert xs == list(range(20))  # one point per day, the empty days included ...
    assert all(np.isnan(ys[day - 1]) for day in EMPTY)  # ... as gaps, not zeros
    assert all(not np.isnan(ys[day - 1]) for day in BUSY)
    assert ys[0] == pytest.approx(-100.0, abs=1e-6)  # Nov 1: 9 negative, 0 positive
    assert ys[1] == pytest.approx((1 - 9) / 10 * 100, abs=1e-6)
    legend = ax.get_legend()
    assert legend is not None and "No posts" in [t.get_text() for t in legend.get_texts()]

    # and on the drawn picture: no pixel of the line's colour in the middle of the gap
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)  # type: ignore[attr-defined]
    height = pixels.shape[0]
    accent = np.array([int(ACCENT[i : i + 2], 16) for i in (1, 3, 5)])

    def accent_rows(day: int) -> int:
        x, _ = ax.transData.transform((day - 1, 0))
        _, top = ax.transData.transform((0, 105))
        _, bottom = ax.transData.transform((0, -105))
        column = pixels[int(height - top) : int(height - bottom), round(x)]
        return int((np.abs(column - accent).sum(axis=1) < 60).sum())

    assert accent_rows(2) > 0  # a drawn day shows the line's colour (the test can see it)
    assert all(accent_rows(day) == 0 for day in (6, 10, 14))

    # the page still embeds the chart
    login(client, "mo")
    page = client.get("/dashboard", params=PERIOD)
    assert "A day without classified posts has no net sentiment" in page.text
    assert trend_chart(digest, Formatter("en"))[:8] == b"\x89PNG\r\n\x1a\n"
