"""One answer per post (issue 18): every action checks the item's state in its transaction;
an answer needs the claim or an explicit take-over, an answered post an explicit "answer
again"; a double submit sends once; presence. On SQLite and the real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from kernel.errors import Conflict
from tests.queue.seed import decide, who
from triage.queue import QueueService
from triage.queue.models import ItemStatus
from triage.storage.tables import audit_log, replies


def _sent_count(service: QueueService, post_id: int) -> int:
    with service.engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(replies).where(replies.c.post_id == post_id)
            ).scalar_one()
        )


def test_an_answer_needs_the_claim_or_a_take_over_the_claimant_sees(
    service: QueueService,
) -> None:
    post = decide(service.store, external_id="1", text="minha fatura veio errada")
    ana, bia = who(service, "ana"), who(service, "bia")
    service.claim(post, ana)
    with pytest.raises(Conflict, match="claimed by ana") as refused:
        service.respond(post, bia, "Oi!", channel="reply")
    assert refused.value.claimant == "ana"
    with pytest.raises(Conflict, match="claimed by ana"):
        service.respond(post, bia, "Oi!", channel="dm")
    assert _sent_count(service, post) == 0
    service.respond(post, bia, "Oi, já vejo isso", channel="dm", take_over=True)
    assert _sent_count(service, post) == 1
    with service.engine.connect() as conn:
        row = conn.execute(
            select(audit_log.c.actor, audit_log.c.detail).where(audit_log.c.action == "take_over")
        ).one()
    assert row[0] == "bia" and '"of": "ana"' in row[1]


def test_an_unclaimed_post_is_claimed_by_the_answer_itself(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="app fora do ar")
    service.respond(post, who(service, "ana"), "Olá!", channel="reply")
    item = service.item(post)
    assert item.status is ItemStatus.ANSWERED and item.claim is None


def test_an_answered_post_needs_answer_again(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="cobrança duplicada")
    ana, bia = who(service, "ana"), who(service, "bia")
    service.respond(post, ana, "Olá! Vamos ver.", channel="reply")
    for person, channel in ((bia, "reply"), (bia, "dm"), (ana, "reply")):
        with pytest.raises(Conflict, match="already answered") as refused:
            service.respond(post, person, "de novo", channel=channel)
        assert refused.value.answered
    service.respond(post, bia, "Complemento", channel="dm", again=True)
    assert _sent_count(service, post) == 2


def test_a_post_the_brand_answered_on_the_platform_needs_answer_again(
    service: QueueService,
) -> None:
    store = service.store
    post = decide(store, external_id="1", text="vocês vão responder?")
    decide(store, external_id="b1", text="Já respondemos!", is_brand=True, handle="acme",
           parent_id="1")  # fmt: skip
    with pytest.raises(Conflict, match="already answered"):
        service.respond(post, who(service, "ana"), "Oi", channel="reply")
    service.respond(post, who(service, "ana"), "Oi", channel="reply", again=True)


def test_ignored_or_escalated_posts_refuse_further_actions(service: QueueService) -> None:
    store = service.store
    post = decide(store, external_id="1", text="spam spam")
    ana, bia = who(service, "ana"), who(service, "bia")
    service.ignore(post, ana)
    for act in (
        lambda: service.ignore(post, bia),
        lambda: service.claim(post, bia),
        lambda: service.escalate(post, bia),
        lambda: service.respond(post, bia, "oi", channel="reply"),
    ):
        with pytest.raises(Conflict, match="ignored"):
            act()
    other = decide(store, external_id="2", text="vazou meu cpf")
    service.claim(other, ana)
    with pytest.raises(Conflict, match="claimed by ana"):
        service.ignore(other, bia)
    with pytest.raises(Conflict, match="claimed by ana"):
        service.escalate(other, bia)
    service.ignore(other, who(service, "lia"))  # a lead may act over a claim, recorded


def test_the_same_form_sent_twice_sends_once(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="ninguém responde")
    ana = who(service, "ana")
    first = service.respond(post, ana, "Olá!", channel="reply", token="form-1")
    second = service.respond(post, ana, "Olá!", channel="reply", token="form-1")
    assert first == second and _sent_count(service, post) == 1


def _race(*calls: Any) -> list[BaseException | None]:
    barrier = threading.Barrier(len(calls))
    outcome: list[BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            calls[i]()
        except BaseException as exc:  # collected for the assertion
            outcome[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcome


def test_two_agents_answering_at_once_send_one_answer(service: QueueService) -> None:
    for round_ in range(3):
        post = decide(service.store, external_id=f"r{round_}", text="preciso de ajuda")
        ana, bia = who(service, "ana"), who(service, "bia")
        outcome = _race(
            partial(service.respond, post, ana, "Oi, aqui é a Ana", channel="reply"),
            partial(service.respond, post, bia, "Oi, aqui é a Bia", channel="dm"),
        )
        assert _sent_count(service, post) == 1
        assert sum(isinstance(o, Conflict) for o in outcome) == 1, outcome
        assert sum(o is None for o in outcome) == 1


def test_a_double_submit_at_the_same_moment_sends_once(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="cadê meu pedido")
    ana = who(service, "ana")
    outcome = _race(
        *(lambda: service.respond(post, ana, "Olá!", channel="reply", token="tok") for _ in "ab")
    )
    assert _sent_count(service, post) == 1
    assert all(o is None or isinstance(o, Conflict) for o in outcome), outcome


def test_presence_names_the_others_replying_first(service: QueueService) -> None:
    post = decide(service.store, external_id="1", text="oi")
    ana, bia, lia = who(service, "ana"), who(service, "bia"), who(service, "lia")
    service.see(post, bia, "viewing")
    service.see(post, lia, "replying")
    assert service.presence([post], ana) == {post: "lia is replying · bia is viewing"}
    assert service.presence([post], bia) == {post: "lia is replying"}
    mo = who(service, "mo")  # marketing reads but is never "working" on a post
    service.see(post, mo, "viewing")
    assert "mo" not in service.presence([post], ana)[post]


def test_an_ignore_can_be_undone_for_ten_seconds_by_its_author(service: QueueService) -> None:
    from sqlalchemy import update

    from triage.queue.models import UNDO_SECONDS

    store = service.store
    post = decide(store, external_id="1", text="spam")
    ana, bia = who(service, "ana"), who(service, "bia")
    service.ignore(post, ana)
    with pytest.raises(Conflict, match="nothing of yours to undo"):
        service.undo(post, bia)
    service.undo(post, ana)
    assert service.item(post).status is ItemStatus.OPEN
    with pytest.raises(Conflict):
        service.undo(post, ana)  # once
    service.ignore(post, ana)
    with store.engine.begin() as conn:  # the ten seconds pass
        conn.execute(
            update(audit_log)
            .where(audit_log.c.action == "ignore")
            .values(at=datetime.now(UTC) - timedelta(seconds=UNDO_SECONDS + 1))
        )
    with pytest.raises(Conflict, match="10 s"):
        service.undo(post, ana)
    assert service.item(post).status is ItemStatus.IGNORED


def test_an_escalation_can_be_undone_before_the_outbox_sends_it(service: QueueService) -> None:
    from sqlalchemy import update

    from triage.storage.tables import cases, decisions

    store = service.store
    post = decide(store, external_id="1", text="vazou meu cpf")
    ana = who(service, "ana")
    case_id = service.escalate(post, ana, "dados")
    with store.engine.connect() as conn:
        due = conn.execute(select(cases.c.next_attempt_at)).scalar_one()
    assert due > datetime.now(UTC)  # held back for the undo's ten seconds
    service.undo(post, ana)
    item = service.item(post)
    assert item.status is ItemStatus.OPEN and item.decision.route.value == "public_reply"
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 0
        by = conn.execute(
            select(decisions.c.decided_by).where(
                decisions.c.post_id == post, decisions.c.superseded_at.is_(None)
            )
        ).scalar_one()
    assert by == "agent:ana" and case_id
    # Once the outbox may send it, it cannot be taken back.
    service.escalate(post, ana)
    with store.engine.begin() as conn:
        conn.execute(update(cases).values(next_attempt_at=datetime.now(UTC)))
    with pytest.raises(Conflict, match="on its way"):
        service.undo(post, ana)
