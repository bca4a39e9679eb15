"""A person's correction of a decided post: the signals with their label, and the decision
made again from them. The service (`QueueService.correct`) records it in one transaction.
"""

from __future__ import annotations

import dataclasses

from config.schema import Settings
from kernel.errors import InputError
from kernel.models import Decision, Route, SensitiveFinding, Signals
from triage.queue.models import QueueItem


def redecide(
    settings: Settings, item: QueueItem, field: str, value: str, *, by: str
) -> tuple[str | None, Decision, Signals | None]:
    """(the old value, the new decision, its signals) once `by` set `field` to `value`.

    A route is the person's decision outright; a corrected label changes the signals and the
    rules decide again from them, as the classifier job would have.
    """
    old = item.decision
    signals = item.signals
    if field == "route":
        try:
            route = Route(value)
        except ValueError as exc:
            known = ", ".join(r.value for r in Route)
            raise InputError(f"correct route: {value!r} is not one of {known}") from exc
        decision = dataclasses.replace(
            old,
            route=route,
            tier={Route.PUBLIC_REPLY: 1, Route.PRIVATE_DM: 2, Route.HELPDESK: 2}.get(route),
            confidence=1.0,
            needs_review=False,
            rule="agent correction",
            explanation=(
                f"Route corrected by {by}: {old.route.value} -> {route.value}.\n"
                f"The classifier had decided {old.route.value} (rule {old.rule!r})."
            ),
            rules_tried=(),
            sink=None,
            summary=corrected_summary(route, by),
        )
        return old.route.value, decision, signals
    if signals is None:
        raise InputError(f"post {item.post_id} has no signals to correct (no classifier ran)")
    old_value, signals = corrected_signals(signals, field, value)
    decision = _rules_decide(settings, item, signals)
    decision = dataclasses.replace(
        decision,
        explanation=(
            f"Re-decided after {by} corrected {field}: {old_value} -> {value}.\n"
            + decision.explanation
        ),
        model_version=old.model_version,
    )
    return old_value, decision, signals


def corrected_summary(route: Route, by: str) -> dict[str, str]:
    """The one-sentence explanation of a route a person set."""
    from classifiers.summary import ROUTES

    by_words = {"en": "set by {by}", "pt_BR": "definido por {by}", "es": "decidido por {by}"}
    return {lang: f"{ROUTES[lang][route]}: {by_words[lang].format(by=by)}." for lang in ROUTES}


def _rules_decide(settings: Settings, item: QueueItem, signals: Signals) -> Decision:
    from classifiers.rules import RuleSet

    rules = RuleSet.load(settings.rules) if settings.rules else RuleSet.default()
    return rules.decide(
        item.post,
        item.post.text,
        signals,
        review_threshold=settings.classifier.review_threshold,
    )


def corrected_signals(signals: Signals, field: str, value: str) -> tuple[str, Signals]:
    """(the old label, the signals with the person's label in place)."""
    from classifiers.heads import INTENT_LABELS, SENTIMENT_LABELS

    if field == "sentiment":
        if value not in SENTIMENT_LABELS:
            raise InputError(
                f"correct sentiment: {value!r} is not one of {', '.join(SENTIMENT_LABELS)}"
            )
        return signals.sentiment, dataclasses.replace(signals, sentiment=value, sentiment_score=1.0)
    if field == "complaint":
        if value not in ("complaint", "not_complaint", "yes", "no"):
            raise InputError(f"correct complaint: {value!r} is not complaint or not_complaint")
        old = "complaint" if signals.complaint >= 0.5 else "not_complaint"
        score = 1.0 if value in ("complaint", "yes") else 0.0
        return old, dataclasses.replace(signals, complaint=score)
    if field == "intent":
        chosen = {p.strip() for p in value.split("|") if p.strip() and p.strip() != "none"}
        bad = sorted(chosen - set(INTENT_LABELS))
        if bad:
            raise InputError(f"correct intent: {bad[0]!r} is not one of {', '.join(INTENT_LABELS)}")
        old = "|".join(sorted(k for k, v in signals.intents.items() if v >= 0.5)) or "none"
        intents = {
            k: (1.0 if k in chosen else 0.0) for k in set(INTENT_LABELS) | set(signals.intents)
        }
        return old, dataclasses.replace(signals, intents=intents)
    # sensitive
    if value not in ("yes", "no", "true", "false"):
        raise InputError(f"correct sensitive: {value!r} is not yes or no")
    old = "yes" if signals.sensitive else "no"
    if value in ("no", "false"):
        return old, dataclasses.replace(signals, sensitive=())
    findings = signals.sensitive or (
        SensitiveFinding(kind="marked_by_agent", start=0, end=0, preview="(marked by an agent)"),
    )
    return old, dataclasses.replace(signals, sensitive=findings)
