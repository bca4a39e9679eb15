"""The Team page's figures and the time-left order in Debian's chromium: axe-core finds no
serious or critical issue (the breach badges' contrast included) and nothing is wider than a
390 px phone. Screenshots go to tests/artifacts/ (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide, users
from tests.web.browser import ARTIFACTS, BROWSER, log_in
from tests.web.browser import serious as _serious
from tests.web.server import Server
from triage.queue import QueueService
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate

pytestmark = BROWSER
SETTINGS = {
    "sla": {"first_response_minutes": {"public_reply": 60, "private_dm": 60, "helpdesk": 240}}
}


@pytest.fixture
def worked(tmp_path: Path) -> Iterator[Store]:
    """Open posts in every badge state, and answers by two agents (one after a claim)."""
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    m = timedelta(minutes=1)
    decide(store, external_id="ok", text="Quando chega meu pedido?", age=10 * m)
    decide(store, external_id="soon", text="Ninguém responde o chat", age=50 * m)
    decide(
        store, external_id="late", text="Cobrado duas vezes!", route=Route.PRIVATE_DM, age=90 * m
    )
    decide(store, external_id="help", text="Vou ao Procon", route=Route.HELPDESK, age=200 * m)
    service = QueueService(Settings.model_validate(SETTINGS), store)
    people = UserStore(engine)
    for n, name in enumerate(["ana", "ana", "bia"]):
        post = decide(store, external_id=f"done{n}", text=f"pergunta {n}", age=(15 + 10 * n) * m)
        person = people.get(name)
        assert person is not None
        if n != 1:
            service.claim(post, person)
        service.respond(post, person, "Olá! Vamos verificar.", channel="reply")
    yield store
    engine.dispose()


@pytest.mark.parametrize("width", [390, 1280])
def test_team_figures_and_time_left_pass_axe_and_fit(
    worked: Store, browser: Any, width: int
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    problems: dict[str, list[str]] = {}
    with Server(worked, Settings.model_validate(SETTINGS)) as server:
        page = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, server.url, "lia")
        for path in ["/team?period=7d", "/queue/label?sort=due", "/queue/private_dm?sort=due"]:
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            found = _serious(page)
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            if scroll > width:
                found.append(f"{scroll} px wide")
            problems[path] = found
            name = "sla-" + path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_")
            page.screenshot(path=str(ARTIFACTS / f"{width}-{name}.png"), full_page=True)
        page.goto(server.url + "/team?period=7d")
        assert page.inner_text("tr[data-person=ana] td:nth-child(2)") == "2"
        assert page.inner_text("tr[data-person=bia] td:nth-child(2)") == "1"
        page.goto(server.url + "/queue/label?sort=due")
        badges = page.locator(".card .badge.sla").all_inner_texts()
        assert [b.split(" ")[0].lower() for b in badges[:3]] == ["breached", "due", "due"]
    assert {path: found for path, found in problems.items() if found} == {}
