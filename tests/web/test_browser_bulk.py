"""Bulk select in Debian's chromium (issue 18): two agents at once, a bulk ignore skips the post
the other agent has claimed and says so, Undo within 10 s, the same form without JavaScript,
a lead's bulk assign; the page with the outcome passes axe-core and fits 390 px.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide, users
from tests.web.browser import ARTIFACTS, BROWSER
from tests.web.browser import serious as _serious
from tests.web.server import Server
from tests.web.test_browser_shift import _agent
from triage.queue import QueueService
from triage.storage import Store, make_engine, migrate

pytestmark = BROWSER


@pytest.fixture
def spam(tmp_path: Path) -> Iterator[tuple[Store, list[int]]]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    posts = [
        decide(
            store, external_id=f"s{i}", text=f"PROMO imperdível {i}: clique aqui", handle=f"bot{i}"
        )
        for i in range(4)
    ]
    decide(store, external_id="dm", text="Meu pedido sumiu", route=Route.PRIVATE_DM)
    yield store, posts
    engine.dispose()


def _state(store: Store, post: int) -> tuple[str, str | None]:
    item = QueueService(Settings(), store).item(post)
    return item.status.value, item.claim.by if item.claim else None


def test_a_bulk_ignore_skips_the_post_another_agent_claimed_and_says_so(
    spam: tuple[Store, list[int]], browser: Any
) -> None:
    store, posts = spam
    held = posts[1]
    with Server(store, Settings()) as server:
        ana = _agent(browser, server.url, "ana")
        bia = _agent(browser, server.url, "bia")
        bia.goto(f"{server.url}/items/{held}")
        bia.click("[data-action=claim]")
        bia.wait_for_selector("text=Claimed.")

        ana.goto(f"{server.url}/queue/public_reply")
        ana.check("#bulk-all")  # ticks every card's box
        assert all(box.is_checked() for box in ana.locator("input.pick").all())
        assert ana.inner_text("#bulk-count") == "4 selected"
        ana.uncheck(f"#item-{posts[0]} input.pick")  # one unticked: "all" no longer holds
        assert not ana.is_checked("#bulk-all")
        assert ana.inner_text("#bulk-count") == "3 selected"
        ana.click(f"#item-{posts[2]} .text")  # choose a card, then x ticks it back and forth
        ana.keyboard.press("x")
        assert not ana.is_checked(f"#item-{posts[2]} input.pick")
        ana.keyboard.press("x")
        assert ana.is_checked(f"#item-{posts[2]} input.pick")

        ana.click("[data-action=bulk-ignore]")
        ana.wait_for_selector("text=Ignored 2 posts.")
        skipped = ana.inner_text(".bulk-skipped")
        assert f"#{held}: post {held} is claimed by bia until" in skipped
        assert _state(store, held) == ("open", "bia")
        assert _state(store, posts[0]) == ("open", None)  # unticked: untouched
        assert _state(store, posts[2])[0] == _state(store, posts[3])[0] == "ignored"
        assert ana.locator(f"#item-{posts[2]}").count() == 0
        ARTIFACTS.mkdir(exist_ok=True)
        ana.screenshot(path=str(ARTIFACTS / "bulk-ignored.png"), full_page=True)
        assert _serious(ana) == []

        ana.click("[data-action=bulk-undo]")  # within its ten seconds
        ana.wait_for_selector("text=Undone: 2 posts back as they were.")
        assert _state(store, posts[2]) == ("open", None)
        assert _state(store, held) == ("open", "bia")

        ana.set_viewport_size({"width": 390, "height": 900})
        ana.check(f"#item-{posts[3]} input.pick")
        ana.click("[data-action=bulk-ignore]")
        ana.wait_for_selector("text=Ignored 1 post.")
        assert ana.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert _serious(ana) == []
        ana.screenshot(path=str(ARTIFACTS / "390-bulk-ignored.png"), full_page=True)


def test_bulk_select_works_without_javascript_and_leads_assign(
    spam: tuple[Store, list[int]], browser: Any
) -> None:
    store, posts = spam
    with Server(store, Settings()) as server:
        ana = _agent(browser, server.url, "ana", java_script_enabled=False)
        ana.goto(f"{server.url}/queue/public_reply?q=PROMO")
        ana.check(f"#item-{posts[0]} input.pick")
        ana.check(f"#item-{posts[1]} input.pick")
        ana.click("[data-action=bulk-ignore]")
        ana.wait_for_load_state()
        assert "/queue/public_reply?q=PROMO&bulk=" in ana.url
        assert "Ignored 2 posts." in ana.inner_text("main")
        ana.click("[data-action=bulk-undo]")
        ana.wait_for_load_state()
        assert "Undone: 2 posts back as they were." in ana.inner_text("main")
        ana.check("#bulk-all")  # without scripts: every post the page showed
        ana.click("[data-action=bulk-ignore]")
        ana.wait_for_load_state()
        assert "Ignored 4 posts." in ana.inner_text("main")
        assert all(_state(store, p)[0] == "ignored" for p in posts)

        lia = _agent(browser, server.url, "lia", java_script_enabled=False)
        lia.goto(f"{server.url}/queue/private_dm")
        lia.check("#bulk-all")
        lia.select_option("#bulk-to", "bia")
        lia.click("[data-action=bulk-assign]")
        lia.wait_for_load_state()
        assert "Assigned 1 post to bia." in lia.inner_text("main")
        assert "Claimed by bia" in lia.inner_text("article.card")
        lia.screenshot(path=str(ARTIFACTS / "bulk-assigned.png"), full_page=True)


def test_a_post_arriving_after_select_all_is_not_ignored_unseen(
    spam: tuple[Store, list[int]], browser: Any
) -> None:
    store, posts = spam
    settings = Settings.model_validate({"web": {"poll_seconds": 2}})
    with Server(store, settings) as server:
        ana = _agent(browser, server.url, "ana")
        ana.check("#bulk-all")
        new = decide(store, external_id="late", text="Chegou agora: fui cobrado duas vezes")
        ana.wait_for_selector(f"#item-{new}", timeout=15_000)
        assert not ana.is_checked("#bulk-all") and not ana.is_checked(f"#item-{new} input.pick")
        assert ana.inner_text("#bulk-count") == "4 selected"
        ana.click("[data-action=bulk-ignore]")
        ana.wait_for_selector("text=Ignored 4 posts.")
        assert all(_state(store, p)[0] == "ignored" for p in posts)
        assert _state(store, new) == ("open", None)


def test_a_bulk_escalation_makes_one_case_per_post_says_what_it_skipped_and_undoes(
    spam: tuple[Store, list[int]], browser: Any
) -> None:
    store, posts = spam
    held = posts[1]
    with Server(store, Settings()) as server:
        bia = _agent(browser, server.url, "bia")
        bia.goto(f"{server.url}/items/{held}")
        bia.click("[data-action=claim]")
        bia.wait_for_selector("text=Claimed.")
        ana = _agent(browser, server.url, "ana")
        ana.goto(f"{server.url}/queue/public_reply")
        for post in posts[:3]:
            ana.check(f"#item-{post} input.pick")
        ana.click("[data-action=bulk-escalate]")
        ana.wait_for_selector("text=Escalated 2 posts to the helpdesk: cases")
        skipped = ana.inner_text(".bulk-skipped")
        assert f"#{held}: post {held} is claimed by bia until" in skipped
        assert [_state(store, p)[0] for p in posts] == ["escalated", "open", "escalated", "open"]
        ARTIFACTS.mkdir(exist_ok=True)
        ana.screenshot(path=str(ARTIFACTS / "bulk-escalated.png"), full_page=True)
        assert _serious(ana) == []
        ana.set_viewport_size({"width": 390, "height": 900})
        assert ana.evaluate("document.scrollingElement.scrollWidth") <= 390
        ana.screenshot(path=str(ARTIFACTS / "390-bulk-escalated.png"), full_page=True)
        assert _serious(ana) == []

        ana.click("[data-action=bulk-undo]")  # within its ten seconds, before any delivery
        ana.wait_for_selector("text=Undone: 2 posts back as they were.")
        assert all(_state(store, p)[0] == "open" for p in posts)
