"""Bulk ignore, escalate and assign (issue 18): every post through the guarded transition of
a single action, someone else's claim never overridden, the batch audited and undoable for 10 s
by the person who did it, posts someone acted on since left alone, one case per post however
many escalate it at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from kernel.errors import Conflict, Forbidden, InputError
from kernel.models import Route
from tests.queue.seed import decide, who
from triage.queue import QueueService
from triage.queue.bulk import Batch, BulkActions
from triage.queue.models import ItemStatus
from triage.storage.tables import audit_log, cases


def _posts(service: QueueService, n: int) -> list[int]:
    return [
        decide(service.store, external_id=f"s{i}", text=f"GANHE DINHEIRO {i}") for i in range(n)
    ]


def _status(service: QueueService, post_id: int) -> ItemStatus:
    return service.item(post_id).status


def _entries(service: QueueService, action: str) -> list[tuple[str, int | None, dict]]:
    with service.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.post_id, audit_log.c.detail)
            .where(audit_log.c.action == action)
            .order_by(audit_log.c.id)
        ).all()
    return [(r[0], r[1], json.loads(r[2] or "{}")) for r in rows]


def _age(service: QueueService, batch: Batch, seconds: int) -> None:
    """Move a batch's record (and its posts' entries) `seconds` into the past."""
    with service.engine.begin() as conn:
        for row in conn.execute(select(audit_log.c.id, audit_log.c.at)).all():
            conn.execute(
                update(audit_log)
                .where(audit_log.c.id == row[0])
                .values(at=row[1] - timedelta(seconds=seconds))
            )


def test_bulk_ignore_skips_posts_that_are_not_free_and_says_why(service: QueueService) -> None:
    free, held, answered, other = _posts(service, 4)
    ana, bia, lia = who(service, "ana"), who(service, "bia"), who(service, "lia")
    service.claim(held, bia)
    service.respond(answered, ana, "Olá", channel="reply")
    batch = BulkActions(service).ignore([free, held, answered, other, free, 99999999], ana, "spam")
    assert batch.done == (free, other)
    reasons = {s.post_id: s.reason for s in batch.skipped}
    assert set(reasons) == {held, answered, 99999999}
    assert "claimed by bia" in reasons[held]
    assert "answered already" in reasons[answered]
    assert "no decided post" in reasons[99999999]
    assert _status(service, free) is ItemStatus.IGNORED
    assert _status(service, held) is ItemStatus.OPEN and service.item(held).claim is not None
    # audited: one entry per post, marked bulk, and the batch's own entry with what and why
    per_post = _entries(service, "ignore")
    assert [(a, p) for a, p, _ in per_post] == [("ana", free), ("ana", other)]
    assert all(d == {"reason": "spam", "bulk": True} for _, _, d in per_post)
    (record,) = _entries(service, "bulk_ignore")
    assert record[0] == "ana" and record[1] is None
    assert record[2]["done"] == [free, other] and len(record[2]["skipped"]) == 3
    assert BulkActions(service).batch(batch.id) == batch

    # a lead's bulk ignore does not take a post from bia either (a single ignore would)
    lead = BulkActions(service).ignore([held], lia)
    assert lead.done == () and "claimed by bia" in lead.skipped[0].reason
    assert not _entries(service, "take_over")
    service.ignore(held, lia)  # the explicit single action, recorded as a take-over
    assert _entries(service, "take_over")[0][2] == {"of": "bia", "to": "ignore"}


def test_bulk_actions_refuse_bad_requests(service: QueueService) -> None:
    (post,) = _posts(service, 1)
    ana, mo, lia = who(service, "ana"), who(service, "mo"), who(service, "lia")
    with pytest.raises(InputError, match="no posts chosen"):
        BulkActions(service).ignore([], ana)
    with pytest.raises(InputError, match="at most 200"):
        BulkActions(service).ignore(list(range(1, 202)), ana)
    with pytest.raises(Forbidden):
        BulkActions(service).ignore([post], mo)  # marketing reads, never acts
    with pytest.raises(Forbidden, match="only a lead"):
        BulkActions(service).assign([post], ana, "bia")
    with pytest.raises(InputError, match="not an active agent"):
        BulkActions(service).assign([post], lia, "mo")
    assert _status(service, post) is ItemStatus.OPEN and not _entries(service, "bulk_ignore")


def test_undo_takes_back_your_batch_for_ten_seconds_except_what_others_touched(
    service: QueueService,
) -> None:
    a, b, c = _posts(service, 3)
    ana, bia, lia = who(service, "ana"), who(service, "bia"), who(service, "lia")
    bulk = BulkActions(service)
    batch = bulk.ignore([a, b, c], ana)
    with pytest.raises(Conflict, match="nothing of yours to undo"):
        bulk.undo(batch.id, bia)  # only the person who did it
    service.reopen(c, lia)  # someone acted on c since
    service.claim(c, lia)
    undone = bulk.undo(batch.id, ana)
    assert undone.done == (a, b) and [s.post_id for s in undone.skipped] == [c]
    assert undone.skipped[0].reason == f"post {c} is open already"
    assert _status(service, a) is ItemStatus.OPEN and _status(service, b) is ItemStatus.OPEN
    assert service.item(c).claim is not None and service.item(c).claim.by == "lia"  # type: ignore[union-attr]
    assert [d for _, _, d in _entries(service, "undo")] == [{"of": "ignore"}] * 2
    (record,) = _entries(service, "bulk_undo")
    assert record[2]["undoes"] == batch.id and record[2]["done"] == [a, b]
    with pytest.raises(Conflict):
        bulk.undo(undone.id, ana)  # an undo is not undone

    late = bulk.ignore([a], ana)
    _age(service, late, 11)
    with pytest.raises(Conflict, match="10 s"):
        bulk.undo(late.id, ana)
    assert _status(service, a) is ItemStatus.IGNORED


def test_bulk_assign_and_its_undo(service: QueueService) -> None:
    free, mine, held, answered = _posts(service, 4)
    ana, bia, lia = who(service, "ana"), who(service, "bia"), who(service, "lia")
    service.claim(mine, ana)  # already ana's: assigning it to her is fine
    service.claim(held, bia)
    service.respond(answered, ana, "Olá", channel="reply")
    bulk = BulkActions(service)
    batch = bulk.assign([free, mine, held, answered], lia, "ana")
    assert batch.done == (free, mine) and batch.to == "ana"
    reasons = {s.post_id: s.reason for s in batch.skipped}
    assert "claimed by bia" in reasons[held] and "answered already" in reasons[answered]
    for post in (free, mine):
        item = service.item(post)
        assert item.assigned_to == "ana" and item.claim is not None and item.claim.by == "ana"
    assert [(p, d["to"]) for _, p, d in _entries(service, "reassign")] == [
        (free, "ana"),
        (mine, "ana"),
    ]
    assert _entries(service, "bulk_assign")[0][2]["to"] == "ana"

    # ana starts on `mine`: the undo leaves it with her, and gives `free` back to nobody
    service.ignore(mine, ana)
    undone = bulk.undo(batch.id, lia)
    assert undone.done == (free,) and "changed since" in undone.skipped[0].reason
    restored = service.item(free)
    assert restored.assigned_to is None and restored.claim is None
    assert _status(service, mine) is ItemStatus.IGNORED


def test_two_agents_bulk_ignoring_the_same_posts_at_once_ignore_each_post_once(
    service: QueueService,
) -> None:
    posts = _posts(service, 12)
    people = [who(service, "ana"), who(service, "bia")]
    batches = _at_once(
        lambda i: BulkActions(service).ignore(posts[::-1] if i else posts, people[i]), 60
    )
    done: list[int] = []
    for found in batches:
        assert isinstance(found, Batch), found
        done.extend(found.done)
        assert all("ignored already" in s.reason or "changed meanwhile" in s.reason
                   for s in found.skipped)  # fmt: skip
    assert sorted(done) == sorted(posts)  # every post ignored, none twice
    assert sorted(p or 0 for _, p, _ in _entries(service, "ignore")) == sorted(posts)


# --- bulk escalate ---------------------------------------------------------------------------


def _cases(service: QueueService) -> dict[int, list[int]]:
    """Case ids per post."""
    found: dict[int, list[int]] = {}
    with service.engine.connect() as conn:
        for post_id, case_id in conn.execute(select(cases.c.post_id, cases.c.id)).all():
            found.setdefault(int(post_id), []).append(int(case_id))
    return found


def test_bulk_escalate_makes_one_case_per_free_post_and_says_why_it_skipped_the_rest(
    service: QueueService,
) -> None:
    free, other, escalated, answered, held = _posts(service, 5)
    has_case = decide(service.store, external_id="h", text="vazou meu cpf", route=Route.HELPDESK)
    ana, bia, lia = who(service, "ana"), who(service, "bia"), who(service, "lia")
    service.escalate(escalated, bia)
    service.respond(answered, ana, "Olá", channel="reply")
    service.claim(held, bia)
    picked = [free, escalated, has_case, answered, held, other, free, 99999999]
    batch = BulkActions(service).escalate(picked, ana, "fraude em massa")
    assert batch.action == "escalate" and batch.done == (free, other)
    made = _cases(service)
    assert batch.cases == (made[free][0], made[other][0])
    assert all(len(ids) == 1 for ids in made.values())  # one case per post, never two
    assert set(made) == {free, other, escalated, has_case}
    reasons = {s.post_id: s.reason for s in batch.skipped}
    assert set(reasons) == {escalated, has_case, answered, held, 99999999}
    assert f"already escalated: case {made[escalated][0]}" in reasons[escalated]
    assert f"already has a helpdesk case: case {made[has_case][0]}" in reasons[has_case]
    assert "answered already" in reasons[answered]
    assert "claimed by bia" in reasons[held]
    assert "no post 99999999" in reasons[99999999]
    for post in (free, other):
        item = service.item(post)
        assert item.status is ItemStatus.ESCALATED and item.decision.route is Route.HELPDESK
    assert _status(service, answered) is ItemStatus.ANSWERED
    # audited: one entry per post marked bulk, and the batch's own entry with the cases
    per_post = [(a, p, d) for a, p, d in _entries(service, "escalate") if d.get("bulk")]
    assert [(a, p) for a, p, _ in per_post] == [("ana", free), ("ana", other)]
    assert all(d["reason"] == "fraude em massa" for _, _, d in per_post)
    (record,) = _entries(service, "bulk_escalate")
    assert record[2]["done"] == [free, other] and record[2]["cases"] == list(batch.cases)
    assert len(record[2]["skipped"]) == 5
    assert BulkActions(service).batch(batch.id) == batch
    # a lead's bulk escalation does not take a post from bia either
    lead = BulkActions(service).escalate([held], lia)
    assert lead.done == () and "claimed by bia" in lead.skipped[0].reason
    assert held not in _cases(service) and not _entries(service, "take_over")


def test_undo_of_a_bulk_escalation_withdraws_cases_not_yet_delivered_and_says_why_not(
    service: QueueService,
) -> None:
    waiting, due, delivered = _posts(service, 3)
    ana, bia = who(service, "ana"), who(service, "bia")
    bulk = BulkActions(service)
    batch = bulk.escalate([waiting, due, delivered], ana)
    assert batch.done == (waiting, due, delivered)
    with pytest.raises(Conflict, match="nothing of yours to undo"):
        bulk.undo(batch.id, bia)
    made = _cases(service)
    now = datetime.now(UTC)
    with service.engine.begin() as conn:
        # the outbox may send `due` now; `delivered` has reached the helpdesk
        conn.execute(update(cases).where(cases.c.post_id == due).values(next_attempt_at=now))
        conn.execute(
            update(cases)
            .where(cases.c.post_id == delivered)
            .values(status="sent", attempts=1, ticket_id="T-77", sent_at=now)
        )
    undone = bulk.undo(batch.id, ana)
    assert undone.done == (waiting,)
    reasons = {s.post_id: s.reason for s in undone.skipped}
    assert f"case {made[due][0]} is on its way" in reasons[due]
    assert "cannot be undone" in reasons[due]
    assert (
        f"case {made[delivered][0]} was delivered to the helpdesk as ticket T-77"
        in (reasons[delivered])
    )
    assert "cannot be undone" in reasons[delivered]
    item = service.item(waiting)
    assert item.status is ItemStatus.OPEN and item.decision.route is Route.PUBLIC_REPLY
    assert set(_cases(service)) == {due, delivered}
    assert _status(service, due) is ItemStatus.ESCALATED
    (record,) = _entries(service, "bulk_undo")
    assert record[2]["undoes"] == batch.id and record[2]["done"] == [waiting]

    late = bulk.escalate([waiting], ana)
    _age(service, late, 11)
    with pytest.raises(Conflict, match="10 s"):
        bulk.undo(late.id, ana)
    assert _status(service, waiting) is ItemStatus.ESCALATED


def test_two_bulk_escalations_of_overlapping_selections_at_once_make_one_case_per_post(
    service: QueueService,
) -> None:
    posts = _posts(service, 12)
    people = [who(service, "ana"), who(service, "bia")]
    picks = [posts[:8], posts[4:][::-1]]  # posts[4:8] are in both, met in opposite orders
    batches = _at_once(lambda i: BulkActions(service).escalate(picks[i], people[i]), 120)
    done: list[int] = []
    for found in batches:
        assert isinstance(found, Batch), found
        done.extend(found.done)
        assert all("escalated" in s.reason or "changed meanwhile" in s.reason
                   for s in found.skipped)  # fmt: skip
        assert len(found.cases) == len(found.done)
    assert sorted(done) == sorted(posts)  # every post escalated once, by one of them
    made = _cases(service)
    assert sorted(made) == sorted(posts) and all(len(ids) == 1 for ids in made.values())
    escalations = [p for _, p, _ in _entries(service, "escalate")]
    assert sorted(p or 0 for p in escalations) == sorted(posts)


def _at_once(act: Callable[[int], Batch], timeout: float) -> list[Batch | BaseException]:
    """`act(0)` and `act(1)` in two threads let go at the same moment: each one's batch, or
    what it raised."""
    barrier = threading.Barrier(2)
    batches: list[Batch | BaseException] = [ValueError("not run")] * 2

    def run(i: int) -> None:
        barrier.wait()
        try:
            batches[i] = act(i)
        except BaseException as exc:
            batches[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return batches
