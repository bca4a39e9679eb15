"""What the Chromium tests share: where Debian's chromium is, where screenshots go, the marks
that skip loudly without it, one browser per test, logging in, and axe-core's serious issues.

Never `playwright install`: the tests launch /usr/bin/chromium (installed by `.ci/run`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.queue.seed import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

#: `pytestmark` of a module of browser tests (or the marks of one test).
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="!!! BROWSER TESTS SKIPPED: /usr/bin/chromium is missing "
        "(apt-get install chromium; never `playwright install`) !!!",
    ),
]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium driven by Playwright, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Any, base: str, name: str, password: str = PASSWORD) -> None:
    """Log `name` in through the form of the app at `base`."""
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def serious(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]
