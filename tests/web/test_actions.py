"""Working items through the web app: claim, reply (dry run), escalate once, correct, release."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.testclient import TestClient

from config.schema import Settings
from kernel.models import Route
from tests.queue.seed import decide
from tests.web.conftest import login
from triage.storage import Store
from triage.storage.tables import audit_log, cases, decisions, replies
from triage.web.app import create_app

HX = {"hx-request": "true"}


def _client(store: Store, settings: Settings | None = None) -> TestClient:
    return TestClient(create_app(settings or Settings(), store), base_url="http://testserver")


def test_claim_is_visible_to_others_and_blocks_them(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="meu pedido não chegou")
    ana, bia = _client(web_store), _client(web_store)
    ana_csrf, bia_csrf = login(ana, "ana"), login(bia, "bia")
    card = ana.post(f"/items/{post}/claim", headers={**HX, "x-csrf-token": ana_csrf})
    assert card.status_code == 200 and "Claimed by <b>ana</b>" in card.text
    assert "Claimed by <b>ana</b>" in bia.get("/queue/public_reply").text
    refused = bia.post(f"/items/{post}/reply", data={"csrf": bia_csrf, "text": "oi"})
    assert refused.status_code == 409 and "claimed by ana" in refused.text


def test_reply_dry_run_is_stored_and_answers_the_item(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="cobrança duplicada")
    client = _client(web_store)
    csrf = login(client, "ana")
    done = client.post(f"/items/{post}/reply", data={"csrf": csrf, "text": "Olá! Vamos ver."})
    assert done.status_code == 200 and "dry run: not sent" in done.text
    assert "Reply stored." in done.text
    with web_store.engine.connect() as conn:
        row = conn.execute(select(replies)).mappings().one()
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
    assert row["dry_run"] is True and row["sent_by"] == "ana" and row["channel"] == "reply"
    assert "reply" in actions
    assert "cobrança duplicada" in client.get("/queue/answered").text
    assert "cobrança duplicada" not in client.get("/queue/public_reply").text


def test_a_posting_error_is_one_line_and_the_item_stays_open(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="socorro")
    settings = Settings.model_validate({"replies": {"dry_run": False}})
    client = _client(web_store, settings)
    csrf = login(client, "ana")
    response = client.post(f"/items/{post}/dm", data={"csrf": csrf, "text": "oi"})
    assert response.status_code == 502
    assert "has no reply API; reply on the platform itself" in response.text
    assert "socorro" in client.get("/queue/public_reply").text


def test_escalate_makes_exactly_one_case(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="vazou meu cpf")
    client = _client(web_store)
    csrf = login(client, "ana")
    first = client.post(f"/items/{post}/escalate", data={"csrf": csrf, "reason": "dados"})
    assert first.status_code == 200 and "Escalated" in first.text
    second = client.post(f"/items/{post}/escalate", data={"csrf": csrf})
    assert second.status_code == 400 and "already escalated" in second.text
    with web_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 1
        current = (
            conn.execute(
                select(decisions).where(
                    decisions.c.post_id == post, decisions.c.superseded_at.is_(None)
                )
            )
            .mappings()
            .one()
        )
        case = conn.execute(select(cases)).mappings().one()
    assert current["route"] == "helpdesk" and current["decided_by"] == "agent:ana"
    assert case["status"] == "pending" and case["decision_id"] == current["id"]


def test_correcting_a_label_re_decides_at_once(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="adorei o atendimento", route=Route.IGNORE)
    client = _client(web_store)
    csrf = login(client, "ana")
    page = client.post(
        f"/items/{post}/correct",
        data={"csrf": csrf, "field": "sentiment", "value": "positive"},
    )
    assert page.status_code == 200 and "Re-decided after ana corrected sentiment" in page.text
    with web_store.engine.connect() as conn:
        rows = (
            conn.execute(select(decisions).where(decisions.c.post_id == post).order_by("id"))
            .mappings()
            .all()
        )
    assert len(rows) == 2 and rows[0]["superseded_at"] is not None
    assert rows[1]["decided_by"] == "agent:ana" and rows[1]["signals"]["sentiment"] == "positive"
    route = client.post(
        f"/items/{post}/correct", data={"csrf": csrf, "field": "route", "value": "private_dm"}
    )
    assert "Route corrected by ana" in route.text
    bad = client.post(
        f"/items/{post}/correct", data={"csrf": csrf, "field": "route", "value": "nowhere"}
    )
    assert bad.status_code == 400 and "is not one of" in bad.text


def test_lead_releases_a_held_case_and_reassigns(web_store: Store) -> None:
    post = decide(
        web_store, external_id="1", text="processo judicial", route=Route.HELPDESK, hold=True
    )
    agent, lead = _client(web_store), _client(web_store)
    agent_csrf, lead_csrf = login(agent, "ana"), login(lead, "lia")
    held = lead.get("/queue/helpdesk").text
    assert "Held for review" in held and "processo judicial" in held and "Release" in held
    assert "Release to helpdesk" not in agent.get("/queue/helpdesk").text
    assert agent.post("/cases/1/release", data={"csrf": agent_csrf}).status_code == 403
    released = lead.post("/cases/1/release", data={"csrf": lead_csrf}, follow_redirects=False)
    assert released.status_code == 303
    with web_store.engine.connect() as conn:
        assert conn.execute(select(cases.c.status)).scalar_one() == "pending"
    assert (
        agent.post(f"/items/{post}/reassign", data={"csrf": agent_csrf, "to": "bia"}).status_code
        == 403
    )
    ok = lead.post(f"/items/{post}/reassign", data={"csrf": lead_csrf, "to": "bia"})
    assert ok.status_code == 200 and "Assigned to <b>bia</b>" in ok.text
    audit = lead.get("/audit").text
    assert "release_case" in audit and "reassign" in audit


def test_ignore_note_and_views(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="spam spam")
    client = _client(web_store)
    csrf = login(client, "ana")
    client.post(f"/items/{post}/note", data={"csrf": csrf, "text": "looks like a bot"})
    client.post(f"/items/{post}/ignore", data={"csrf": csrf})
    assert "spam spam" in client.get("/queue/ignored").text
    assert "looks like a bot" in client.get(f"/items/{post}").text
    for view in ("public_reply", "private_dm", "helpdesk", "review", "answered", "label"):
        assert client.get(f"/queue/{view}").status_code == 200
    assert client.get("/queue/nope").status_code == 400


def test_marketing_reads_but_cannot_act(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="promo")
    client = _client(web_store)
    csrf = login(client, "mo")
    assert "social digest" in client.get("/dashboard").text.lower()
    page = client.get("/queue/public_reply").text
    assert "promo" in page and 'data-action="claim"' not in page
    assert client.post(f"/items/{post}/claim", data={"csrf": csrf}).status_code == 403
    assert client.get("/audit").status_code == 403


def test_admin_manages_users(web_store: Store) -> None:
    client = _client(web_store)
    csrf = login(client, "root")
    added = client.post(
        "/users",
        data={
            "csrf": csrf,
            "op": "add",
            "name": "caio",
            "role": "agent",
            "password": "pear otter lamp",
        },
    )
    assert added.status_code == 200 and "caio" in added.text
    short = client.post(
        "/users", data={"csrf": csrf, "op": "add", "name": "dan", "role": "agent", "password": "x"}
    )
    assert short.status_code == 400 and "at least 10" in short.text
    client.post("/users", data={"csrf": csrf, "op": "role", "name": "caio", "role": "lead"})
    assert "lead" in client.get("/users").text
    assert "password" not in client.get("/audit").text.lower().replace('type="password"', "")


def test_live_updates_return_only_newer_cards(web_store: Store) -> None:
    first = decide(web_store, external_id="1", text="primeiro")
    client = _client(web_store)
    login(client, "ana")
    page = client.get("/queue/public_reply").text
    assert f"/queue/public_reply/poll?after={first}" in page
    decide(web_store, external_id="2", text="segundo chegou")
    update = client.get(f"/queue/public_reply/poll?after={first}", headers=HX).text
    assert "segundo chegou" in update and "primeiro" not in update
    assert f"after={first + 1}" in update and 'hx-swap-oob="true"' in update


def test_unicode_digits_in_numbers_are_refused_or_ignored_not_a_crash(web_store: Store) -> None:
    """`"²".isdigit()` is true but `int("²")` raises: no such value may reach an `int()`."""
    post = decide(web_store, external_id="1", text="cobrança duplicada")
    client = _client(web_store)
    login(client, "lia")
    assert client.get("/queue?ids=\u00b2").status_code == 400
    assert client.get("/audit?before=\u00b2").status_code == 400
    assert client.get(f"/items/{post}?use=\u00b2").status_code == 200
    assert client.get("/queue/public_reply?cursor=\u00b2").status_code == 400


def test_the_dm_invitation_is_in_the_posts_language_not_the_agents(web_store: Store) -> None:
    post = decide(web_store, external_id="1", text="cobraram duas vezes", route=Route.PRIVATE_DM)
    client = _client(web_store)  # ana reads the app in English
    csrf = login(client, "ana")
    page = client.get(f"/items/{post}").text
    assert "confira suas mensagens diretas" in page and "check your direct messages" not in page
    done = client.post(f"/items/{post}/dm_invite", data={"csrf": csrf})
    assert done.status_code == 200, done.text
    with web_store.engine.connect() as conn:
        sent = conn.execute(select(replies.c.text)).scalar_one()
    assert "mensagens diretas" in sent
