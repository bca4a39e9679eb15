"""One harness per sink type, found by type by the sink contract suite (test_contract.py).

A harness builds the real sink against the real receiving end (or its closest stand-in) and
says how many tickets that end holds for a key, whether the sink can find a ticket by key and
whether it reads a ticket's status back. A sink type registered in kernel/plugins.py without a
harness here fails the suite: add one with `@harness("type")`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from escalation.email import KEY_HEADER, EmailSink
from escalation.file import FileSink
from escalation.memory import MemorySink
from escalation.request_tracker.sink import RequestTrackerSink, ticketsql_string
from escalation.webhook.sink import WebhookSink
from escalation.zammad.sink import ZammadSink, reference
from escalation.zendesk.sink import ZendeskSink
from kernel.abc import Sink
from tests.escalation.conftest import Receiver, SMTPServer
from tests.escalation.helpers import WEBHOOK_SECRET
from tests.escalation.rt_server import RTServer
from tests.escalation.zammad_fake import TOKEN as ZAMMAD_TOKEN
from tests.escalation.zammad_fake import ZammadFake
from tests.escalation.zendesk_fake import ZendeskFake


@dataclass
class Harness:
    sink: Sink
    #: How many tickets the receiving end holds for a key.
    tickets: Callable[[str], int]
    finds: bool
    reads_status: bool


Factory = Callable[[pytest.FixtureRequest, Path], AbstractContextManager[Harness]]
HARNESSES: dict[str, Factory] = {}
#: Harnesses that start a real service (marked `slow`).
SLOW: set[str] = set()


def harness(
    kind: str, *, slow: bool = False
) -> Callable[[Callable[..., Iterator[Harness]]], Factory]:
    def register(build: Callable[..., Iterator[Harness]]) -> Factory:
        HARNESSES[kind] = contextmanager(build)
        if slow:
            SLOW.add(kind)
        return HARNESSES[kind]

    return register


def params(kinds: list[str]) -> list[object]:
    """`kinds` as pytest parameters, the slow ones marked."""
    return [pytest.param(k, marks=pytest.mark.slow) if k in SLOW else k for k in kinds]


@harness("memory")
def _memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    sink = MemorySink(name="memory")
    yield Harness(sink, lambda key: int(key in sink.tickets), finds=True, reads_status=True)


@harness("file")
def _file(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    path = tmp_path / "cases.jsonl"

    def tickets(key: str) -> int:
        if not path.exists():
            return 0
        return sum(f'"idempotency_key": "{key}"' in line for line in path.read_text().splitlines())

    yield Harness(FileSink(name="local", path=path), tickets, finds=True, reads_status=False)


@harness("webhook")
def _webhook(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    receiver: Receiver = request.getfixturevalue("webhook_receiver")
    sink = WebhookSink(name="hook", url=receiver.url, secret=WEBHOOK_SECRET, timeout=10)

    def tickets(key: str) -> int:
        assert all(r["verified"] for r in receiver.requests), "a request failed verification"
        return int(key in receiver.tickets)

    yield Harness(sink, tickets, finds=False, reads_status=False)


@harness("email")
def _email(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    smtp: SMTPServer = request.getfixturevalue("smtp_server")
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

    yield Harness(sink, tickets, finds=False, reads_status=False)


@harness("zendesk")
def _zendesk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    api = ZendeskFake()
    api.start()
    try:
        sink = ZendeskSink(
            name="zd", base_url=api.url, email="bot@acme.example", token="t0ken", timeout=10
        )

        def tickets(key: str) -> int:
            return sum(t["external_id"] == key for t in api.tickets.values())

        yield Harness(sink, tickets, finds=True, reads_status=True)
    finally:
        api.stop()


@harness("zammad")
def _zammad(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    api = ZammadFake()
    api.start()
    try:
        sink = ZammadSink(
            name="zammad",
            url=api.url,
            token=ZAMMAD_TOKEN,
            group="Social media",
            customer="social@acme.example",
            timeout=10,
        )
        yield Harness(
            sink, lambda key: api.tickets_tagged(reference(key)), finds=True, reads_status=True
        )
    finally:
        api.stop()


@harness("request_tracker", slow=True)
def _request_tracker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    rt: RTServer = request.getfixturevalue("rt_server")
    sink = RequestTrackerSink(name="rt", url=rt.url, user=rt.user, password=rt.password, timeout=30)

    def tickets(key: str) -> int:
        query = f"'CF.{{External ID}}'={ticketsql_string(key)}"
        answer = rt.api("GET", "tickets", params={"query": query})
        assert answer.status_code == 200, answer.text
        count: int = answer.json()["count"]
        return count

    yield Harness(sink, tickets, finds=True, reads_status=True)
