"""The item page shows the customer beside the post (in-process on SQLite and PostgreSQL),
and in Chromium: axe-core clean at 390 and 1280 px, a screenshot in tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide, users
from tests.queue.test_customer import seed_customer
from tests.web.browser import ARTIFACTS, BROWSER, CHROMIUM, log_in, serious
from tests.web.conftest import login
from tests.web.server import Server
from triage.queue import QueueService
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate
from triage.storage.tables import cases


def _with_history(store: Store) -> dict[str, int]:
    ids = seed_customer(store)
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    QueueService(Settings(), store).respond(
        ids["replied"], ana, "Vamos verificar, João.", channel="reply"
    )
    with store.engine.begin() as conn:
        conn.execute(
            update(cases)
            .where(cases.c.post_id == ids["case"])
            .values(status="sent", ticket_id="RT-4711", ticket_url="https://rt.example/4711")
        )
    return ids


def test_the_item_page_shows_the_customer(web_store: Store, app_client: TestClient) -> None:
    ids = _with_history(web_store)
    login(app_client, "ana")
    page = app_client.get(f"/items/{ids['now']}", params={"back": "/queue/review"}).text
    section = page[page.index('<section class="customer"') :]
    section = section[: section.index("</section>")]
    assert "This customer: João Silva" in section and "@jsilva" in section
    assert "3 other posts · 2 answered · 1 helpdesk case" in section
    for key in ("replied", "case", "platform"):
        assert f'href="/items/{ids[key]}?back=/queue/review"' in section
    assert f"/items/{ids['reddit']}" not in section and f"/items/{ids['recycled']}" not in section
    assert "Vamos verificar, João." in section and "Nós que agradecemos!" in section
    assert re.search(r'href="https://rt.example/4711"[^>]*>RT-4711</a>', section)
    assert "via x-billing" in section
    assert 'href="/search?q=author%3A%40jsilva&amp;source=x">All posts by @jsilva' in section
    older = app_client.get(f"/items/{ids['platform']}").text
    assert older.count("(later)") == 3  # seen from the oldest post, the others came after
    # The link lists exactly this handle's posts on this platform, in every view.
    listed = app_client.get("/search", params={"q": "author:@jsilva", "source": "x"}).text
    assert all(f'id="item-{ids[k]}"' in listed for k in ("now", "replied", "case", "platform"))
    assert f'id="item-{ids["reddit"]}"' not in listed
    # Marketing reads the queue pages: the customer too, without the action panel.
    app_client.post("/logout", data={"csrf": login(app_client, "ana")})
    login(app_client, "mo")
    assert "This customer" in app_client.get(f"/items/{ids['now']}").text


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Store, dict[str, int]]]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    yield store, _with_history(store)
    engine.dispose()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=BROWSER[1].kwargs["reason"])
def test_customer_history_in_chromium(
    seeded: tuple[Store, dict[str, int]], browser: Any, width: int
) -> None:
    store, ids = seeded
    ARTIFACTS.mkdir(exist_ok=True)
    with Server(store, Settings()) as server:
        page: Any = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, server.url, "ana")
        page.goto(f"{server.url}/items/{ids['now']}")
        page.wait_for_load_state("networkidle")
        history = page.locator("section.customer")
        assert history.is_visible()
        assert page.locator(".customer-post").count() == 3
        page.screenshot(path=str(ARTIFACTS / f"{width}-item-customer.png"), full_page=True)
        assert serious(page) == []
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        # Searching from the queue page's box finds João in every view, by his name.
        page.goto(f"{server.url}/queue/public_reply")
        page.fill("#search", "JOAO")
        page.press("#search", "Enter")
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(f"{server.url}/search?q=JOAO")
        assert page.locator(f"#item-{ids['case']}").count() == 1
        page.screenshot(path=str(ARTIFACTS / f"{width}-search.png"), full_page=True)


def test_a_hostile_customer_stays_inert(web_store: Store, app_client: TestClient) -> None:
    name = "<script>alert(1)</script>\u202e"
    first = decide(
        web_store,
        external_id="1",
        text="<img src=x onerror=alert(1)>",
        handle="evil",
        name=name,
        route=Route.HELPDESK,
    )
    now = decide(web_store, external_id="2", text="oi", handle="evil", name=name)
    with web_store.engine.begin() as conn:
        conn.execute(
            update(cases)
            .where(cases.c.post_id == first)
            .values(ticket_id="<b>T</b>", ticket_url="javascript:alert(1)")
        )
    login(app_client, "ana")
    page = app_client.get(f"/items/{now}").text
    section = page[page.index('<section class="customer"') :]
    assert f"/items/{first}" in section and "[U+202E]" in section
    assert "<script>" not in page and "<img" not in section and "<b>T</b>" not in section
    assert "javascript:" not in page
