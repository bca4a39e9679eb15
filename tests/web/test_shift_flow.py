"""The flow of a shift through the web app, in-process over HTTP on SQLite and PostgreSQL
(issue 18): overrides as explicit form fields, a double submit sending once, presence, the
item page's order, send-and-next and back, card actions as plain forms, Escalate hidden when a
case exists, long posts folded."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import func, select
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.storage import Store
from triage.storage.tables import replies
from triage.web.app import create_app


def _client(store: Store) -> TestClient:
    return TestClient(create_app(Settings(), store), base_url="http://testserver")


def _token(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+-r)"', page)
    assert found
    return found.group(1)


def _sent(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(replies)).scalar_one())


def test_take_over_and_answer_again_are_explicit_fields(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="cobrado duas vezes")
    ana, bia = _client(web_store), _client(web_store)
    ana_csrf, bia_csrf = login(ana, "ana"), login(bia, "bia")
    ana.post(f"/items/{post}/claim", data={"csrf": ana_csrf})
    page = bia.get(f"/items/{post}").text
    assert 'name="take_over" value="1"' in page and "Take over from ana" in page
    form = {"csrf": bia_csrf, "text": "Olá, sou a Bia", "token": _token(page)}
    refused = bia.post(f"/items/{post}/reply", data=form)
    assert refused.status_code == 409 and "claimed by ana" in refused.text
    assert "Olá, sou a Bia" in refused.text  # what was typed is kept
    done = bia.post(f"/items/{post}/reply", data={**form, "take_over": "1"})
    assert done.status_code == 200 and "Reply stored." in done.text
    assert "bia took this post over from you" not in done.text
    again_page = ana.get(f"/items/{post}").text
    assert "Answer again: this post is already answered" in again_page
    ana_form = {"csrf": ana_csrf, "text": "Oi de novo", "token": _token(again_page)}
    refused = ana.post(f"/items/{post}/dm", data=ana_form)
    assert refused.status_code == 409 and "already answered" in refused.text
    assert ana.post(f"/items/{post}/dm", data={**ana_form, "again": "1"}).status_code == 200
    assert _sent(web_store) == 2


def test_the_claimant_sees_the_take_over(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="quero cancelar")
    ana, lia = _client(web_store), _client(web_store)
    ana_csrf, lia_csrf = login(ana, "ana"), login(lia, "lia")
    ana.post(f"/items/{post}/claim", data={"csrf": ana_csrf})
    lia.post(f"/items/{post}/claim", data={"csrf": lia_csrf, "take_over": "1"})
    assert "lia took this post over from you at" in ana.get(f"/items/{post}").text


def test_a_double_submit_sends_once(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="cadê meu reembolso")
    client = _client(web_store)
    csrf = login(client, "ana")
    form = {"csrf": csrf, "text": "Olá!", "token": _token(client.get(f"/items/{post}").text)}
    first = client.post(f"/items/{post}/reply", data=form, follow_redirects=False)
    second = client.post(f"/items/{post}/reply", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert _sent(web_store) == 1


def test_presence_on_cards_and_the_item_page(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="app travou")
    ana, bia = _client(web_store), _client(web_store)
    ana_csrf = login(ana, "ana")
    bia_csrf = login(bia, "bia")
    bia.get(f"/items/{post}")
    assert "bia is viewing" in ana.get("/queue/public_reply").text
    assert ana.get(f"/queue/presence?ids={post}").json() == {str(post): "bia is viewing"}
    typing = bia.post(
        f"/items/{post}/presence", data={"activity": "replying"}, headers={"x-csrf-token": bia_csrf}
    )
    assert typing.status_code == 200 and typing.json() == {"others": ""}
    mine = ana.post(
        f"/items/{post}/presence", data={"activity": "viewing"}, headers={"x-csrf-token": ana_csrf}
    )
    assert mine.json() == {"others": "bia is replying"}
    assert "bia is replying" in ana.get(f"/items/{post}").text
    bad = ana.post(
        f"/items/{post}/presence", data={"activity": "x"}, headers={"x-csrf-token": ana_csrf}
    )
    assert bad.status_code == 400
    assert ana.get("/queue/presence?ids=abc").status_code == 400
    nowhere = ana.post(
        "/items/999999/presence", data={"activity": "viewing"}, headers={"x-csrf-token": ana_csrf}
    )
    assert nowhere.status_code == 400 and "no decided post 999999" in nowhere.text


def test_item_page_order_reason_why_and_heads(web_store: Store) -> None:
    post = decide(
        web_store,
        external_id="1",
        text="Fui cobrado duas vezes",
        summary={"en": "Public reply: a billing complaint.", "pt_BR": "Resposta pública."},
    )
    old = decide(web_store, external_id="2", text="sem resumo")
    client = _client(web_store)
    login(client, "ana")
    page = client.get(f"/items/{post}").text
    order = [
        page.index(s)
        for s in ("Fui cobrado duas vezes", "Public reply: a billing complaint.", 'id="reply-text"')
    ]
    assert order == sorted(order)
    why = page[page.index('<details class="why">') :]
    assert why.index("Rule &#39;complaint-public&#39; matched") < why.index("</details>")
    assert page.count("Rule &#39;complaint-public&#39; matched") == 1  # only behind "why?"
    assert "heads: unknown" in page  # a decision without a model version says so
    assert "Public reply: a billing complaint." in client.get("/queue/public_reply").text
    fallback = client.get(f"/items/{old}").text
    assert (
        '<p class="reason">Rule &#39;complaint-public&#39; matched: public_reply.</p>' in fallback
    )


def test_send_and_next_and_back_keep_the_view_and_filter(web_store: Store) -> None:
    first = decide(web_store, external_id="1", text="fatura errada")
    second = decide(web_store, external_id="2", text="fatura de novo errada")
    decide(web_store, external_id="3", text="tudo ótimo", sentiment="positive")
    client = _client(web_store)
    csrf = login(client, "ana")
    back = "/queue/public_reply?sentiment=negative"
    queue = client.get(back).text
    assert f'href="/items/{second}?back={quote(back, safe="/")}"' in queue
    page = client.get(f"/items/{second}?back={quote(back)}").text
    assert f'href="{back}"' in page.replace("&amp;", "&")
    sent = client.post(
        f"/items/{second}/reply",
        data={"csrf": csrf, "text": "Olá!", "token": _token(page), "then": "next", "back": back},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/items/{first}?back={quote(back)}&done=reply"
    assert "Claimed by <b>ana</b>" in client.get(f"/items/{first}").text  # claimed for her
    last = client.post(
        f"/items/{first}/dm",
        data={"csrf": csrf, "text": "Oi", "then": "next", "back": back},
        follow_redirects=False,
    )
    assert last.headers["location"] == f"{back}&done=dm"  # nothing left: back to the view


def test_card_actions_work_as_plain_forms(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="spam compre já")
    client = _client(web_store)
    csrf = login(client, "ana")
    queue = client.get("/queue/public_reply").text
    for action in ("claim", "escalate", "ignore"):
        assert f'<form method="post" action="/items/{post}/{action}"' in queue
    done = client.post(
        f"/items/{post}/ignore",
        data={"csrf": csrf, "next": "/queue/public_reply"},
        follow_redirects=False,
    )
    target = f"/queue/public_reply?done=ignore&post={post}"
    assert done.status_code == 303 and done.headers["location"] == target
    page = client.get(target).text
    assert "spam compre já" not in page
    assert f'<form method="post" action="/items/{post}/undo"' in page  # for ten seconds
    undone = client.post(
        f"/items/{post}/undo",
        data={"csrf": csrf, "next": "/queue/public_reply"},
        follow_redirects=False,
    )
    assert undone.headers["location"] == "/queue/public_reply?done=undo"
    assert "spam compre já" in client.get("/queue/public_reply").text


def test_escalate_is_hidden_when_a_case_exists(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="vou processar", route=Route.HELPDESK)
    client = _client(web_store)
    csrf = login(client, "ana")
    assert 'data-action="escalate"' not in client.get(f"/items/{post}").text
    assert f"/items/{post}/escalate" not in client.get("/queue/helpdesk").text
    other = decide(web_store, external_id="2", text="vazou meu cpf")
    assert 'data-action="escalate"' in client.get(f"/items/{other}").text
    client.post(f"/items/{other}/escalate", data={"csrf": csrf})
    assert 'data-action="escalate"' not in client.get(f"/items/{other}").text


def test_long_posts_are_folded(web_store: Store) -> None:
    long_text = "Reclamação longa. " * 200
    post = decide(web_store, external_id="1", text=long_text)
    client = _client(web_store)
    login(client, "ana")
    page = client.get("/queue/public_reply").text
    assert '<details class="fold">' in page and "Show the whole post (" in page
    assert '<details class="fold">' in client.get(f"/items/{post}").text


def test_an_escalation_is_undone_from_its_card(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="meu cpf vazou")
    client = _client(web_store)
    csrf = login(client, "ana")
    hx = {"hx-request": "true", "x-csrf-token": csrf}
    card = client.post(f"/items/{post}/escalate", headers=hx)
    assert "Escalated to the helpdesk." in card.text and f"/items/{post}/undo" in card.text
    undone = client.post(f"/items/{post}/undo", headers=hx)
    assert undone.status_code == 200 and "Undone: the post is open again." in undone.text
    assert f"/items/{post}/escalate" in client.get("/queue/public_reply").text
    again = client.post(f"/items/{post}/undo", headers=hx)
    assert again.status_code == 409 and f"post {post} is open already" in again.text


def test_polling_moves_the_tab_counts(web_store: Store) -> None:
    first = decide(web_store, external_id="1", text="primeiro")
    client = _client(web_store)
    login(client, "ana")
    page = client.get("/queue/public_reply").text
    assert '<span class="count" id="count-public_reply">1</span>' in page
    decide(web_store, external_id="2", text="segundo")
    decide(web_store, external_id="3", text="no privado", route=Route.PRIVATE_DM)
    web_store_counts = client.app.state.queue.reads  # type: ignore[attr-defined]
    web_store_counts.invalidate()  # the 5 s cache of the counts, for the test
    poll = client.get(f"/queue/public_reply/poll?after={first}").text
    assert "segundo" in poll
    assert '<span class="count" id="count-public_reply" hx-swap-oob="true">2</span>' in poll
    assert '<span class="count" id="count-private_dm" hx-swap-oob="true">1</span>' in poll


def test_each_tab_says_how_many_of_its_posts_are_late_and_polling_moves_it(
    web_store: Store,
) -> None:
    first = decide(web_store, external_id="1", text="atrasado", age=timedelta(hours=3))
    decide(web_store, external_id="2", text="recente", age=timedelta(minutes=1))
    client = _client(web_store)
    login(client, "ana")
    page = client.get("/queue/public_reply").text
    title = 'title="past their first-response target"'
    assert f'<span class="late" id="late-public_reply" {title}>1 late</span>' in page
    assert f'<span class="late" id="late-private_dm" {title}></span>' in page  # none: empty
    assert 'id="late-ignored"' not in page and 'id="late-answered"' not in page
    decide(web_store, external_id="3", text="dm antigo", route=Route.PRIVATE_DM,
           age=timedelta(hours=5))  # fmt: skip
    client.app.state.queue.reads.invalidate()  # type: ignore[attr-defined]
    poll = client.get(f"/queue/public_reply/poll?after={first}").text
    oob = f'{title} hx-swap-oob="true"'
    assert f'<span class="late" id="late-private_dm" {oob}>1 late</span>' in poll
    assert f'<span class="late" id="late-public_reply" {oob}>1 late</span>' in poll
