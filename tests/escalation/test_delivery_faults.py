"""Delivery against a slow or failing helpdesk (issue 19, defect 7): one copy per case at the
receiver however slow it is, several workers side by side, leases kept alive while a case is
in flight and given up quickly by a worker that died, and each sink's pace."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from config.sinks import EscalationSettings
from escalation.retry import RetryPolicy
from escalation.webhook.sink import WebhookSink
from escalation.zendesk.sink import ZendeskSink
from tests.escalation.receiver import Receiver
from tests.escalation.zendesk_fake import ZendeskFake
from tests.test_daemon import wait_for
from tests.test_outbox import cases_for
from triage.outbox import DeliveryReport, deliver_due
from triage.outbox_lease import Pace
from triage.storage import Store
from triage.storage.case_delivery import CaseDelivery
from triage.storage.cases import CaseStore

#: Quick retries, so that only the outbox's own rules keep attempts apart.
QUICK = RetryPolicy(base_seconds=0.05, max_seconds=0.1, max_attempts=10, jitter=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made: list[Receiver] = []

    def make(**kwargs: object) -> Receiver:
        made.append(Receiver(**kwargs))  # type: ignore[arg-type]
        return made[-1]

    yield make  # type: ignore[misc]
    for r in made:
        r.stop()


def hook(receiver: Receiver, timeout: float = 5.0) -> dict[str, WebhookSink]:
    return {"desk": WebhookSink(name="desk", url=receiver.url, secret="s3", timeout=timeout)}


def deliver_until_settled(
    cs: CaseStore, outbox: CaseDelivery, sinks: dict[str, Any], **kwargs: object
) -> None:
    """Run the outbox as the daemon would, pass after pass, until no case is left to send."""
    deadline = time.monotonic() + 60
    while set(cs.counts()) - {"sent", "dead"}:
        assert time.monotonic() < deadline, cs.counts()
        deliver_due(outbox, sinks, QUICK, **kwargs)  # type: ignore[arg-type]
        time.sleep(0.05)


def test_a_helpdesk_slower_than_the_timeout_gets_one_copy(store: Store, receiver: object) -> None:
    desk = receiver(delay=1.0)  # type: ignore[operator]
    cs, outbox = cases_for(store, ["card one"])
    deliver_until_settled(cs, outbox, hook(desk, timeout=0.5))
    wait_for(lambda: desk.in_flight == 0, timeout=30)  # every request it was working on
    [key] = desk.copies
    assert desk.copies[key] == 1, desk.copies
    [row] = cs.list()
    assert row.status == "sent" and row.attempts >= 2  # the first attempt timed out


def test_500_and_502_then_success_store_one_copy(store: Store, receiver: object) -> None:
    desk = receiver(statuses=[500, 502])  # type: ignore[operator]
    cs, outbox = cases_for(store, ["card one", "card two"])
    deliver_until_settled(cs, outbox, hook(desk, timeout=0.2))
    assert sorted(desk.copies.values()) == [1, 1]
    assert cs.counts() == {"sent": 2}


def test_a_slow_send_keeps_its_lease_so_no_other_worker_starts_a_second(
    store: Store, receiver: object
) -> None:
    desk = receiver(delay=4.5)  # type: ignore[operator]
    cs, outbox = cases_for(store, ["card one"])
    first = threading.Thread(
        target=deliver_due, args=(outbox, hook(desk), QUICK), kwargs={"lease_seconds": 3}
    )
    first.start()
    wait_for(lambda: desk.in_flight == 1, timeout=30)
    stolen = []
    while first.is_alive():  # another worker (a replica) keeps trying meanwhile
        stolen += outbox.claim_due(limit=5, lease_seconds=3, owner="another worker")
        time.sleep(0.2)
    first.join()
    assert not stolen and sum(desk.copies.values()) == 1 and desk.requests == 1
    assert cs.counts() == {"sent": 1}


def test_a_case_in_flight_when_its_worker_died_is_sent_after_one_short_lease(
    store: Store, receiver: object
) -> None:
    assert EscalationSettings().lease_seconds <= 30  # "within about 30 s" by default
    desk = receiver()  # type: ignore[operator]
    _, outbox = cases_for(store, ["card one"])
    [claimed] = outbox.claim_due(limit=5, lease_seconds=3, owner="a worker that died")
    assert deliver_due(outbox, hook(desk), QUICK) == DeliveryReport()  # held: not sent twice
    assert claimed.next_attempt_at is not None
    wait_for(lambda: datetime.now(UTC) > claimed.next_attempt_at, timeout=10)  # type: ignore[operator]
    assert deliver_due(outbox, hook(desk), QUICK).sent == 1
    assert sum(desk.copies.values()) == 1


def test_several_workers_send_side_by_side_once_each(store: Store, receiver: object) -> None:
    desk = receiver(delay=0.5)  # type: ignore[operator]
    _, outbox = cases_for(store, [f"card {n}" for n in range(8)])
    report = deliver_due(outbox, hook(desk), QUICK, workers=4, batch_size=1)
    assert report.sent == 8 and desk.most_in_flight > 1
    assert sorted(desk.copies.values()) == [1] * 8


def test_a_sinks_pace_spaces_its_sends_across_workers() -> None:
    now = [100.0]
    pace = Pace(30, clock=lambda: now[0])  # one every 2 s
    waits = [pace.reserve() for _ in range(3)]
    assert waits == pytest.approx([0.0, 2.0, 4.0])
    now[0] += 10  # idle for a while: no burst saved up beyond the next slot
    assert pace.reserve() == pytest.approx(0.0) and pace.reserve() == pytest.approx(2.0)


class SlowZendesk(ZendeskFake):
    """A Zendesk that creates the ticket `delay` seconds after the POST arrives (and answers a
    client that may have stopped waiting); look-ups by `external_id` answer at once."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.creating = 0

    def _create(self, sent: dict[str, Any]) -> Any:
        self.creating += 1
        time.sleep(self.delay)
        try:
            return super()._create(sent)
        finally:
            self.creating -= 1


def test_a_slow_zendesk_is_looked_up_before_a_second_create(store: Store) -> None:
    zendesk = SlowZendesk(delay=1.0)
    zendesk.start()
    try:
        sink = ZendeskSink(
            name="desk", base_url=zendesk.url, email="bot@acme.example", token="t", timeout=0.5
        )
        cs, outbox = cases_for(store, ["card one"])
        deliver_until_settled(cs, outbox, {"desk": sink})
        wait_for(lambda: zendesk.creating == 0, timeout=30)
        [row] = cs.list()
        assert row.status == "sent" and row.attempts >= 2  # the first attempt timed out
        assert len(zendesk.tickets) == 1 and zendesk.creates() == 1  # found, not created again
    finally:
        zendesk.stop()
