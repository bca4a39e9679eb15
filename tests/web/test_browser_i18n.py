"""The review queue in Portuguese and Spanish in Debian's chromium: every page says so in
`<html lang>`, shows the translated words, passes axe-core and fits a 390 px phone and a
1280 px screen with the longer labels (no page wider than the screen, every view tab whole).
Screenshots go to tests/artifacts/ (`pt_BR-390-queue_public_reply.png`, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import PASSWORD, decide, users
from tests.web.browser import ARTIFACTS, BROWSER, serious
from tests.web.server import Server
from triage.queue.users import UserStore
from triage.storage import Store, make_engine, migrate

pytestmark = BROWSER

PAGES = [
    "/queue/public_reply",
    "/queue/private_dm",
    "/queue/helpdesk",
    "/items/{post}",
    "/queue?ids={post}",
    "/search?q=cliente",
    "/team",
    "/audit",
    "/learning",
    "/templates",
    "/users",
    "/account",
    "/dashboard",
]
#: Words each language's pages show (the queue, the item page, the header).
WORDS = {
    "pt_BR": ("Selecionar todos desta página", "Responder em público", "Sair", "Resposta pública"),
    "es": ("Seleccionar todas en esta página", "Responder en público", "Cerrar sesión", "Ruta"),
}
LANG = {"pt_BR": "pt-BR", "es": "es"}


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/triage.db")
    migrate(engine)
    store = Store(engine)
    users(store)
    decide(
        store,
        external_id="1",
        text="Fui cobrado duas vezes no cartão, ninguém responde!",
        age=timedelta(minutes=70),
        summary={
            "en": "Public reply: a billing complaint, 91% sure.",
            "pt_BR": "Resposta pública: uma reclamação de cobrança, 91% de certeza.",
        },
    )
    decide(store, external_id="2", text="Internet caiu de novo no bairro. " * 40)
    decide(store, external_id="3", text="Meu CPF vazou", sensitive=True, route=Route.PRIVATE_DM)
    decide(store, external_id="h", text="Vou processar", route=Route.HELPDESK, hold=True)
    yield store
    engine.dispose()


def _log_in(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_the_login_page_follows_the_browsers_language(seeded: Store, browser: Any) -> None:
    with Server(seeded, Settings()) as server:
        page = browser.new_context(locale="pt-BR").new_page()
        page.goto(f"{server.url}/login")
        assert page.get_attribute("html", "lang") == "pt-BR"
        assert page.inner_text("button[type=submit]") == "Entrar"
        _log_in(page, server.url, "ana")
        # ana has not picked a language: the deployment's (English) from here on
        assert page.get_attribute("html", "lang") == "en"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_every_page_in_another_language_fits_and_passes_axe(
    seeded: Store, browser: Any, locale: str, width: int
) -> None:
    found = seeded.find_post("x", "1")
    assert found is not None
    UserStore(seeded.engine).set_locale("root", locale)
    problems: dict[str, list[str]] = {}
    seen = ""
    ARTIFACTS.mkdir(exist_ok=True)
    with Server(seeded, Settings()) as server:
        page = browser.new_page(viewport={"width": width, "height": 900})
        _log_in(page, server.url, "root")
        for path in [p.format(post=found.id) for p in PAGES]:
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            issues = serious(page)
            if page.get_attribute("html", "lang") != LANG[locale]:
                issues.append(f"lang {page.get_attribute('html', 'lang')}")
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            if scroll > width:
                issues.append(f"{scroll} px wide")
            cut = page.evaluate(
                """(width) => Array.from(document.querySelectorAll('.tabs .tab, .card-foot .btn'))
                     .filter(t => { const r = t.getBoundingClientRect();
                                    return r.width > 0 && (r.left < 0 || r.right > width); })
                     .map(t => t.textContent.trim())""",
                width,
            )
            if cut:
                issues.append(f"cut off: {cut}")
            problems[path] = issues
            seen += page.inner_text("body").lower()
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_")
            page.screenshot(path=str(ARTIFACTS / f"{locale}-{width}-{name}.png"), full_page=True)
    assert {path: issues for path, issues in problems.items() if issues} == {}
    for phrase in WORDS[locale]:
        assert phrase.lower() in seen, phrase


def test_scripts_speak_the_pages_language(seeded: Store, browser: Any) -> None:
    """The bulk bar's counter and the presence line are written by scripts, with words the
    page (or the server) gave them."""
    UserStore(seeded.engine).set_locale("ana", "pt_BR")
    UserStore(seeded.engine).set_locale("bia", "es")
    found = seeded.find_post("x", "1")
    assert found is not None
    with Server(seeded, Settings()) as server:
        ana = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(ana, server.url, "ana")
        ana.goto(f"{server.url}/queue/public_reply")
        boxes = ana.locator("input.pick")
        boxes.nth(0).check()
        assert ana.inner_text("#bulk-count") == "1 selecionado"
        boxes.nth(1).check()
        assert ana.inner_text("#bulk-count") == "2 selecionados"
        bia = browser.new_page(viewport={"width": 1280, "height": 900})
        _log_in(bia, server.url, "bia")
        bia.goto(f"{server.url}/items/{found.id}")
        ana.goto(f"{server.url}/items/{found.id}")
        ana.wait_for_selector("#presence:text('bia está vendo')", timeout=15_000)
        bia.wait_for_selector("#presence:text('ana está mirando')", timeout=15_000)
