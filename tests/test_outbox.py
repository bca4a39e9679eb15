from __future__ import annotations

from datetime import UTC, datetime, timedelta

from escalation.memory import MemorySink
from escalation.retry import RetryPolicy
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from tests.test_classify_job import KeywordClassifier, add_posts
from triage.classify_job import classify_pending
from triage.outbox import deliver_due, sync_statuses
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore

POLICY = RetryPolicy(base_seconds=10, max_seconds=60, max_attempts=3)


def cases_for(store: Store, texts: list[str]) -> tuple[CaseStore, CaseDelivery]:
    """Cases of the posts as the `cases` command reads them, and as the outbox delivers them."""
    add_posts(store, texts)
    classify_pending(store, KeywordClassifier(), default_sink="desk")
    return CaseStore(store.engine), CaseDelivery(store.engine)


def test_each_case_is_delivered_once_with_its_context(store: Store) -> None:
    cs, outbox = cases_for(store, ["card one", "card two", "wifi"])
    sink = MemorySink(name="desk")
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 2
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 0
    assert len(sink.tickets) == 2 and sink.sends == 2
    assert cs.counts() == {"sent": 2}
    [row, _] = cs.list()
    assert row.ticket_id and row.ticket_url and row.status == "sent"
    delivered = next(iter(sink.cases.values()))
    assert delivered.decision.rule == "r-helpdesk" and delivered.signals is not None


def test_retryable_errors_back_off_honouring_retry_after(store: Store) -> None:
    cs, outbox = cases_for(store, ["card one"])
    sink = MemorySink(name="desk")
    sink.fail_next = [DeliveryRetryable("503 from helpdesk", retry_after=45)]
    before = datetime.now(UTC)
    report = deliver_due(outbox, {"desk": sink}, POLICY)
    assert (report.sent, report.failed) == (0, 1)
    [row] = cs.list()
    assert row.status == "failed" and row.last_error == "503 from helpdesk"
    assert row.next_attempt_at is not None
    assert row.next_attempt_at >= before + timedelta(seconds=45)
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 0  # not due yet
    assert cs.retry(row.id)
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 1


def test_permanent_rejection_is_dead_and_the_others_still_flow(store: Store) -> None:
    cs, outbox = cases_for(store, ["card one", "card two", "card three"])
    sink = MemorySink(name="desk")
    sink.fail_next = [DeliveryPermanent("422 RecordInvalid: requester: is invalid")]
    report = deliver_due(outbox, {"desk": sink}, POLICY)
    assert (report.sent, report.dead) == (2, 1)
    [dead] = cs.list("dead")
    assert dead.last_error == "422 RecordInvalid: requester: is invalid"


def test_gives_up_after_max_attempts(store: Store) -> None:
    cs, outbox = cases_for(store, ["card one"])
    sink = MemorySink(name="desk")
    for _ in range(POLICY.max_attempts):
        sink.fail_next = [DeliveryRetryable("timeout")]
        deliver_due(outbox, {"desk": sink}, POLICY)
        [row] = cs.list()
        if row.status == "failed":
            _make_due(store, row.id)
    [row] = cs.list()
    assert row.status == "dead" and row.last_error.startswith("gave up after 3 attempts")


def _make_due(store: Store, case_id: int) -> None:
    from sqlalchemy import update

    from triage.storage.tables import cases

    with store.engine.begin() as conn:
        conn.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_unknown_sink_is_dead_with_reason(store: Store) -> None:
    cs, outbox = cases_for(store, ["card one"])
    report = deliver_due(outbox, {}, POLICY)
    assert report.dead == 1
    assert cs.list("dead")[0].last_error == "no sink named 'desk' is configured"


def test_a_claimed_case_is_not_claimed_again_until_its_lease_ends(store: Store) -> None:
    _, outbox = cases_for(store, ["card one"])
    [claimed] = outbox.claim_due(limit=10, lease_seconds=300)
    assert claimed.attempts == 1
    assert outbox.claim_due(limit=10, lease_seconds=300) == []  # another worker: nothing due
    _make_due(store, claimed.id)  # the lease ran out (the first worker died)
    sink = MemorySink(name="desk")
    sink.send(claimed)  # it had created the ticket before it died
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 1
    assert len(sink.tickets) == 1


def test_status_sync_closes_resolved_cases(store: Store) -> None:
    cs, outbox = cases_for(store, ["card one", "card two"])
    sink = MemorySink(name="desk")
    deliver_due(outbox, {"desk": sink}, POLICY)
    assert sync_statuses(outbox, {"desk": sink}) == 0
    first = sorted(sink.statuses)[0]
    sink.statuses[first] = "resolved"
    from escalation.content import Renderer

    assert sync_statuses(outbox, {"desk": sink}, follow_up=Renderer().follow_up) == 1
    assert cs.counts() == {"closed": 1, "sent": 1}
    closed = cs.list("closed")[0]
    assert closed.ticket_status == "resolved"
    assert closed.follow_up and "has closed your case" in closed.follow_up
    assert cs.list("sent")[0].follow_up is None


def test_retry_policy_backs_off_exponentially_up_to_the_cap() -> None:
    import random

    policy = RetryPolicy(base_seconds=10, max_seconds=100, max_attempts=5)
    rng = random.Random(1)
    delays = [policy.delay(n, rng=rng) for n in range(1, 8)]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20
    assert all(50 <= d <= 100 for d in delays[4:])
    assert policy.delay(1, retry_after=90, rng=rng) >= 90
    assert policy.gives_up(5) and not policy.gives_up(4)


def test_a_case_another_worker_took_over_is_not_sent_again(store: Store) -> None:
    _, outbox = cases_for(store, ["card one", "card two"])
    sink = MemorySink(name="desk")
    original = outbox.claim_due

    def claim_then_lose(*, limit: int, lease_seconds: float, owner: str | None = None) -> list:  # type: ignore[type-arg]
        mine = original(limit=limit, lease_seconds=-1, owner=owner)  # the lease is over at once
        if mine:  # ... and another worker (a replica) claims the cases meanwhile
            assert len(original(limit=10, lease_seconds=300, owner="another worker")) == 2
        return mine

    outbox.claim_due = claim_then_lose  # type: ignore[method-assign]
    report = deliver_due(outbox, {"desk": sink}, POLICY)
    assert report == type(report)() and sink.sends == 0


def test_an_expired_lease_nobody_took_over_is_still_sent_once(store: Store) -> None:
    _, outbox = cases_for(store, ["card one", "card two"])
    sink = MemorySink(name="desk")
    original = outbox.claim_due

    def claim_expired(*, limit: int, lease_seconds: float, owner: str | None = None) -> list:  # type: ignore[type-arg]
        return original(limit=limit, lease_seconds=-1, owner=owner)

    outbox.claim_due = claim_expired  # type: ignore[method-assign]
    assert deliver_due(outbox, {"desk": sink}, POLICY).sent == 2 and sink.sends == 2
