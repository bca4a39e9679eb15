"""Test data for the sinks: a case, and the recorded Zendesk responses in tests/fixtures."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kernel.models import (
    Author,
    Case,
    Decision,
    Post,
    PostKind,
    Route,
    SensitiveFinding,
    Signals,
)
from tests.httpserver import Response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "zendesk"
WEBHOOK_SECRET = "webhook-secret-for-tests"
CARD = "4111 1111 1111 1111"


# --- cases ------------------------------------------------------------------------------------


def make_case(key: str | None = None, **overrides: Any) -> Case:
    """A helpdesk case for a post that leaks a card number, with a short thread before it."""
    text = f"@acmehelp you charged me twice!! card {CARD}, fix it or I call my lawyer"
    start = text.index(CARD)
    external_id = uuid.uuid4().hex[:12]
    post = Post(
        source="x",
        external_id=external_id,
        text=text,
        created_at=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
        url=f"https://x.com/jane_doe/status/{external_id}",
        author=Author(handle="jane_doe", name="Jane Doe", followers=120, verified=False),
        lang="en",
        conversation_id="c1",
        parent_id="p1",
        kind=PostKind.REPLY,
        query="@acmehelp",
    )
    parent = Post(
        source="x",
        external_id="p1",
        text="@jane_doe sorry to hear that, what happened?",
        created_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        url="https://x.com/acmehelp/status/p1",
        author=Author(handle="acmehelp", is_brand=True),
    )
    signals = Signals(
        sentiment="negative",
        sentiment_score=0.93,
        complaint=0.88,
        private_score=0.97,
        intents={"billing": 0.91, "refund": 0.40},
        sensitive=(
            SensitiveFinding(
                kind="payment_card", start=start, end=start + len(CARD), preview="4111 **** 1111"
            ),
        ),
        language="en",
    )
    decision = Decision(
        route=Route.HELPDESK,
        tier=2,
        confidence=0.97,
        needs_review=False,
        rule="sensitive-data-to-helpdesk",
        explanation="rule sensitive-data-to-helpdesk matched: sensitive kinds payment_card",
        priority="high",
    )
    case = Case(
        id=42,
        post=post,
        decision=decision,
        signals=signals,
        sink="helpdesk",
        idempotency_key=key or f"x:{external_id}:helpdesk",
        thread=(parent,),
    )
    return replace(case, **overrides) if overrides else case


# --- Zendesk recorded shapes ----------------------------------------------------------------------

_HOP_HEADERS = {"content-length", "content-encoding", "transfer-encoding", "connection", "status"}


def zendesk_envelope(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def zendesk_response(name: str, **overrides: Any) -> Response:
    """The recorded status, headers and body of tests/fixtures/zendesk/NAME."""
    envelope = zendesk_envelope(name)
    headers = {
        k: v for k, v in (envelope.get("headers") or {}).items() if k.lower() not in _HOP_HEADERS
    }
    response = Response(status=envelope["status"], body=envelope["body"], headers=headers)
    for key, value in overrides.items():
        setattr(response, key, value)
    return response
