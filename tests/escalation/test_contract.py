"""One contract, every registered sink (kernel/plugins.py) and the in-memory reference sink:
exactly one ticket per idempotency key, however often `send` runs.

Each sink runs against the real thing or its closest stand-in: Request Tracker 5 itself, an
aiosmtpd server, a signature-checking webhook receiver, a local file, Zendesk's recorded
response shapes and a Zammad that follows its REST API; the in-memory reference sink runs too,
so the double the outbox tests use keeps the same contract. "Tickets" are counted at the
receiving end: RT's own search, distinct Message-IDs for mail (what a mail-fed helpdesk dedupes
on), distinct keys for the webhook receiver, tickets created at the Zendesk and Zammad
stand-ins (Zammad's by their reference tag), lines for the file. Each sink's harness is in
sink_harnesses.py, found by type: a registered sink without one fails the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel.abc import Sink
from kernel.models import TicketState
from kernel.plugins import registered
from tests.escalation.helpers import WEBHOOK_SECRET, make_case
from tests.escalation.sink_harnesses import HARNESSES, Harness, params
from tests.escalation.zammad_fake import TOKEN as ZAMMAD_TOKEN

#: Every registered sink type, and the in-memory reference sink the outbox tests use.
TYPES = [*sorted(registered("sink")), "memory"]


def test_every_registered_sink_has_a_harness() -> None:
    assert set(registered("sink")) <= set(HARNESSES), set(registered("sink")) - set(HARNESSES)


@pytest.mark.parametrize("kind", sorted(registered("sink")))
def test_every_registered_sink_is_built_from_its_settings_and_maps_its_statuses(
    kind: str,
) -> None:
    plugin = registered("sink")[kind]
    implementation = plugin.load()
    assert issubclass(implementation, Sink) and implementation.type == kind
    assert implementation.from_settings.__func__ is not Sink.from_settings.__func__
    assert implementation.ticket_states == plugin.ticket_states
    assert all(isinstance(state, TicketState) for state in plugin.ticket_states.values())
    assert all(word == word.lower() for word in plugin.ticket_states)


@pytest.fixture(params=params(TYPES))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    kind = request.param
    assert kind in HARNESSES, f"sink type {kind!r} is registered but has no contract harness"
    with HARNESSES[kind](request, tmp_path) as built:
        try:
            yield built
        finally:
            built.sink.close()


def test_send_creates_exactly_one_ticket(harness: Harness) -> None:
    case = make_case()
    ticket = harness.sink.send(case)
    assert ticket.ticket_id
    assert harness.tickets(case.idempotency_key) == 1


def test_sending_twice_gives_the_same_ticket(harness: Harness) -> None:
    case = make_case()
    first = harness.sink.send(case)
    second = harness.sink.send(case)
    assert second.ticket_id == first.ticket_id
    assert harness.tickets(case.idempotency_key) == 1


def test_different_keys_make_different_tickets(harness: Harness) -> None:
    one, two = make_case(), make_case()
    assert harness.sink.send(one).ticket_id != harness.sink.send(two).ticket_id
    assert harness.tickets(one.idempotency_key) == harness.tickets(two.idempotency_key) == 1


def test_find(harness: Harness) -> None:
    case = make_case()
    assert harness.sink.find(case.idempotency_key) is None
    sent = harness.sink.send(case)
    found = harness.sink.find(case.idempotency_key)
    if harness.finds:
        assert found is not None and found.ticket_id == sent.ticket_id
    else:
        assert found is None  # the receiver dedupes on the key instead


def test_status(harness: Harness) -> None:
    ticket = harness.sink.send(make_case())
    status = harness.sink.status(ticket)
    if harness.reads_status:
        assert status is not None and harness.sink.ticket_state(status) is TicketState.OPEN
    else:
        assert status is None


def test_describe_names_the_sink_without_secrets(harness: Harness) -> None:
    text = harness.sink.describe()
    assert harness.sink.name in text
    for secret in (WEBHOOK_SECRET, "t0ken", "bot-password-for-tests", ZAMMAD_TOKEN):
        assert secret not in text


@pytest.mark.parametrize("kind", params(["file", "zammad", "request_tracker"]))
def test_concurrent_sends_of_one_case_make_one_ticket(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two workers holding the same case at once (a lost claim) still make one ticket."""
    with HARNESSES[kind](request, tmp_path) as built:
        _send_concurrently(built)


def _send_concurrently(built: Harness) -> None:
    case = make_case()
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(built.sink.send(case).ticket_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert built.tickets(case.idempotency_key) == 1
