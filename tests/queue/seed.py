"""Decided posts for queue tests, written through the real store (no model needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kernel.models import Author, Decision, Post, PostKind, Route, SensitiveFinding, Signals
from triage.queue.models import User
from triage.queue.users import UserStore
from triage.storage import Store
from triage.storage.decisions import DecisionStore

if TYPE_CHECKING:
    from triage.queue import QueueService

PASSWORD = "correct horse battery"


def who(service: QueueService, name: str) -> User:
    """The seeded person called `name`."""
    found = UserStore(service.engine).get(name)
    assert found is not None, name
    return found


def signals(
    *, sentiment: str = "negative", intents: dict[str, float] | None = None, sensitive: bool = False
) -> Signals:
    return Signals(
        sentiment=sentiment,
        sentiment_score=0.8,
        complaint=0.9 if sentiment == "negative" else 0.1,
        private_score=0.3,
        intents=intents or {"billing": 0.9, "delivery": 0.1},
        sensitive=(
            (SensitiveFinding(kind="payment_card", start=0, end=4, preview="4111 **** **** 1111"),)
            if sensitive
            else ()
        ),
        language="pt",
    )


def decide(
    store: Store,
    *,
    external_id: str,
    text: str,
    route: Route = Route.PUBLIC_REPLY,
    needs_review: bool = False,
    confidence: float = 0.9,
    sentiment: str = "negative",
    sensitive: bool = False,
    handle: str = "cliente",
    name: str | None = "Cliente",
    author_id: str | None = None,
    url: str | None = None,
    parent_id: str | None = None,
    conversation_id: str | None = None,
    hold: bool = False,
    age: timedelta = timedelta(minutes=5),
    source: str = "x",
    query: str | None = "acme",
    is_brand: bool = False,
    case_sink: str | None = "local",
    summary: dict[str, str] | None = None,
    fetched_by: str = "sample",
) -> int:
    post = Post(
        source=source,
        external_id=external_id,
        text=text,
        created_at=datetime.now(UTC) - age,
        url=url if url is not None else f"https://x.com/{handle}/status/{external_id}",
        author=Author(handle=handle, name=name, is_brand=is_brand, external_id=author_id),
        lang="pt",
        conversation_id=conversation_id,
        parent_id=parent_id,
        kind=PostKind.REPLY if parent_id else PostKind.POST,
        query=query,
    )
    store.save_page(fetched_by, "replay", [post], None)
    stored = store.find_post(source, external_id)
    assert stored is not None
    if is_brand:
        return stored.id
    decision = Decision(
        route=route,
        tier=1,
        confidence=confidence,
        needs_review=needs_review,
        rule="complaint-public",
        explanation=f"Rule 'complaint-public' matched: {route.value}.",
        priority="normal",
        rules_tried=("sensitive-data",),
        scores={"complaint": 0.9},
        summary=summary or {},
    )
    with store.engine.begin() as conn:
        DecisionStore(store.engine).save(
            conn,
            stored,
            signals(sentiment=sentiment, sensitive=sensitive),
            decision,
            case_sink=case_sink if route is Route.HELPDESK else None,
            hold=hold,
        )
    return stored.id


def users(store: Store) -> None:
    people = UserStore(store.engine)
    for name, role in (
        ("ana", "agent"),
        ("bia", "agent"),
        ("lia", "lead"),
        ("mo", "marketing"),
        ("root", "admin"),
    ):
        people.add(name, role, PASSWORD)
