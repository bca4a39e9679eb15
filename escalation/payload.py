"""The JSON form of a case, shared by the webhook sink and the local file sink.

This is a public contract (docs/escalation.md, "webhook contract"): add fields freely, never
rename or remove one. Sensitive data appears as kinds only; values stay in the post text.
"""

from __future__ import annotations

import json
from typing import Any

from escalation.content import (
    CaseContent,
    masked_kinds,
    masked_note,
    profile_url,
    sensitive_kinds,
)
from kernel.models import Case, Post

#: Bumped only if a field is ever removed or changes meaning.
SCHEMA_VERSION = 1


def _post(post: Post) -> dict[str, Any]:
    return {
        "source": post.source,
        "external_id": post.external_id,
        "text": post.text,
        "url": post.url,
        "created_at": post.created_at.isoformat(),
        "lang": post.lang,
        "kind": str(post.kind),
        "conversation_id": post.conversation_id,
        "parent_id": post.parent_id,
        "author": {
            "handle": post.author.handle,
            "name": post.author.name,
            "followers": post.author.followers,
            "verified": post.author.verified,
            "profile_url": profile_url(post),
        },
    }


def case_payload(case: Case, content: CaseContent) -> dict[str, Any]:
    decision, signals = case.decision, case.signals
    return {
        "schema": SCHEMA_VERSION,
        "idempotency_key": case.idempotency_key,
        "case_id": case.id,
        "sink": case.sink,
        "priority": decision.priority,
        "post": _post(case.post),
        "thread": [_post(earlier) for earlier in case.thread],
        "decision": {
            "route": str(decision.route),
            "tier": decision.tier,
            "rule": decision.rule,
            "explanation": decision.explanation,
            "confidence": decision.confidence,
            "needs_review": decision.needs_review,
            "priority": decision.priority,
        },
        "signals": None
        if signals is None
        else {
            "sentiment": signals.sentiment,
            "sentiment_score": signals.sentiment_score,
            "complaint": signals.complaint,
            "intents": dict(signals.intents),
            "language": signals.language,
        },
        "sensitive": sensitive_kinds(case),
        # Card numbers and credentials are masked before storage; the helpdesk is told so.
        "masked": masked_kinds(case.post),
        "masked_note": masked_note(case.post),
        "subject": content.subject,
        "body": content.body,
        "first_response": content.first_response,
        # Slack-compatible incoming webhooks show `text`; others ignore it.
        "text": content.subject + (f"\n{case.post.url}" if case.post.url else ""),
    }


def encode(payload: dict[str, Any]) -> bytes:
    """Canonical bytes: the webhook signs exactly these, the file sink writes them."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )
