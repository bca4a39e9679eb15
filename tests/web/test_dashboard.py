"""The marketing dashboard: the same figures as `social-triage digest`, charts as data: PNGs
under the page's CSP, the alerts with redacted posts, and alert links the queue understands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from config.schema import Settings
from tests.digest.helpers import at, seed
from tests.digest.test_compute import ROWS
from tests.queue.seed import users
from tests.web.conftest import login
from triage.cli import cli
from triage.digest.build import make_digest
from triage.digest.notify import queue_link
from triage.storage import Store
from triage.storage.alerts import Alert, AlertStore
from triage.storage.digest_reads import PostFilter
from triage.web.app import create_app

CARD = "4111 1111 1111 1111"
VALUE = re.compile(r'<span class="value">([^<]+)</span>')


@pytest.fixture
def board(sqlite_store: Store) -> Iterator[tuple[Store, TestClient]]:
    users(sqlite_store)
    seed(sqlite_store, ROWS)
    seed(
        sqlite_store,
        [{"text": f"my card {CARD} was charged twice", "created_at": at(16, 5),
          "sentiment": "negative", "route": "helpdesk", "external_id": "card"}],
    )  # fmt: skip
    app = create_app(Settings(), sqlite_store)
    with TestClient(app, base_url="http://testserver") as client:
        yield sqlite_store, client


def test_marketing_sees_the_digest_figures_of_the_cli(
    board: tuple[Store, TestClient], tmp_path: Path
) -> None:
    store, client = board
    login(client, "mo")
    page = client.get("/dashboard")
    assert page.status_code == 200
    out = tmp_path / "d.html"
    result = CliRunner().invoke(
        cli,
        ["digest", "--period", "7d", "--out", str(out), "--no-themes"],
        env={"TRIAGE_DATABASE__URL": str(store.engine.url)},
    )
    assert result.exit_code == 0, result.output
    cli_values = VALUE.findall(out.read_text(encoding="utf-8"))
    web_values = VALUE.findall(page.text)
    # posts, net sentiment, negative share, helpdesk cases: the same four figures
    assert len(cli_values) == 4 and web_values == cli_values
    expected = make_digest(Settings(), store, period="7d", themes=False)
    assert web_values[0] == str(expected.total) == "6"  # Nov 11-17: the window follows the data
    assert f"Posts: {expected.total}" in result.output
    # charts are data: PNGs; no inline <style> or style attribute (the CSP forbids them)
    assert len(re.findall(r'<img src="data:image/png;base64,', page.text)) >= 2
    assert "<style" not in page.text and " style=" not in page.text
    assert '<link rel="stylesheet" href="/dashboard/digest.css">' in page.text
    css = client.get("/dashboard/digest.css")
    assert css.status_code == 200 and ".st-digest" in css.text
    assert css.headers["content-type"].startswith("text/css")
    csp = page.headers["content-security-policy"]
    assert "img-src 'self' data:" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert CARD not in page.text  # quoted posts are redacted
    assert "Response times" in page.text


def test_filters_and_custom_period(board: tuple[Store, TestClient]) -> None:
    store, client = board
    login(client, "lia")  # leads see the dashboard too
    page = client.get(
        "/dashboard", params={"period": "custom", "start": "2026-11-10", "end": "2026-11-16"}
    )
    assert page.status_code == 200
    expected = make_digest(
        Settings(), store, period="7d", until=datetime(2026, 11, 17, tzinfo=UTC), themes=False
    )
    assert VALUE.findall(page.text)[0] == str(expected.total)
    reddit = client.get("/dashboard", params={"source": "reddit"})
    expected = make_digest(Settings(), store, period="7d", filters=PostFilter(source="reddit"),
                           themes=False)  # fmt: skip
    assert VALUE.findall(reddit.text)[0] == str(expected.total) == "2"
    english = client.get("/dashboard", params={"language": "en", "period": "30d"})
    assert english.status_code == 200 and "Language: en" in english.text
    for bad in (
        {"period": "2y"},
        {"period": "custom", "start": "2026-11-10"},
        {"period": "custom", "start": "2026-11-10", "end": "2026-11-01"},
    ):
        refused = client.get("/dashboard", params=bad)
        assert refused.status_code == 400, bad


def test_roles(board: tuple[Store, TestClient]) -> None:
    _store, client = board
    anonymous = client.get("/dashboard", headers={"accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(client, "ana")  # agents work the queue; the dashboard is for marketing and leads
    assert client.get("/dashboard").status_code == 403


def test_alerts_are_listed_redacted_and_link_to_exactly_their_posts(
    board: tuple[Store, TestClient],
) -> None:
    store, client = board
    card = store.find_post("x", "card")
    other = store.find_post("x", "p0")
    assert card is not None and other is not None
    alert = AlertStore(store.engine).add(
        Alert(kind="negative", scope="brand:acme", bucket_start=at(16, 5), posts=9, negative=8,
              baseline=1.0, score=6.5, post_ids=(card.id, other.id))
    )  # fmt: skip
    assert alert is not None
    login(client, "mo")
    page = client.get("/dashboard")
    link = queue_link("", alert)
    assert link == f"/queue?ids={card.id}%2C{other.id}" and f'href="{link}"' in page.text
    assert "my card" in page.text and CARD not in page.text
    # the link an alert e-mail or webhook carries, followed in this app
    absolute = queue_link(Settings().alerts.base_url, alert)
    parts = urlsplit(absolute)
    selected = client.get(f"{parts.path}?{parts.query}")
    assert selected.status_code == 200
    shown = {int(i) for i in re.findall(r'href="/items/(\d+)"', selected.text)}
    assert shown == {card.id, other.id}
    assert CARD not in selected.text
    assert client.get("/queue?ids=1,x").status_code == 400
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_the_live_dashboard_includes_today_so_far(sqlite_store: Store) -> None:
    """The e-mailed `digest --period 7d` covers whole past days; the live page adds today."""
    users(sqlite_store)
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    times = [
        midnight + (now - midnight) / 2,
        midnight - timedelta(hours=12),
        midnight - timedelta(hours=36),
    ]  # today so far, yesterday, the day before
    seed(
        sqlite_store,
        [{"text": f"post {i} about the app", "created_at": when, "sentiment": "neutral",
          "route": "public_reply", "external_id": f"d{i}"} for i, when in enumerate(times)],
    )  # fmt: skip
    app = create_app(Settings(), sqlite_store)
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "mo")
        page = client.get("/dashboard")
    assert page.status_code == 200
    assert VALUE.findall(page.text)[0] == "3"  # today's post, yesterday's, the day before's
    e_mailed = make_digest(Settings(), sqlite_store, period="7d", themes=False)
    assert e_mailed.total == 2  # whole days before today
