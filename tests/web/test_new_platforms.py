"""Bluesky and Mastodon posts in the review queue like the others: stored by their sources
through the real clients, listed with their platform, their text readable (full links, alt
text), and answered (dry run)
from the item page in a real browser. (The item page's thread lists stored posts only, for
every platform; the parent a source kept in `raw["parent"]` reaches the helpdesk case.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.period import Window
from tests.httpserver import FakeAPI
from tests.listener.bluesky import helpers as bluesky
from tests.listener.mastodon import helpers as mastodon
from tests.queue.seed import users
from tests.queue.test_answer_flow import decide_public
from tests.web.browser import ARTIFACTS, CHROMIUM
from tests.web.conftest import login
from tests.web.test_browser import Server, _login, _watch
from triage.digest.compute import build_digest
from triage.digest.render import render_html
from triage.polling import poll_source
from triage.storage import Store, make_engine, migrate
from triage.storage.digest_reads import DigestReads
from triage.web.app import create_app

MARIA = "at://did:plc:maria3x7yq2l5kzt6f4rbwdu/app.bsky.feed.post/3lcmaria0001a"
LINK = "https://status.acme.example/orders/12345?utm=bsky"


@pytest.fixture
def polled(tmp_path: Path, fake_api: FakeAPI) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    bluesky.logged_in(fake_api)
    fake_api.add("GET", bluesky.GET_POSTS, bluesky.response("get_posts.json"), sticky=True)
    fake_api.add("GET", bluesky.NOTIFICATIONS, bluesky.response("list_notifications_page1.json"))
    fake_api.add("GET", bluesky.NOTIFICATIONS, bluesky.response("list_notifications_page2.json"))
    assert poll_source(store, bluesky.make_source(fake_api)).new == 5
    toots = [mastodon.mention(2, 20, favourites_count=7, reblogs_count=2), mastodon.mention(1, 10)]
    fake_api.add(
        "GET", mastodon.NOTIFICATIONS, mastodon.notifications_page(toots, next_max_id=None)
    )
    assert poll_source(store, mastodon.make_source(fake_api)).new == 2
    for post_id in range(1, 8):
        decide_public(store, post_id)
    yield store
    engine.dispose()


def test_the_queue_lists_and_shows_them(polled: Store) -> None:
    with TestClient(create_app(Settings(), polled), base_url="http://testserver") as client:
        login(client, "ana")
        listed = client.get("/queue/public_reply").text
        assert "bluesky · notifications" in listed and "mastodon · mentions" in listed
        assert LINK.replace("&", "&amp;") in listed and "pedido parado há 9 dias" in listed
        assert "@acme my order 20 never arrived" in listed
        maria = polled.find_post("bluesky", MARIA)
        assert maria is not None
        item = client.get(f"/items/{maria.id}").text
        assert "@maria.bsky.social" in item and "Maria Silva" in item
        assert "https://bsky.app/profile/maria.bsky.social/post/3lcmaria0001a" in item


def test_the_digest_names_them_and_counts_their_engagement(polled: Store) -> None:
    window = Window(start=datetime(2026, 7, 1, tzinfo=UTC), end=datetime.now(UTC))
    digest = build_digest(DigestReads(polled.engine), window, brand="Acme")
    assert digest.by_source == {"bluesky": 5, "mastodon": 2}
    html = render_html(digest).html
    assert "Bluesky" in html and "Mastodon" in html
    # Ranked by what people did with them: the toot with 7 favourites and 2 boosts first.
    assert digest.engagement_basis == "engagement"
    assert digest.top_posts[0].text == "@acme my order 20 never arrived"


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="!!! BROWSER TEST SKIPPED: no chromium !!!")
def test_an_agent_answers_a_bluesky_post_in_the_browser(polled: Store) -> None:
    from playwright.sync_api import sync_playwright

    maria = polled.find_post("bluesky", MARIA)
    assert maria is not None
    with sync_playwright() as p, Server(polled, Settings()) as server:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page: Any = chromium.new_page(viewport={"width": 1280, "height": 900})
        seen = _watch(page)
        _login(page, server.url, "ana")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "queue-bluesky-mastodon.png"), full_page=True)
        page.goto(f"{server.url}/items/{maria.id}")
        page.screenshot(path=str(ARTIFACTS / "item-bluesky.png"), full_page=True)
        page.fill("#reply-text", "Olá Maria! Vamos verificar o pedido.")
        page.click("[data-action=reply]")
        page.wait_for_selector("text=Reply stored.")
        assert "dry run: not sent" in page.content()
        assert seen == {"dialogs": [], "csp": []}
        chromium.close()
