"""Views, filters, search and keyset pages on SQLite and the real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kernel.errors import InputError
from kernel.models import Route
from tests.queue.seed import decide
from triage.queue import Filters, Forbidden, QueueService, View
from triage.queue.users import UserStore


def test_views_filters_search_and_stable_pages(service: QueueService) -> None:
    store = service.store
    ids = [
        decide(
            store, external_id=str(i), text=f"post número {i} sobre fatura", age=timedelta(hours=i)
        )
        for i in range(7)
    ]
    dm = decide(store, external_id="dm", text="quero falar no privado", route=Route.PRIVATE_DM)
    decide(store, external_id="s", text="cartão", sensitive=True, sentiment="neutral")
    decide(store, external_id="brand", text="Olá!", is_brand=True, handle="acme")
    first = service.page(View.PUBLIC_REPLY, Filters(), limit=4)
    assert len(first.items) == 4 and first.next_cursor
    # A post arriving between pages does not shift the next page.
    decide(store, external_id="late", text="chegou agora")
    second = service.page(View.PUBLIC_REPLY, Filters(), cursor=first.next_cursor, limit=4)
    seen = [i.post_id for i in first.items + second.items]
    assert len(seen) == len(set(seen)) == 8 and set(ids) <= set(seen)
    assert [i.post_id for i in service.page(View.PRIVATE_DM, Filters()).items] == [dm]
    assert all(not i.post.author.is_brand for i in service.page(View.PUBLIC_REPLY, Filters()).items)
    search = service.page(View.PUBLIC_REPLY, Filters(search="NÚMERO 3"))
    assert [i.post.external_id for i in search.items] == ["3"]
    assert len(service.page(View.PUBLIC_REPLY, Filters(search="100%_x")).items) == 0
    sens = service.page(View.PUBLIC_REPLY, Filters(sensitive="yes"))
    assert [i.post.external_id for i in sens.items] == ["s"]
    assert len(service.page(View.PUBLIC_REPLY, Filters(sensitive="no")).items) == 8
    assert [
        i.post.external_id
        for i in service.page(View.PUBLIC_REPLY, Filters(sentiment="neutral")).items
    ] == ["s"]
    assert len(service.page(View.PUBLIC_REPLY, Filters(intent="billing")).items) == 9
    assert len(service.page(View.PUBLIC_REPLY, Filters(intent="delivery")).items) == 0
    assert len(service.page(View.PUBLIC_REPLY, Filters(language="pt")).items) == 9
    old = service.page(View.PUBLIC_REPLY, Filters(age="older"))
    assert old.items == ()
    assert (
        len(service.page(View.PUBLIC_REPLY, Filters(age="1h", source="x", query="acme")).items) == 3
    )
    with pytest.raises(InputError):
        service.page(View.PUBLIC_REPLY, Filters(age="forever"))
    counts = service.reads.counts()
    assert counts[View.PUBLIC_REPLY] == 9 and counts[View.PRIVATE_DM] == 1


def test_label_view_is_least_confident_first(service: QueueService) -> None:
    store = service.store
    for i, conf in enumerate((0.9, 0.2, 0.5, 0.2)):
        decide(store, external_id=str(i), text=f"t{i}", confidence=conf)
    page1 = service.page(View.LABEL, Filters(), limit=2)
    page2 = service.page(View.LABEL, Filters(), cursor=page1.next_cursor, limit=2)
    confs = [i.decision.confidence for i in page1.items + page2.items]
    assert confs == sorted(confs) == [0.2, 0.2, 0.5, 0.9]
    ana = UserStore(store.engine).get("ana")
    assert ana is not None
    service.correct(page1.items[0].post_id, ana, "sentiment", "neutral")
    assert page1.items[0].post_id not in [
        i.post_id for i in service.page(View.LABEL, Filters()).items
    ]


def test_claims_expire_and_roles_are_enforced(service: QueueService) -> None:
    store = service.store
    post = decide(store, external_id="1", text="x")
    people = UserStore(store.engine)
    ana, bia, mo = people.get("ana"), people.get("bia"), people.get("mo")
    assert ana and bia and mo
    service.claim(post, ana)
    with pytest.raises(Forbidden):
        service.claim(post, bia)
    with pytest.raises(Forbidden):
        service.note(post, mo, "hi")
    with pytest.raises(Forbidden):
        service.reassign(post, ana, "bia")
    from sqlalchemy import update

    from triage.storage.tables import queue_items

    with store.engine.begin() as conn:  # the claim ran out
        conn.execute(update(queue_items).values(claim_expires_at=queue_items.c.updated_at))
    service.claim(post, bia)
    assert service.item(post).claim and service.item(post).claim.by == "bia"  # type: ignore[union-attr]
