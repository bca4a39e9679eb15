"""The item page shows each help article's chance of being the one to send (issue 18, item 8),
and an article the team sent for a similar post gains, read from the send log of the app's own
store (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from config.schema import Settings
from tests.classifiers.test_encoder import build_tiny_bert
from tests.queue.seed import decide
from tests.suggest.test_history import send
from tests.suggest.test_kb import ARTICLES, write_csv
from tests.web.browser import ARTIFACTS, CHROMIUM
from tests.web.conftest import login
from tests.web.server import Server
from tests.web.test_browser_shift import (  # noqa: F401 (fixtures)
    PASSWORD,
    _post_id,
    _serious,
    seeded,
)
from triage.storage import Store
from triage.web.app import create_app

CHANCE = re.compile(
    r'href="https://help\.acme\.test/(\w+)"[^·]*· (\d+)% likely the one to send</span>'
)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


def chances(client: TestClient, post: int) -> dict[str, int]:
    page = client.get(f"/items/{post}")
    assert page.status_code == 200
    return {path: int(pct) for path, pct in CHANCE.findall(page.text)}


def test_item_page_shows_chances_that_move_with_what_agents_sent(
    web_store: Store, tmp_path: Path, tiny_model: Path
) -> None:
    question = "my parcel never arrived and the courier says delivered"
    post = decide(web_store, external_id="1", text=question)
    earlier = decide(web_store, external_id="2", text=question + "!")
    settings = Settings.model_validate(
        {
            "classifier": {"model": str(tiny_model), "threads": 1},
            "suggestions": {
                "knowledge_base": str(write_csv(tmp_path / "kb.csv", ARTICLES)),
                "articles": 4,
                "history_refresh_seconds": 0,
            },
        }
    )
    app = create_app(settings, web_store)
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "ana")
        assert app.state.suggest.wait_ready(120)
        before = chances(client, post)
        assert set(before) == {"password", "orders", "refunds", "wifi"}
        assert all(0 <= p <= 100 for p in before.values())
        assert sum(before.values()) <= 100 + 2  # rounding; the rest is "none of these"
        assert "% match" not in client.get(f"/items/{post}").text
        send(web_store, earlier, "Sorry to hear that, see https://help.acme.test/wifi")
        after = chances(client, post)
        assert after["wifi"] > before["wifi"]
        assert all(after[k] <= before[k] for k in ("password", "orders", "refunds"))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="!!! BROWSER TEST SKIPPED: no chromium !!!")
@pytest.mark.parametrize("width", [390, 1280])
def test_the_articles_with_their_chances_pass_axe_and_fit_the_screen(
    seeded: Store,  # noqa: F811
    browser: Any,
    tmp_path: Path,
    tiny_model: Path,
    width: int,
) -> None:
    """The item page with help articles (the shift test's item page has no knowledge base)."""
    post = _post_id(seeded, "1")
    settings = Settings.model_validate(
        {
            "classifier": {"model": str(tiny_model), "threads": 1},
            "suggestions": {"knowledge_base": str(write_csv(tmp_path / "kb.csv", ARTICLES))},
        }
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with Server(seeded, settings) as server:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{server.url}/login")
        page.fill("input[name=name]", "ana")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for _ in range(120):  # the encoder loads on its thread; the page says so meanwhile
            page.goto(f"{server.url}/items/{post}")
            page.wait_for_load_state("networkidle")
            if "likely the one to send" in page.inner_text("#suggestions"):
                break
            time.sleep(1)
        articles = page.locator("#suggestions .article")
        assert articles.count() == 3
        assert "likely the one to send" in articles.first.inner_text()
        found = _serious(page)
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll > width:
            found.append(f"{scroll} px wide")
        page.screenshot(path=str(ARTIFACTS / f"{width}-item-articles.png"), full_page=True)
    assert found == []
