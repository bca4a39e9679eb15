"""`/search` from the queue page's search box: every view, by text, author name and handle."""

from __future__ import annotations

from starlette.testclient import TestClient

from kernel.models import Route
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.storage import Store


def test_the_search_box_searches_every_view_by_author(
    web_store: Store, app_client: TestClient
) -> None:
    card = decide(web_store, external_id="1", text="Meu cartão", handle="jsilva", name="João")
    dm = decide(
        web_store,
        external_id="2",
        text="no privado",
        handle="jsilva",
        name="João",
        route=Route.PRIVATE_DM,
    )
    other = decide(web_store, external_id="3", text="fatura", handle="zeca", name="Zeca")
    login(app_client, "ana")
    queue = app_client.get("/queue/public_reply").text
    assert 'action="/search" role="search"' in queue and 'id="search"' in queue
    page = app_client.get("/search", params={"q": "joao"})
    assert page.status_code == 200
    assert f'id="item-{card}"' in page.text and f'id="item-{dm}"' in page.text
    assert f'id="item-{other}"' not in page.text
    # Found in: links to each view with the search as its filter.
    assert 'href="/queue/private_dm?q=joao">DM</a> <span class="count">1</span>' in page.text
    # Opening a result comes back to the search.
    assert f"/items/{card}?back=/search%3Fq%3Djoao" in page.text
    by_author = app_client.get("/search", params={"q": "author:@JSILVA"}).text
    assert f'id="item-{card}"' in by_author and f'id="item-{other}"' not in by_author
    empty = app_client.get("/search").text
    assert "author:@handle" in empty and 'class="card' not in empty
    nothing = app_client.get("/search", params={"q": "<b>nada</b>"}).text
    assert "Not in any view." in nothing and "<b>nada</b>" not in nothing
    assert app_client.get("/search", params={"q": "x", "cursor": "abc"}).status_code == 400


def test_search_needs_a_login(app_client: TestClient) -> None:
    response = app_client.get(
        "/search?q=x", headers={"accept": "text/html"}, follow_redirects=False
    )
    assert response.status_code == 303 and "/login" in response.headers["location"]


def test_send_and_next_from_a_search_returns_to_it(
    web_store: Store, app_client: TestClient
) -> None:
    post = decide(web_store, external_id="1", text="Meu cartão", handle="jsilva", name="João")
    csrf = login(app_client, "ana")
    response = app_client.post(
        f"/items/{post}/reply",
        data={
            "csrf": csrf,
            "text": "Olá, João!",
            "token": "t-search-1",
            "back": "/search?q=jo%C3%A3o",
            "then": "next",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/search?q=jo%C3%A3o&done=reply"
    item = app_client.get(f"/items/{post}", params={"back": "/search?q=joao"}).text
    assert 'href="/search?q=joao" class="back"' in item
