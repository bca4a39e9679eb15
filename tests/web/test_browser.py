"""The review queue in a real browser: Debian's chromium driven by Playwright.

Never `playwright install`: the tests launch /usr/bin/chromium (installed by `.ci/run`). They
skip, loudly, only when that browser is missing. A screenshot of the queue is saved under
tests/artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide, users
from tests.web.browser import ARTIFACTS, BROWSER, log_in
from tests.web.server import Server
from triage.storage import Store, make_engine, migrate
from triage.storage.tables import cases, decisions, replies

pytestmark = BROWSER

HOSTILE = [
    ("<script>window.__xss = 1; alert('script')</script>", "javascript:alert(1)"),
    (
        '<img src=x onerror="window.__xss = 2; alert(2)">',
        "data:text/html,<script>alert(3)</script>",
    ),
    ('"><svg onload="window.__xss=3">', "JaVaScRiPt:window.__xss=4"),
    ('<a href="javascript:window.__xss=5">click</a> \u202egnp.exe', "https://ok.example/p"),
]


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    decide(store, external_id="p0", text="Adoro vocês", handle="fan", route=Route.IGNORE)
    decide(
        store,
        external_id="1",
        text="Fui cobrado duas vezes no cartão, ninguém responde!",
        parent_id="p0",
        age=timedelta(minutes=70),
    )
    decide(store, external_id="2", text="Internet caiu de novo no bairro", sentiment="neutral")
    decide(store, external_id="3", text="Meu CPF vazou no app de vocês", sensitive=True)
    decide(
        store,
        external_id="held",
        text="Vou processar a empresa",
        route=Route.HELPDESK,
        needs_review=True,
        hold=True,
    )
    yield store
    engine.dispose()


def _watch(page: Any) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"dialogs": [], "csp": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on(
        "console",
        lambda m: seen["csp"].append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


_login = log_in


def test_agent_claims_replies_escalates_and_corrects(seeded: Store, browser: Any) -> None:
    settings = Settings.model_validate({"web": {"poll_seconds": 2}})
    with Server(seeded, settings) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        seen = _watch(page)
        _login(page, server.url, "ana")
        assert page.url.endswith("/queue/public_reply")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

        # Claim with the keyboard: j selects the first card, c claims it (HTMX swaps the card).
        first = page.locator("article.card").first
        post_id = first.get_attribute("data-post")
        page.keyboard.press("j")
        page.keyboard.press("c")
        page.wait_for_selector(f"#item-{post_id} >> text=Claimed by")
        assert "Claimed." in page.inner_text(f"#item-{post_id}")

        # A new post appears without a reload.
        decide(seeded, external_id="new", text="Chegou agora: app travou")
        page.wait_for_selector("text=Chegou agora: app travou", timeout=10_000)

        # Reply (dry run) from the item page.
        page.goto(f"{server.url}/items/{post_id}")
        page.fill("#reply-text", "Olá! Vamos verificar a cobrança.")
        page.click("[data-action=reply]")
        page.wait_for_selector("text=Reply stored.")
        assert "dry run: not sent" in page.content()

        # Escalate another item.
        other = seeded.find_post("x", "3")
        assert other is not None
        page.goto(f"{server.url}/items/{other.id}")
        page.fill("input[name=reason]", "dados pessoais")
        page.click("[data-action=escalate]")
        page.wait_for_selector("text=Escalated to the helpdesk.")

        # Correct a label; the item is re-decided at once.
        target = seeded.find_post("x", "2")
        assert target is not None
        page.goto(f"{server.url}/items/{target.id}")
        page.select_option("form:has(input[value=sentiment]) select", "positive")
        page.click("[data-action=correct-sentiment]")
        page.wait_for_selector("text=Correction saved")
        assert "Re-decided after ana corrected sentiment" in page.content()
        assert seen == {"dialogs": [], "csp": []}
    with seeded.engine.connect() as conn:
        assert conn.execute(select(replies.c.dry_run)).scalar_one() is True
        assert (
            conn.execute(select(cases.c.status).where(cases.c.post_id == other.id)).scalar_one()
            == "pending"
        )
        by = conn.execute(
            select(decisions.c.decided_by).where(
                decisions.c.post_id == target.id, decisions.c.superseded_at.is_(None)
            )
        ).scalar_one()
    assert by == "agent:ana"


def test_lead_releases_a_held_case(seeded: Store, browser: Any) -> None:
    with Server(seeded, Settings()) as server:
        page = browser.new_page()
        seen = _watch(page)
        _login(page, server.url, "lia")
        page.goto(f"{server.url}/queue/helpdesk")
        assert "Vou processar a empresa" in page.inner_text("section.held")
        page.click("section.held [data-action=release]")
        page.wait_for_load_state("networkidle")
        assert page.locator("section.held").count() == 0
        assert seen == {"dialogs": [], "csp": []}
    with seeded.engine.connect() as conn:
        assert conn.execute(select(cases.c.status)).scalar_one() == "pending"


def test_hostile_posts_run_nothing(seeded: Store, browser: Any) -> None:
    for i, (text, url) in enumerate(HOSTILE):
        decide(seeded, external_id=f"h{i}", text=text, name=text[:60], handle=f"ev{i}", url=url)
    with Server(seeded, Settings()) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        seen = _watch(page)
        _login(page, server.url, "ana")
        page.goto(f"{server.url}/queue/public_reply")
        page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hostile.png"), full_page=True)
        assert page.evaluate("() => window.__xss") is None
        hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert all(h.startswith(("/", "http://", "https://", "#")) for h in hrefs), hrefs
        outbound = page.eval_on_selector_all(
            "a[target=_blank]", "els => els.map(e => e.getAttribute('rel'))"
        )
        assert outbound and all(r == "noopener noreferrer" for r in outbound)
        for i in range(len(HOSTILE)):
            post = seeded.find_post("x", f"h{i}")
            assert post is not None
            page.goto(f"{server.url}/items/{post.id}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("() => window.__xss") is None
        assert "[U+202E]" in page.content() or "[U+202E]" in page.inner_text("body")
        assert seen == {"dialogs": [], "csp": []}


def test_marketing_sees_the_dashboard_with_charts(seeded: Store, browser: Any) -> None:
    from tests.digest.helpers import seed as seed_digest
    from triage.storage.alerts import Alert, AlertStore

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    moods = ("negative", "neutral", "positive", "negative")
    seed_digest(
        seeded,
        [
            {"text": f"post {i} sobre a fatura", "created_at": now - timedelta(hours=7 * i),
             "sentiment": moods[i % 4], "route": ("helpdesk", "public_reply")[i % 2],
             "external_id": f"d{i}", "lang": "pt"}
            for i in range(18)
        ],
    )  # fmt: skip
    driving = [p.id for p in (seeded.find_post("x", f"d{i}") for i in (0, 4)) if p]
    AlertStore(seeded.engine).add(
        Alert(kind="volume", scope="brand:acme", bucket_start=now - timedelta(hours=1), posts=12,
              negative=7, baseline=2.0, score=5.2, post_ids=tuple(driving))
    )  # fmt: skip
    with Server(seeded, Settings()) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        seen = _watch(page)
        _login(page, server.url, "mo")
        assert page.url.endswith("/dashboard")  # marketing lands on the dashboard
        page.wait_for_load_state("networkidle")
        widths = page.eval_on_selector_all(
            ".st-digest img", "els => els.map(e => e.complete ? e.naturalWidth : 0)"
        )
        assert len([w for w in widths if w > 0]) >= 2, widths
        # the digest's stylesheet applied (served, not inline): its header is dark blue
        background = page.eval_on_selector(
            ".st-digest .head", "e => getComputedStyle(e).backgroundColor"
        )
        assert background == "rgb(31, 59, 87)"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        page.click("text=open these 2 posts in the queue")
        page.wait_for_load_state("networkidle")
        assert page.locator("article.card").count() == 2
        page.screenshot(path=str(ARTIFACTS / "alert-posts.png"), full_page=True)
        assert seen == {"dialogs": [], "csp": []}


def test_agent_uses_a_suggested_answer(seeded: Store, browser: Any, tmp_path: Path) -> None:
    from tests.classifiers.test_encoder import build_tiny_bert
    from tests.suggest.test_kb import ARTICLES, write_csv

    settings = Settings.model_validate(
        {
            "classifier": {"model": str(build_tiny_bert(tmp_path / "tiny")), "threads": 1},
            "suggestions": {"knowledge_base": str(write_csv(tmp_path / "kb.csv", ARTICLES))},
        }
    )
    post = seeded.find_post("x", "1")
    assert post is not None
    with Server(seeded, settings) as server:
        server.server.config.app.state.suggest.wait_ready(120)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        seen = _watch(page)
        _login(page, server.url, "ana")
        page.goto(f"{server.url}/items/{post.id}")
        page.wait_for_load_state("networkidle")
        assert page.locator(".suggestions .article a").count() == 3
        suggested = page.get_attribute("[data-action=use-suggestion]", "data-text")
        page.click("[data-action=use-suggestion]")
        assert page.input_value("#reply-text") == suggested and suggested
        assert page.url.endswith(f"/items/{post.id}")  # filled by app.js, no reload
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "item-suggestions.png"), full_page=True)
        assert seen == {"dialogs": [], "csp": []}
