"""The item page shows each help article's chance of being the one to send (issue 18, item 8),
and an article the team sent for a similar post gains, read from the send log of the app's own
store (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from config.schema import Settings
from tests.classifiers.test_encoder import build_tiny_bert
from tests.queue.seed import decide
from tests.suggest.test_history import send
from tests.suggest.test_kb import ARTICLES, write_csv
from tests.web.conftest import login
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
