"""Every label a rule, a model head or a setting can name, defined once.

Routes, sentiments, intents, sensitive-data kinds, priorities, the classifier's tasks and head
models, and the digests' locales are written here and nowhere else (ticket states are
`kernel.models.TicketState`): the heads (classifiers/heads.py), the sensitive-data detector
(classifiers/sensitive.py), the rule conditions (classifiers/rule_conditions.py), the settings,
the digests and the CLI import them, so a rules file that names a label outside these sets is
rejected when it is loaded (one line: file, rule, field), instead of silently never matching.
"""

from __future__ import annotations

from typing import Literal, get_args

from kernel.models import Route

#: Where a decision sends a post (the values of `kernel.models.Route`).
ROUTES: tuple[str, ...] = tuple(route.value for route in Route)
#: The routes as people read them listed (digests, `demo`): what needs a person first.
ROUTES_BY_URGENCY: tuple[str, ...] = tuple(
    route.value for route in (Route.HELPDESK, Route.PRIVATE_DM, Route.PUBLIC_REPLY, Route.IGNORE)
)

#: The sentiment head's labels, in the order of its output columns.
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

#: The intent head's labels (multi-label); a rule's `intent:` names only these.
INTENTS: tuple[str, ...] = (
    "billing",
    "account_access",
    "delivery",
    "refund",
    "technical_problem",
    "outage",
    "question",
    "praise",
    "spam",
    "legal_threat",
    "safety",
)
#: An intent counts as present from this score on (the intent head's sigmoid threshold): rules
#: without their own, the digests, the suggestions and the helpdesk ticket's tags.
INTENT_THRESHOLD = 0.5

#: Every kind the sensitive-data detector reports, strongest first; `sensitive_any:` names these.
SENSITIVE_KINDS: tuple[str, ...] = (
    "payment_card",
    "iban",
    "cnpj",
    "cpf",
    "ssn",
    "email",
    "credential",
    "account_number",
    "phone",
    "health",
)


#: A decision's priority (`Decision.priority`, a rule's `priority:`), lowest first; sinks map
#: these onto their helpdesk's own priorities.
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[Priority, ...] = get_args(Priority)

#: The classifier heads (`train --task`); `eval` scores the single-label ones.
Task = Literal["sentiment", "complaint", "route", "intent"]
TASKS: tuple[Task, ...] = get_args(Task)
SINGLE_LABEL_TASKS: tuple[Task, ...] = ("sentiment", "complaint", "route")

#: What a trained head is (`train --model`): logistic regression or a small MLP.
HeadModel = Literal["logreg", "mlp"]
HEAD_MODELS: tuple[HeadModel, ...] = get_args(HeadModel)

#: The languages digests and alerts are written in (`locale`, `digest --locale`).
Locale = Literal["en", "pt_BR", "es"]
LOCALES: tuple[Locale, ...] = get_args(Locale)


def unknown(values: object, allowed: tuple[str, ...]) -> list[str]:
    """The names in `values` (a string or an iterable of them) that `allowed` lacks."""
    items = [values] if isinstance(values, str) else list(values or [])  # type: ignore[call-overload]
    return [str(item) for item in items if item not in allowed]
