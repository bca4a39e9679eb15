"""Saved replies (issue 18, scope 6): leads add, edit and delete reply templates (audited),
agents get the ones in the post's language for its route, variables are filled in and a
blank one stays visible; a reply still holding a `{variable}` is never sent, from any client.
On SQLite and the real PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kernel.errors import Forbidden, InputError
from kernel.models import Route
from tests.queue.seed import decide, who
from triage.queue import QueueService
from triage.queue.saved_replies import (
    SavedReplies,
    fill,
    same_language,
    ticket_number,
    unfilled,
)
from triage.storage.tables import audit_log, cases, replies


@pytest.fixture
def saved(service: QueueService) -> SavedReplies:
    return SavedReplies(service.engine, service.writes)


def _audit(service: QueueService, action: str) -> list[dict[str, object]]:
    with service.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        ).all()
    return [{"actor": actor, **json.loads(detail)} for actor, detail in rows]


def test_leads_add_edit_and_delete_and_every_change_is_audited(
    service: QueueService, saved: SavedReplies
) -> None:
    lia = who(service, "lia")
    new = saved.add(
        lia,
        title="Cobrança em dobro",
        language="pt_BR",
        channel="reply",
        body="Oi {author_name}, sentimos muito! Já abrimos o caso {case_number}.",
    )
    assert [r.title for r in saved.all()] == ["Cobrança em dobro"]
    saved.update(
        who(service, "root"),
        new,
        title="Cobrança duplicada",
        language="pt_BR",
        channel="dm",
        body="Oi {author_name}, pode nos passar o número do pedido?",
    )
    found = saved.get(new)
    assert (found.title, found.channel, found.updated_by) == ("Cobrança duplicada", "dm", "root")
    assert found.body.endswith("número do pedido?")
    saved.delete(lia, new)
    assert saved.all() == []
    with pytest.raises(InputError, match=f"no saved reply {new}"):
        saved.get(new)
    assert [(e["actor"], e["title"]) for e in _audit(service, "saved_reply_add")] == [
        ("lia", "Cobrança em dobro")
    ]
    assert [(e["actor"], e["channel"]) for e in _audit(service, "saved_reply_edit")] == [
        ("root", "dm")
    ]
    assert [(e["actor"], e["id"], e["body"]) for e in _audit(service, "saved_reply_delete")] == [
        ("lia", new, "Oi {author_name}, pode nos passar o número do pedido?")
    ]


def test_agents_cannot_change_them_and_bad_input_names_the_field(
    service: QueueService, saved: SavedReplies
) -> None:
    ana, lia = who(service, "ana"), who(service, "lia")
    with pytest.raises(Forbidden, match="leads and admins"):
        saved.add(ana, title="x", language="en", channel="reply", body="Hi")
    with pytest.raises(InputError, match=r"unknown variable \{case_numbr\}"):
        saved.add(lia, title="x", language="en", channel="reply", body="Case {case_numbr}")
    with pytest.raises(InputError, match="title is empty"):
        saved.add(lia, title="  ", language="en", channel="reply", body="Hi")
    with pytest.raises(InputError, match="language 'portuguese'"):
        saved.add(lia, title="x", language="portuguese", channel="reply", body="Hi")
    with pytest.raises(InputError, match="channel 'email'"):
        saved.add(lia, title="x", language="en", channel="email", body="Hi")
    with pytest.raises(InputError, match="no saved reply 999"):
        saved.update(lia, 999, title="x", language="en", channel="reply", body="Hi")
    assert saved.all() == []
    assert _audit(service, "saved_reply_add") == []


def test_a_post_gets_its_language_and_its_routes_channels(
    service: QueueService, saved: SavedReplies
) -> None:
    lia = who(service, "lia")
    for title, language, channel in (
        ("pt public", "pt_BR", "reply"),
        ("pt dm", "pt_BR", "dm"),
        ("en public", "en", "reply"),
        ("es dm", "es", "dm"),
    ):
        saved.add(lia, title=title, language=language, channel=channel, body=f"{title} text")
    assert [r.title for r in saved.for_post("pt", "public_reply")] == ["pt public"]
    # A DM post offers DMs first, then public replies ("let's continue in DM").
    assert [r.title for r in saved.for_post("pt", "private_dm")] == ["pt dm", "pt public"]
    assert [r.title for r in saved.for_post("es", "private_dm")] == ["es dm"]
    assert [r.title for r in saved.for_post("en-US", "helpdesk")] == ["en public"]
    assert {r.title for r in saved.for_post(None, "public_reply")} == {"pt public", "en public"}
    assert same_language("pt_BR", "pt-BR") and not same_language("pt_BR", "es")


def test_fill_leaves_a_variable_without_a_value_visible() -> None:
    body = "Oi {author_name}! Caso {case_number}: veja {article_url} — {brand}"
    text = fill(body, {"author_name": "Dani", "case_number": None, "brand": "Acme"})
    assert text == "Oi Dani! Caso {case_number}: veja {article_url} — Acme"
    assert unfilled(text) == ["case_number", "article_url"]
    assert unfilled("código {ABC} ou {foo}") == []  # not variables: plain text


def test_the_case_number_is_the_helpdesk_ticket_once_there_is_one(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="processo", route=Route.HELPDESK)
    assert ticket_number(service.engine, post) is None
    with service.engine.begin() as conn:
        conn.execute(cases.update().where(cases.c.post_id == post).values(ticket_id="ZD-4471"))
    assert ticket_number(service.engine, post) == "ZD-4471"


def test_a_reply_with_an_unfilled_variable_is_never_sent(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="minha fatura veio errada")
    ana = who(service, "ana")
    for channel in ("reply", "dm"):
        with pytest.raises(InputError, match=r"fill in \{case_number\} first"):
            service.respond(post, ana, "Seu caso é {case_number}.", channel=channel)
    with service.engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(replies)).scalar_one()
    assert count == 0
    assert service.item(post).status.value == "open"
    service.respond(post, ana, "Seu caso é 4471.", channel="reply")
    with service.engine.connect() as conn:
        assert conn.execute(select(replies.c.text)).scalar_one() == "Seu caso é 4471."
