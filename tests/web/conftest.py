from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from config.schema import Settings
from tests.queue.seed import PASSWORD, users
from tests.web.browser import chromium
from triage.storage import Store
from triage.web.app import create_app


@pytest.fixture
def web_store(store: Store) -> Store:
    users(store)
    return store


@pytest.fixture
def app_client(web_store: Store) -> Iterator[TestClient]:
    app = create_app(Settings(), web_store)
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    queue = client.get("/queue/public_reply" if name != "mo" else "/dashboard")
    found = re.search(r'name="csrf" value="([^"]+)"', queue.text)
    assert found
    return found.group(1)


@pytest.fixture
def browser() -> Iterator[Any]:
    """One headless chromium for the test (tests/web/browser.py)."""
    with chromium() as launched:
        yield launched
