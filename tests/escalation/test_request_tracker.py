"""The Request Tracker sink against a real RT 5 on loopback (and FakeAPI for 5xx/429).

A real RT never answers 500 or 429 on demand, so those two faults are played at the transport
by FakeAPI on RT's own REST paths; everything else talks to the real server.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from escalation.content import Renderer
from escalation.request_tracker.sink import RequestTrackerSink, requestor_address, ticketsql_string
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.models import TicketRef
from tests.escalation.helpers import CARD, make_case
from tests.escalation.rt_server import RTServer, free_port
from tests.httpserver import FakeAPI, Response

pytestmark = pytest.mark.slow


def _sink(rt: RTServer, **overrides: object) -> RequestTrackerSink:
    options: dict[str, object] = {
        "name": "rt",
        "url": rt.url,
        "user": rt.user,
        "password": rt.password,
        "timeout": 30,
    }
    options.update(overrides)
    return RequestTrackerSink(**options)  # type: ignore[arg-type]


def _count(rt: RTServer, key: str) -> int:
    query = f"'CF.{{External ID}}'={ticketsql_string(key)}"
    count: int = rt.api("GET", "tickets", params={"query": query}).json()["count"]
    return count


def test_ticket_fields_read_back_over_rest(rt_server: RTServer) -> None:
    case = make_case()
    ticket = _sink(rt_server).send(case)
    assert ticket.url == f"{rt_server.url}/Ticket/Display.html?id={ticket.ticket_id}"
    assert ticket.status == "new"

    data = rt_server.api("GET", f"ticket/{ticket.ticket_id}").json()
    assert data["Priority"] == "70"  # decision priority "high"
    assert [r["id"] for r in data["Requestor"]] == ["jane_doe@x"]
    fields = {f["name"]: f["values"] for f in data["CustomFields"]}
    assert fields["External ID"] == [case.idempotency_key]
    subject = data["Subject"]
    assert "@jane_doe" in subject and "[payment_card redacted]" in subject
    assert CARD not in subject

    history = rt_server.api("GET", f"ticket/{ticket.ticket_id}/history").json()
    create = next(i for i in history["items"])
    transaction = rt_server.api("GET", f"transaction/{create['id']}").json()
    attachment_url = next(h["_url"] for h in transaction["_hyperlinks"] if h["ref"] == "attachment")
    attachment = rt_server.api("GET", attachment_url.split("/REST/2.0/", 1)[1]).json()
    content = base64.b64decode(attachment["Content"]).decode()
    assert case.post.text in content  # the helpdesk is private: full text
    assert "sorry to hear that" in content  # thread context
    assert "Suggested first response" in content


def test_crash_after_create_finds_the_existing_ticket(rt_server: RTServer) -> None:
    """The worker created the ticket, then died before recording it: the retry must not
    create a second one (a fresh sink, as after a restart)."""
    case = make_case()
    first = _sink(rt_server).send(case)
    restarted = _sink(rt_server)
    assert restarted.find(case.idempotency_key) == first
    second = restarted.send(case)
    assert second.ticket_id == first.ticket_id
    assert _count(rt_server, case.idempotency_key) == 1


def test_resolved_status_is_read_back(rt_server: RTServer) -> None:
    sink = _sink(rt_server)
    ticket = sink.send(make_case())
    answer = rt_server.api("PUT", f"ticket/{ticket.ticket_id}", json={"Status": "resolved"})
    assert answer.status_code == 200, answer.text
    assert sink.status(ticket) == "resolved"


def test_configured_requestor(rt_server: RTServer) -> None:
    ticket = _sink(rt_server, requestor="social@acme.example").send(make_case())
    data = rt_server.api("GET", f"ticket/{ticket.ticket_id}").json()
    assert [r["id"] for r in data["Requestor"]] == ["social@acme.example"]


def test_unknown_queue_is_permanent_with_rts_reason(rt_server: RTServer) -> None:
    with pytest.raises(DeliveryPermanent, match=r"HTTP 403: No permission .* queue 'Nowhere'"):
        _sink(rt_server, queue="Nowhere").send(make_case())


def test_unknown_custom_field_is_permanent(rt_server: RTServer) -> None:
    """RT ignores unknown custom field names and answers 201; the read-back catches it."""
    with pytest.raises(DeliveryPermanent, match="did not store the key in custom field 'Nope'"):
        _sink(rt_server, custom_field="Nope").send(make_case())


def test_wrong_password_is_permanent(rt_server: RTServer) -> None:
    with pytest.raises(DeliveryPermanent, match="HTTP 401") as raised:
        _sink(rt_server, password="wrong-password").send(make_case())
    assert "wrong-password" not in str(raised.value)


def test_unknown_ticket_status_is_permanent(rt_server: RTServer) -> None:
    with pytest.raises(DeliveryPermanent, match="HTTP 404"):
        _sink(rt_server).status(TicketRef(ticket_id="999999"))


def test_rt_down_is_retryable() -> None:
    sink = RequestTrackerSink(
        name="rt", url=f"http://127.0.0.1:{free_port()}", user="u", password="p", timeout=5
    )
    with pytest.raises(DeliveryRetryable, match="connection failed"):
        sink.send(make_case())


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(500, {}, None), (503, {"Retry-After": "120"}, 120.0), (429, {"Retry-After": "3"}, 3.0)],
)
def test_5xx_and_429_are_retryable(
    fake_api: FakeAPI, status: int, headers: dict[str, str], retry_after: float | None
) -> None:
    fake_api.add("GET", "/REST/2.0/tickets", Response(200, {"count": 0, "items": []}))
    fake_api.add("POST", "/REST/2.0/ticket", Response(status, "busy", headers))
    sink = RequestTrackerSink(name="rt", url=fake_api.url, user="u", password="p", timeout=5)
    with pytest.raises(DeliveryRetryable, match=f"create ticket: HTTP {status}") as raised:
        sink.send(make_case())
    assert raised.value.retry_after == retry_after


def test_search_failure_is_retryable_and_creates_nothing(fake_api: FakeAPI) -> None:
    fake_api.add("GET", "/REST/2.0/tickets", Response(502, "bad gateway"))
    sink = RequestTrackerSink(name="rt", url=fake_api.url, user="u", password="p", timeout=5)
    with pytest.raises(DeliveryRetryable, match="search by key: HTTP 502"):
        sink.send(make_case())
    assert not fake_api.requests_to("/REST/2.0/ticket")


@pytest.mark.parametrize(
    ("handle", "source", "address"),
    [("jane_doe", "x", "jane_doe@x"), ("@Jane Doe!", "reddit", "Jane_Doe@reddit")],
)
def test_requestor_address(handle: str, source: str, address: str) -> None:
    assert requestor_address(handle, source) == address


def test_ticketsql_string_escapes_quotes_and_backslashes(rt_server: RTServer) -> None:
    """Keys with quotes still round-trip through RT's search."""
    case = make_case(key="odd:it's\\here")
    ticket = _sink(rt_server).send(case)
    assert _sink(rt_server).find(case.idempotency_key) == ticket


def test_templates_override_reaches_rt(rt_server: RTServer, tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text("Custom: {{ post.source }} {{ case.id }}")
    ticket = _sink(rt_server, renderer=Renderer(tmp_path)).send(make_case())
    data = rt_server.api("GET", f"ticket/{ticket.ticket_id}").json()
    assert data["Subject"] == "Custom: x 42"
