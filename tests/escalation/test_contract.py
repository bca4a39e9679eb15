"""One contract, every sink: exactly one ticket per idempotency key, however often `send` runs.

Each sink runs against the real thing or its closest stand-in: Request Tracker 5 itself, an
aiosmtpd server, a signature-checking webhook receiver, a local file, and Zendesk's recorded
response shapes; the in-memory reference sink runs too, so the double the outbox tests use
keeps the same contract. "Tickets" are counted at the receiving end: RT's own search, distinct
Message-IDs for mail (what a mail-fed helpdesk dedupes on), distinct keys for the webhook
receiver, tickets created at the Zendesk stand-in, lines for the file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from escalation.email import KEY_HEADER, EmailSink
from escalation.file import FileSink
from escalation.memory import MemorySink
from escalation.request_tracker.sink import RequestTrackerSink, ticketsql_string
from escalation.webhook.sink import WebhookSink
from escalation.zendesk.sink import ZendeskSink
from kernel.abc import Sink
from tests.escalation.conftest import Receiver, SMTPServer
from tests.escalation.helpers import WEBHOOK_SECRET, make_case
from tests.escalation.rt_server import RTServer
from tests.escalation.zendesk_fake import ZendeskFake

SINKS = [
    "memory",
    "file",
    "webhook",
    "email",
    "zendesk",
    pytest.param("request_tracker", marks=pytest.mark.slow),
]


def test_every_registered_sink_is_in_the_contract_suite() -> None:
    from kernel.plugins import SINKS as REGISTERED

    covered = {s if isinstance(s, str) else s.values[0] for s in SINKS}
    assert set(REGISTERED) <= covered, (
        f"sinks without a contract harness: {set(REGISTERED) - covered}"
    )


@dataclass
class Harness:
    sink: Sink
    #: How many tickets the receiving end holds for a key.
    tickets: Callable[[str], int]
    finds: bool
    reads_status: bool


def _memory() -> Harness:
    sink = MemorySink(name="memory")
    return Harness(sink, lambda key: int(key in sink.tickets), finds=True, reads_status=True)


def _file(tmp_path: Path) -> Harness:
    path = tmp_path / "cases.jsonl"

    def tickets(key: str) -> int:
        if not path.exists():
            return 0
        return sum(f'"idempotency_key": "{key}"' in line for line in path.read_text().splitlines())

    return Harness(FileSink(name="local", path=path), tickets, finds=True, reads_status=False)


def _webhook(receiver: Receiver) -> Harness:
    sink = WebhookSink(name="hook", url=receiver.url, secret=WEBHOOK_SECRET, timeout=10)

    def tickets(key: str) -> int:
        assert all(r["verified"] for r in receiver.requests), "a request failed verification"
        return int(key in receiver.tickets)

    return Harness(sink, tickets, finds=False, reads_status=False)


def _email(smtp: SMTPServer) -> Harness:
    sink = EmailSink(
        name="mail",
        host=smtp.host,
        port=smtp.port,
        sender="triage@acme.example",
        to=["help@acme.example"],
        timeout=10,
    )

    def tickets(key: str) -> int:
        return len({str(m["Message-ID"]) for m in smtp.messages if m[KEY_HEADER] == key})

    return Harness(sink, tickets, finds=False, reads_status=False)


def _zendesk(api: ZendeskFake) -> Harness:
    sink = ZendeskSink(
        name="zd", base_url=api.url, email="bot@acme.example", token="t0ken", timeout=10
    )

    def tickets(key: str) -> int:
        return sum(t["external_id"] == key for t in api.tickets.values())

    return Harness(sink, tickets, finds=True, reads_status=True)


def _request_tracker(rt: RTServer) -> Harness:
    sink = RequestTrackerSink(name="rt", url=rt.url, user=rt.user, password=rt.password, timeout=30)

    def tickets(key: str) -> int:
        query = f"'CF.{{External ID}}'={ticketsql_string(key)}"
        answer = rt.api("GET", "tickets", params={"query": query})
        assert answer.status_code == 200, answer.text
        count: int = answer.json()["count"]
        return count

    return Harness(sink, tickets, finds=True, reads_status=True)


@pytest.fixture(params=SINKS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    kind = request.param
    api: ZendeskFake | None = None
    if kind == "memory":
        built = _memory()
    elif kind == "file":
        built = _file(tmp_path)
    elif kind == "webhook":
        built = _webhook(request.getfixturevalue("webhook_receiver"))
    elif kind == "email":
        built = _email(request.getfixturevalue("smtp_server"))
    elif kind == "zendesk":
        api = ZendeskFake()
        api.start()
        built = _zendesk(api)
    else:
        built = _request_tracker(request.getfixturevalue("rt_server"))
    try:
        yield built
    finally:
        built.sink.close()
        if api is not None:
            api.stop()


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
        assert status in {"new", "open"}
    else:
        assert status is None


def test_describe_names_the_sink_without_secrets(harness: Harness) -> None:
    text = harness.sink.describe()
    assert harness.sink.name in text
    for secret in (WEBHOOK_SECRET, "t0ken", "bot-password-for-tests"):
        assert secret not in text


@pytest.mark.parametrize("kind", ["file", pytest.param("request_tracker", marks=pytest.mark.slow)])
def test_concurrent_sends_of_one_case_make_one_ticket(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two workers holding the same case at once (a lost claim) still make one ticket."""
    if kind == "file":
        built = _file(tmp_path)
    else:
        built = _request_tracker(request.getfixturevalue("rt_server"))
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
