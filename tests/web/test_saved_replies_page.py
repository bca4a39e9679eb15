"""Saved replies in the web app (issue 18, scope 6): leads manage them on /templates, agents
pick one on the item page without JavaScript (`?saved=ID` fills the box), variables are filled
in, a blank one stays visible and is refused on send. On SQLite and the real PostgreSQL."""

from __future__ import annotations

import html
import re
from pathlib import Path

from sqlalchemy import func, select
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide
from tests.suggest.test_kb import ARTICLES
from tests.web.conftest import login
from tests.web.test_suggestions_page import settings_with_kb
from tests.web.test_suggestions_page import tiny_model as tiny_model
from triage.storage import Store
from triage.storage.tables import audit_log, cases, replies
from triage.web.app import create_app


def _client(store: Store) -> TestClient:
    settings = Settings.model_validate({"brand": {"name": "Acme"}})
    return TestClient(create_app(settings, store), base_url="http://testserver")


def _add(client: TestClient, csrf: str, **fields: str) -> None:
    response = client.post(
        "/templates", data={"csrf": csrf, "op": "add", **fields}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/templates?done=add"


def _ids(page: str) -> list[str]:
    return re.findall(r'href="/templates\?edit=(\d+)"', page)


def _box(page: str, box: str) -> str:
    found = re.search(rf'<textarea[^>]*id="{box}"[^>]*>([^<]*)</textarea>', page)
    assert found, box
    return html.unescape(found.group(1))


def test_leads_add_edit_and_delete_saved_replies(web_store: Store) -> None:
    with _client(web_store) as client:
        csrf = login(client, "lia")
        page = client.get("/templates")
        assert page.status_code == 200
        assert "No saved replies yet." in page.text and "{case_number}" in page.text
        _add(
            client,
            csrf,
            title="Cobrança",
            language="pt_BR",
            channel="reply",
            body="Oi {author_name}, vamos verificar.",
        )
        page = client.get("/templates?done=add")
        assert "Saved reply added." in page.text
        assert "Oi {author_name}, vamos verificar." in page.text
        (reply_id,) = _ids(page.text)
        edit = client.get(f"/templates?edit={reply_id}")
        assert "Edit “Cobrança”" in edit.text
        assert 'name="id" value="' + reply_id + '"' in edit.text
        changed = client.post(
            "/templates",
            data={
                "csrf": csrf,
                "op": "edit",
                "id": reply_id,
                "title": "Cobrança (DM)",
                "language": "pt_BR",
                "channel": "dm",
                "body": "Oi {author_name}, pode mandar o número do pedido?",
            },
        )
        assert "Saved reply updated." in changed.text and "Cobrança (DM)" in changed.text
        # A typo in a variable is refused with what was typed kept in the form.
        refused = client.post(
            "/templates",
            data={
                "csrf": csrf,
                "op": "add",
                "title": "Caso",
                "language": "pt_BR",
                "channel": "reply",
                "body": "Seu caso {case_numbr}",
            },
        )
        assert refused.status_code == 400
        assert "unknown variable {case_numbr}" in html.unescape(refused.text)
        assert "Seu caso {case_numbr}</textarea>" in html.unescape(refused.text)
        assert len(_ids(refused.text)) == 1
        gone = client.post("/templates", data={"csrf": csrf, "op": "delete", "id": reply_id})
        assert "Deleted." in gone.text and _ids(gone.text) == []
        assert client.get("/templates?edit=99999").status_code == 400
    with web_store.engine.connect() as conn:
        actions = conn.execute(
            select(audit_log.c.actor, audit_log.c.action)
            .where(audit_log.c.action.like("saved_reply_%"))
            .order_by(audit_log.c.id)
        ).all()
    assert actions == [
        ("lia", "saved_reply_add"),
        ("lia", "saved_reply_edit"),
        ("lia", "saved_reply_delete"),
    ]


def test_agents_and_marketing_cannot_open_the_page(web_store: Store) -> None:
    for name in ("ana", "mo"):
        with _client(web_store) as client:
            csrf = login(client, name)
            assert client.get("/templates").status_code == 403
            assert (
                client.post(
                    "/templates",
                    data={"csrf": csrf, "op": "add", "title": "x", "language": "en"},
                ).status_code
                == 403
            )
            assert 'href="/templates"' not in client.get("/account").text


def test_an_agent_picks_one_without_javascript_and_a_blank_is_refused(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="Fui cobrado duas vezes", route=Route.HELPDESK)
    with _client(web_store) as lead:
        csrf = login(lead, "lia")
        _add(
            lead,
            csrf,
            title="Caso aberto",
            language="pt_BR",
            channel="reply",
            body="Oi {author_name} (@{author_handle}), o caso {case_number} está com a {brand}.",
        )
        _add(lead, csrf, title="English one", language="en", channel="reply", body="Hi there")
        _add(lead, csrf, title="Só DM", language="pt_BR", channel="dm", body="Oi por DM")
        pt_id = _ids_for(lead, "Caso aberto")
    with _client(web_store) as client:
        csrf = login(client, "ana")
        page = client.get(f"/items/{post}")
        # The post is in Portuguese and routed to the helpdesk: public replies in pt_BR only.
        assert "Caso aberto" in page.text
        assert "English one" not in page.text and "Só DM" not in page.text
        assert "to fill: case_number" in page.text
        chosen = client.get(f"/items/{post}?saved={pt_id}&back=/queue/helpdesk")
        text = _box(chosen.text, "reply-text")
        assert text == "Oi Cliente (@cliente), o caso {case_number} está com a Acme."
        assert _box(chosen.text, "dm-text") == ""
        refused = client.post(
            f"/items/{post}/reply", data={"csrf": csrf, "text": text, "token": "t1"}
        )
        assert refused.status_code == 400
        assert "fill in {case_number} first" in html.unescape(refused.text)
        assert _box(refused.text, "reply-text") == text  # what was typed stays
        with web_store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(replies)).scalar_one() == 0
        # Once the helpdesk gave the case a number, the template fills it in.
        with web_store.engine.begin() as conn:
            conn.execute(cases.update().where(cases.c.post_id == post).values(ticket_id="4471"))
        filled = _box(client.get(f"/items/{post}?saved={pt_id}").text, "reply-text")
        assert filled == "Oi Cliente (@cliente), o caso 4471 está com a Acme."
        sent = client.post(
            f"/items/{post}/reply",
            data={"csrf": csrf, "text": filled, "token": "t2"},
            follow_redirects=False,
        )
        assert sent.status_code == 303
    with web_store.engine.connect() as conn:
        assert conn.execute(select(replies.c.text)).scalar_one() == filled


