"""Suggested answers on the item page: template replies at once, help articles once the shared
encoder has loaded on its thread (the page never waits for it), never on list pages."""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from tests.classifiers.test_encoder import build_tiny_bert
from tests.queue.seed import decide
from tests.suggest.test_kb import ARTICLES, write_csv
from tests.web.conftest import login
from triage.cli import cli
from triage.storage import Store
from triage.web.app import create_app
from triage.web.suggest import SuggestionService


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


def settings_with_kb(tmp_path: Path, model: Path) -> Settings:
    kb = write_csv(tmp_path / "kb.csv", ARTICLES)
    return Settings.model_validate(
        {
            "classifier": {"model": str(model), "threads": 1},
            "suggestions": {"knowledge_base": str(kb)},
        }
    )


def test_item_page_shows_replies_then_articles(
    web_store: Store,
    tmp_path: Path,
    tiny_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = decide(web_store, external_id="1", text="Where is my order? Track says nothing")
    settings = settings_with_kb(tmp_path, tiny_model)
    app = create_app(settings, web_store)
    service: SuggestionService = app.state.suggest
    calls: list[int] = []
    original = service.for_item
    monkeypatch.setattr(
        service, "for_item", lambda item: calls.append(item.post_id) or original(item)
    )
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "ana")
        assert calls == []  # the queue list computes no suggestion
        assert "Suggested answers" not in client.get("/queue/public_reply").text
        assert calls == []
        page = client.get(f"/items/{post}")
        assert page.status_code == 200 and calls == [post]
        assert "Suggested answers" in page.text
        assert 'data-fill="reply-text"' in page.text and 'data-action="use-suggestion"' in page.text
        assert service.wait_ready(120)
        page = client.get(f"/items/{post}")
        links = re.findall(
            r'<a href="([^"]+)" target="_blank" rel="noopener noreferrer">', page.text
        )
        articles = [u for u in links if "help.acme.test" in u]
        assert len(articles) == 3 and all(u.startswith("https://") for u in articles)
        assert "loading" not in page.text
        # without JavaScript, ?use=N fills the box server-side
        text = re.search(r'data-text="([^"]*)"', page.text)
        assert text
        filled = client.get(f"/items/{post}", params={"use": "0"})
        box = re.search(r'<textarea name="text" rows="4" id="reply-text"[^>]*>([^<]*)</textarea>',
                        filled.text)  # fmt: skip
        assert box and html.unescape(box.group(1)) == html.unescape(text.group(1)) != ""
        login(client, "mo")  # read-only: no suggestions to use
        assert "Suggested answers" not in client.get(f"/items/{post}").text


def test_a_slow_model_does_not_hold_the_page(
    web_store: Store,
    tmp_path: Path,
    tiny_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = decide(web_store, external_id="1", text="cobrança duplicada", route=Route.PUBLIC_REPLY)
    release = threading.Event()

    def slow(settings: Settings) -> object:
        release.wait(60)
        raise RuntimeError("model files missing")

    monkeypatch.setattr("triage.digest.build.shared_encoder", slow)
    app = create_app(settings_with_kb(tmp_path, tiny_model), web_store)
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "ana")
        page = client.get(f"/items/{post}")
        assert page.status_code == 200 and "Help articles are loading" in page.text
        assert 'data-fill="reply-text"' in page.text  # the replies need no model
        release.set()
        assert app.state.suggest.wait_ready(30)
        page = client.get(f"/items/{post}")
        assert "No help articles: the encoder did not load (RuntimeError)" in page.text


def test_queue_show_prints_the_suggestions(
    web_store: Store,
    tmp_path: Path,
    tiny_model: Path,
) -> None:
    post = decide(web_store, external_id="1", text="Forgot my password, cannot log in")
    config = tmp_path / "c.yaml"
    config.write_text(
        f"database: {{url: '{web_store.engine.url.render_as_string(hide_password=False)}'}}\n"
        f"classifier: {{model: '{tiny_model}', threads: 1}}\n"
        f"suggestions: {{knowledge_base: '{write_csv(tmp_path / 'kb.csv', ARTICLES)}'}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["queue", "show", str(post), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "suggested reply (Public reply" in result.output
    assert result.output.count("article ") == 3 and "https://help.acme.test/" in result.output
