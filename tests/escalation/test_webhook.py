"""The webhook sink against a loopback receiver that verifies the signature, as receivers must."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from escalation.webhook.sink import WebhookSink, sign
from kernel.errors import DeliveryPermanent, DeliveryRetryable
from tests.escalation.conftest import Receiver
from tests.escalation.helpers import CARD, WEBHOOK_SECRET, make_case
from tests.escalation.rt_server import free_port
from tests.httpserver import Response


def _sink(receiver: Receiver, secret: str = WEBHOOK_SECRET) -> WebhookSink:
    return WebhookSink(name="hook", url=receiver.url, secret=secret, timeout=10)


def test_body_and_headers_follow_the_contract(webhook_receiver: Receiver) -> None:
    case = make_case()
    ticket = _sink(webhook_receiver).send(case)

    (request,) = webhook_receiver.requests
    assert request["verified"]
    headers = request["headers"]
    assert headers["idempotency-key"] == case.idempotency_key
    assert headers["x-triage-timestamp"].isdigit()
    assert headers["content-type"].startswith("application/json")
    body = json.loads(request["body"])
    assert body["idempotency_key"] == case.idempotency_key
    assert body["case_id"] == 42
    assert body["priority"] == "high"
    assert body["post"]["source"] == "x"
    assert body["post"]["external_id"] == case.post.external_id
    assert body["post"]["text"] == case.post.text
    assert body["post"]["url"] == case.post.url
    assert body["post"]["author"]["handle"] == "jane_doe"
    assert body["post"]["author"]["profile_url"] == "https://x.com/jane_doe"
    assert body["decision"]["route"] == "helpdesk"
    assert body["decision"]["rule"] == "sensitive-data-to-helpdesk"
    assert "payment_card" in body["decision"]["explanation"]
    assert body["sensitive"] == ["payment_card"]
    assert [p["external_id"] for p in body["thread"]] == ["p1"]
    assert CARD not in body["subject"] and CARD not in body["text"]
    assert ticket.ticket_id == "WH-1"
    assert ticket.url == f"{webhook_receiver.url}/WH-1"


def test_signature_is_hmac_of_timestamp_dot_body() -> None:
    body = b'{"a":1}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("s3cret", "1700000000", body) == expected


def test_wrong_secret_is_refused_permanently(webhook_receiver: Receiver) -> None:
    with pytest.raises(DeliveryPermanent, match="HTTP 401: bad signature"):
        _sink(webhook_receiver, secret="not-the-secret").send(make_case())
    assert not webhook_receiver.requests[0]["verified"]


@pytest.mark.parametrize(
    ("status", "headers", "retry_after"),
    [(500, {}, None), (503, {"Retry-After": "30"}, 30.0), (429, {"Retry-After": "7"}, 7.0)],
)
def test_server_errors_and_429_are_retryable(
    webhook_receiver: Receiver, status: int, headers: dict[str, str], retry_after: float | None
) -> None:
    webhook_receiver.faults.append(Response(status=status, body="busy", headers=headers))
    with pytest.raises(DeliveryRetryable, match=f"HTTP {status}") as raised:
        _sink(webhook_receiver).send(make_case())
    assert raised.value.retry_after == retry_after


def test_retry_after_as_http_date(webhook_receiver: Receiver) -> None:
    webhook_receiver.faults.append(
        Response(status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    )
    with pytest.raises(DeliveryRetryable) as raised:
        _sink(webhook_receiver).send(make_case())
    assert raised.value.retry_after == 0.0  # a date in the past: retry now


def test_rejection_is_permanent_with_the_reason(webhook_receiver: Receiver) -> None:
    webhook_receiver.faults.append(Response(status=422, body={"message": "unknown queue"}))
    with pytest.raises(DeliveryPermanent, match="HTTP 422: unknown queue"):
        _sink(webhook_receiver).send(make_case())


def test_a_retry_after_a_fault_delivers_once(webhook_receiver: Receiver) -> None:
    case = make_case()
    sink = _sink(webhook_receiver)
    webhook_receiver.faults.append(Response(status=502, body="bad gateway"))
    with pytest.raises(DeliveryRetryable):
        sink.send(case)
    sink.send(case)
    sink.send(case)
    keys = {r["headers"]["idempotency-key"] for r in webhook_receiver.requests}
    assert keys == {case.idempotency_key}
    assert webhook_receiver.tickets == {case.idempotency_key: "WH-1"}


def test_connection_refused_is_retryable() -> None:
    sink = WebhookSink(
        name="hook", url=f"http://127.0.0.1:{free_port()}/cases", secret="s", timeout=5
    )
    with pytest.raises(DeliveryRetryable, match="connection failed"):
        sink.send(make_case())


def test_the_secret_never_appears_in_errors_or_body(webhook_receiver: Receiver) -> None:
    webhook_receiver.faults.append(Response(status=400, body="nope"))
    with pytest.raises(DeliveryPermanent) as raised:
        _sink(webhook_receiver).send(make_case())
    assert WEBHOOK_SECRET not in str(raised.value)
    assert WEBHOOK_SECRET.encode() not in webhook_receiver.requests[0]["body"]