def _ids_for(client: TestClient, title: str) -> str:
    page = client.get("/templates").text
    for row in page.split("<tr>")[1:]:
        if f"<td>{title}" in row:
            found = re.search(r"edit=(\d+)", row)
            assert found
            return found.group(1)
    raise AssertionError(title)


def test_the_help_article_is_filled_in_once_the_encoder_is_ready(
    web_store: Store, tmp_path: Path, tiny_model: Path
) -> None:
    plain = decide(web_store, external_id="1", text="Where is my order? Track says nothing")
    secret = decide(
        web_store, external_id="2", text="My card 4111 1111 1111 1111 order", sensitive=True
    )
    app = create_app(settings_with_kb(tmp_path, tiny_model), web_store)
    with TestClient(app, base_url="http://testserver") as client:
        csrf = login(client, "lia")
        _add(
            client,
            csrf,
            title="Artigo",
            language="pt_BR",
            channel="reply",
            body="Veja {article_title}: {article_url}",
        )
        pick = _ids_for(client, "Artigo")
        # While the encoder loads, the article is a blank left for the agent.
        first = _box(client.get(f"/items/{plain}?saved={pick}").text, "reply-text")
        assert first == "Veja {article_title}: {article_url}"
        assert app.state.suggest.wait_ready(120)
        filled = _box(client.get(f"/items/{plain}?saved={pick}").text, "reply-text")
        assert filled in {f"Veja {a['title']}: {a['url']}" for a in ARTICLES}
        # A post with sensitive data never gets an article filled in publicly.
        kept = _box(client.get(f"/items/{secret}?saved={pick}").text, "reply-text")
        assert kept == "Veja {article_title}: {article_url}"
