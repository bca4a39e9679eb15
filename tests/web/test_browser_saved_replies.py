"""Saved replies in Debian's chromium (issue 18, scope 6): an agent presses `t`, moves with the
arrows and Enter puts the reply, filled in, in its box, with the first blank selected; the open
picker passes axe-core; a reply with a blank left is refused; without JavaScript the select and
its Use button fill the box. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from typing import Any

from config.schema import Settings
from tests.web import test_browser_shift as shift
from tests.web.server import Server
from tests.web.test_browser_shift import ARTIFACTS, _agent, _answers, _post_id, _serious
from triage.queue import QueueService
from triage.queue.saved_replies import SavedReplies
from triage.queue.users import UserStore
from triage.storage import Store

pytestmark = shift.pytestmark
#: The shift test's seeded database (the browser is tests/web/conftest.py's).
seeded = shift.seeded


def _templates(store: Store) -> None:
    lia = UserStore(store.engine).get("lia")
    assert lia is not None
    saved = SavedReplies(store.engine, QueueService(Settings(), store).writes)
    for title, language, channel, body in (
        ("A: caso aberto", "pt_BR", "reply", "Oi {author_name}, o caso {case_number} foi aberto."),
        ("B: obrigado", "pt_BR", "reply", "Obrigado, {author_name}! Equipe {brand}."),
        ("C: english", "en", "reply", "Hi {author_name}"),
    ):
        saved.add(lia, title=title, language=language, channel=channel, body=body)


def test_an_agent_picks_a_saved_reply_with_the_keyboard(seeded: Store, browser: Any) -> None:
    _templates(seeded)
    post = _post_id(seeded, "1")
    settings = Settings()
    ARTIFACTS.mkdir(exist_ok=True)
    with Server(seeded, settings) as server:
        page = _agent(browser, server.url, "ana")
        page.goto(f"{server.url}/items/{post}")
        page.keyboard.press("t")
        page.wait_for_selector("#saved-picker", state="visible")
        # The post is in Portuguese: the English template is not offered.
        assert page.locator("#saved-list [role=option]").count() == 2
        assert "C: english" not in page.inner_text("#saved-picker")
        assert _serious(page) == []
        page.screenshot(path=str(ARTIFACTS / "item-saved-picker.png"), full_page=True)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert page.is_hidden("#saved-picker")
        assert page.input_value("#reply-text") == "Obrigado, Cliente! Equipe Acme."
        assert page.evaluate("document.activeElement.id") == "reply-text"

        # Typing filters; the blank left is selected, ready to be typed over.
        page.evaluate("document.activeElement.blur()")  # out of the reply box
        page.keyboard.press("t")
        page.keyboard.type("caso")
        assert page.locator("#saved-list [role=option]:visible").count() == 1
        page.keyboard.press("Enter")
        text = "Oi Cliente, o caso {case_number} foi aberto."
        assert page.input_value("#reply-text") == text
        selected = page.evaluate(
            "(() => { const b = document.getElementById('reply-text');"
            " return b.value.slice(b.selectionStart, b.selectionEnd); })()"
        )
        assert selected == "{case_number}"
        page.click("[data-action=reply]")
        page.wait_for_selector("text=fill in {case_number} first")
        assert page.input_value("#reply-text") == text
        assert _answers(seeded, post) == 0
        page.screenshot(path=str(ARTIFACTS / "item-saved-refused.png"), full_page=True)

        # On a phone the open picker fits the screen and passes axe-core too.
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(f"{server.url}/items/{post}")
        page.keyboard.press("t")
        page.wait_for_selector("#saved-picker", state="visible")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        assert _serious(page) == []
        page.screenshot(path=str(ARTIFACTS / "390-item-saved-picker.png"))

        lead = _agent(browser, server.url, "lia")
        lead.goto(f"{server.url}/templates")
        assert "A: caso aberto" in lead.inner_text("main")
        assert _serious(lead) == []
        lead.screenshot(path=str(ARTIFACTS / "templates.png"), full_page=True)
        # Deleting asks once more; the template then leaves the list.
        row = lead.locator("tr", has_text="C: english")
        row.locator("summary").click()
        row.locator("[data-action=delete-template]").click()
        lead.wait_for_selector("text=Deleted.")
        assert "C: english" not in lead.inner_text("main")


def test_without_javascript_the_select_fills_the_box(seeded: Store, browser: Any) -> None:
    _templates(seeded)
    post = _post_id(seeded, "1")
    with Server(seeded, Settings()) as server:
        page = _agent(browser, server.url, "ana", java_script_enabled=False)
        page.goto(f"{server.url}/items/{post}?back=/queue/public_reply")
        page.select_option("#saved-select", label="B: obrigado · public")
        page.click("[data-action=use-saved]")
        page.wait_for_load_state()
        assert page.input_value("#reply-text") == "Obrigado, Cliente! Equipe Acme."
        assert "back=%2Fqueue%2Fpublic_reply" in page.url or "back=/queue/public_reply" in page.url
