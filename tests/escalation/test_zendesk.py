"""The Zendesk sink over real HTTP against FakeAPI serving recorded response shapes.

Bodies and headers come from tests/fixtures/zendesk (see MANIFEST.tsv there for provenance).
"""

from __future__ import annotations

import base64
import json

import pytest

from escalation.zendesk.sink import ZendeskSink, field_errors
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from kernel.models import TicketRef
from tests.escalation.helpers import CARD, make_case, zendesk_envelope, zendesk_response
from tests.httpserver import FakeAPI, Response

TICKETS = "/api/v2/tickets.json"
EMPTY = "tickets_by_external_id.empty.composite.json"
HIT = "tickets_by_external_id.hit.composite.json"


def _sink(api: FakeAPI, **overrides: object) -> ZendeskSink:
    options: dict[str, object] = {
        "name": "zd",
        "base_url": api.url,
        "email": "bot@acme.example",
        "token": "zd-token-for-tests",
        "timeout": 5,
    }
    options.update(overrides)
    return ZendeskSink(**options)  # type: ignore[arg-type]


def test_201_create_sends_the_documented_ticket(fake_api: FakeAPI) -> None:
    fake_api.add("GET", TICKETS, zendesk_response(EMPTY))
    fake_api.add("POST", TICKETS, zendesk_response("ticket_create.official_ruby_client.json"))
    case = make_case()
    sink = _sink(fake_api, group_id=360001, custom_fields={114: "social"}, tags=["care"])
    ticket = sink.send(case)

    assert ticket.ticket_id == "8867"
    assert ticket.url == f"{fake_api.url}/agent/tickets/8867"
    assert ticket.status == "new"
    (lookup,) = [r for r in fake_api.requests if r.method == "GET"]
    assert lookup.param("external_id") == case.idempotency_key
    (create,) = [r for r in fake_api.requests if r.method == "POST"]
    assert create.headers["idempotency-key"] == case.idempotency_key
    auth = base64.b64decode(create.headers["authorization"].split()[1]).decode()
    assert auth == "bot@acme.example/token:zd-token-for-tests"
    sent = json.loads(create.body)["ticket"]
    assert sent["external_id"] == case.idempotency_key
    assert sent["priority"] == "high"
    assert sent["group_id"] == 360001
    assert sent["custom_fields"] == [{"id": 114, "value": "social"}]
    assert sent["requester"] == {"name": "@jane_doe (x)"}
    assert sent["comment"]["public"] is False
    assert case.post.text in sent["comment"]["body"]
    assert CARD not in sent["subject"]
    assert set(sent["tags"]) == {
        "care",
        "source_x",
        "rule_sensitive-data-to-helpdesk",
        "sensitive_payment_card",
    }


def test_lookup_hit_creates_nothing(fake_api: FakeAPI) -> None:
    """A previous attempt created the ticket (then the worker crashed): find it, POST nothing."""
    hit = zendesk_envelope(HIT)["body"]["tickets"][0]
    fake_api.add("GET", TICKETS, zendesk_response(HIT))
    case = make_case(key=hit["external_id"])
    ticket = _sink(fake_api).send(case)
    assert ticket.ticket_id == str(hit["id"])
    assert ticket.status == "new"
    assert not [r for r in fake_api.requests if r.method == "POST"]


def test_find_ignores_tickets_with_another_external_id(fake_api: FakeAPI) -> None:
    fake_api.add("GET", TICKETS, zendesk_response(HIT))
    assert _sink(fake_api).find("x:another-key:helpdesk") is None


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        (
            "error_422_record_invalid.ticket.json",
            "Record validation errors; base: Description: cannot be blank",
        ),
        (
            "error_422_record_invalid.field_keyed.json",
            "value: Value: abcdef@example.com is already being used by another user",
        ),
    ],
)
def test_422_is_permanent_with_field_errors_on_one_line(
    fake_api: FakeAPI, fixture: str, reason: str
) -> None:
    fake_api.add("GET", TICKETS, zendesk_response(EMPTY))
    fake_api.add("POST", TICKETS, zendesk_response(fixture))
    with pytest.raises(DeliveryPermanent) as raised:
        _sink(fake_api).send(make_case())
    message = str(raised.value)
    assert "HTTP 422" in message and reason in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("fixture", "retry_after"),
    [("error_429.community_report.json", 1.0), ("error_429.docs_example.json", 93.0)],
)
def test_429_text_body_with_retry_after_is_retryable(
    fake_api: FakeAPI, fixture: str, retry_after: float
) -> None:
    fake_api.add("GET", TICKETS, zendesk_response(EMPTY))
    fake_api.add("POST", TICKETS, zendesk_response(fixture))
    with pytest.raises(DeliveryRetryable, match="HTTP 429") as raised:
        _sink(fake_api).send(make_case())
    assert raised.value.retry_after == retry_after
    assert zendesk_envelope(fixture)["body"][:20] in str(raised.value)


def test_429_on_lookup_is_retryable_and_creates_nothing(fake_api: FakeAPI) -> None:
    fake_api.add("GET", TICKETS, zendesk_response("error_429.community_report.json"))
    with pytest.raises(DeliveryRetryable) as raised:
        _sink(fake_api).send(make_case())
    assert raised.value.retry_after == 1.0
    assert not [r for r in fake_api.requests if r.method == "POST"]


def test_500_is_retryable(fake_api: FakeAPI) -> None:
    fake_api.add("GET", TICKETS, zendesk_response(EMPTY))
    fake_api.add("POST", TICKETS, Response(500, "Internal Server Error"))
    with pytest.raises(DeliveryRetryable, match="HTTP 500") as raised:
        _sink(fake_api).send(make_case())
    assert raised.value.retry_after is None


def test_401_is_permanent_without_the_token(fake_api: FakeAPI) -> None:
    fake_api.add("GET", TICKETS, Response(401, {"error": "Couldn't authenticate you"}))
    with pytest.raises(DeliveryPermanent, match="HTTP 401: Couldn't authenticate you") as raised:
        _sink(fake_api).send(make_case())
    assert "zd-token-for-tests" not in str(raised.value)


def test_status_reads_the_ticket(fake_api: FakeAPI) -> None:
    show = zendesk_response("ticket_show.official_ruby_client.json")
    fake_api.add("GET", "/api/v2/tickets/8867.json", show)
    assert _sink(fake_api).status(TicketRef(ticket_id="8867")) == "new"
    solved = zendesk_response("ticket_show.official_ruby_client.json")
    solved.body = {"ticket": {**solved.body["ticket"], "status": "solved"}}
    fake_api.add("GET", "/api/v2/tickets/8867.json", solved)
    assert _sink(fake_api).status(TicketRef(ticket_id="8867")) == "solved"


def test_status_of_a_deleted_ticket_is_permanent(fake_api: FakeAPI) -> None:
    fake_api.add("GET", "/api/v2/tickets/1.json", Response(404, {"error": "RecordNotFound"}))
    with pytest.raises(DeliveryPermanent, match="HTTP 404: RecordNotFound"):
        _sink(fake_api).status(TicketRef(ticket_id="1"))


def test_field_errors_tolerates_odd_bodies() -> None:
    assert field_errors(None) == ""
    assert field_errors({"error": "RecordInvalid"}) == "RecordInvalid"
    assert field_errors({"description": "d", "details": {"f": "plain"}}) == "d; f: plain"
