"""Turning classification records into JSON-safe rows and back. No raw sensitive values:
findings keep their kind, span and redacted preview only."""

from __future__ import annotations

from typing import Any

from kernel.models import Decision, Route, SensitiveFinding, Signals


def signals_to_json(signals: Signals) -> dict[str, Any]:
    return {
        "sentiment": signals.sentiment,
        "sentiment_score": signals.sentiment_score,
        "complaint": signals.complaint,
        "private_score": signals.private_score,
        "intents": dict(signals.intents),
        "sensitive": [
            {"kind": f.kind, "start": f.start, "end": f.end, "preview": f.preview}
            for f in signals.sensitive
        ],
        "language": signals.language,
        "keywords": list(signals.keywords),
        "sentiment_scores": dict(signals.sentiment_scores),
    }


def signals_from_json(data: dict[str, Any] | None) -> Signals | None:
    if not data:
        return None
    return Signals(
        sentiment=data["sentiment"],
        sentiment_score=data["sentiment_score"],
        complaint=data["complaint"],
        private_score=data["private_score"],
        intents=dict(data.get("intents") or {}),
        sensitive=tuple(SensitiveFinding(**f) for f in data.get("sensitive") or ()),
        language=data.get("language"),
        keywords=tuple(data.get("keywords") or ()),
        sentiment_scores=dict(data.get("sentiment_scores") or {}),
    )


def decision_row(decision: Decision) -> dict[str, Any]:
    return {
        "route": decision.route.value,
        "tier": decision.tier,
        "priority": decision.priority,
        "confidence": float(decision.confidence),
        "needs_review": decision.needs_review,
        "rule": decision.rule,
        "rules_tried": list(decision.rules_tried),
        "explanation": decision.explanation,
        "scores": _jsonable(decision.scores),
        "sink": decision.sink,
        "model_version": decision.model_version,
        "rules_version": decision.rules_version,
        "summary": dict(decision.summary) or None,
    }


def decision_from_row(row: Any) -> Decision:
    return Decision(
        route=Route(row["route"]),
        tier=row["tier"],
        confidence=row["confidence"],
        needs_review=row["needs_review"],
        rule=row["rule"],
        explanation=row["explanation"],
        priority=row["priority"],
        rules_tried=tuple(row["rules_tried"] or ()),
        scores=dict(row["scores"] or {}),
        model_version=row["model_version"],
        rules_version=row["rules_version"],
        sink=row["sink"],
        summary=dict(row.get("summary") or {}),
    )


def _jsonable(value: Any) -> Any:
    """numpy scalars and tuples from the classifiers, as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value
