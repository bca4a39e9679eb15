"""One plain sentence that says where a post went and why, for a care agent: "Sent to the
helpdesk: it contains a card number." / "Private message: a billing complaint, 82% sure."

A rule's `summary` (in the rules file, per language) gives the reason; its placeholders are
filled from the decision's signals:
- `{sensitive}`: the sensitive kinds found ("a card number and a CPF");
- `{what}`: what the post is ("a billing complaint", "a question about delivery", "a request");
- `{about}`: " about billing" when a topic intent is clear, else nothing.
A rule without a summary is named instead ("rule 'vip' matched"). The confidence is added when
a model took part (it is 1.0 when only words, validators and settings decided), and a sentence
when the decision waits for a person. Every sentence exists in each interface language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kernel.models import Route, Signals
from kernel.vocab import LOCALES

#: The interface languages (`kernel.vocab.LOCALES`): every table below has each of them.
LANGUAGES: tuple[str, ...] = LOCALES

ROUTES: dict[str, dict[Route, str]] = {
    "en": {
        Route.HELPDESK: "Sent to the helpdesk",
        Route.PRIVATE_DM: "Private message",
        Route.PUBLIC_REPLY: "Public reply",
        Route.IGNORE: "Ignored",
    },
    "pt_BR": {
        Route.HELPDESK: "Enviado ao helpdesk",
        Route.PRIVATE_DM: "Mensagem privada",
        Route.PUBLIC_REPLY: "Resposta pública",
        Route.IGNORE: "Ignorado",
    },
    "es": {
        Route.HELPDESK: "Enviado al helpdesk",
        Route.PRIVATE_DM: "Mensaje privado",
        Route.PUBLIC_REPLY: "Respuesta pública",
        Route.IGNORE: "Ignorado",
    },
}
#: Spanish spaces the percent sign, as Babel's `es` does in the digests (no-break space).
SURE = {"en": "{pct}% sure", "pt_BR": "{pct}% de certeza", "es": "{pct}\u00a0% de seguridad"}
REVIEW = {
    "en": "A person checks it first.",
    "pt_BR": "Uma pessoa confere antes.",
    "es": "Una persona lo revisa antes.",
}
AND = {"en": " and ", "pt_BR": " e ", "es": " y "}
SENSITIVE: dict[str, dict[str, str]] = {
    "en": {
        "payment_card": "a card number",
        "iban": "an IBAN",
        "cpf": "a CPF",
        "cnpj": "a CNPJ",
        "ssn": "a social security number",
        "email": "an e-mail address",
        "phone": "a phone number",
        "credential": "a password or access code",
        "account_number": "an account number",
        "health": "health details",
        "marked_by_agent": "data a person marked sensitive",
    },
    "pt_BR": {
        "payment_card": "um número de cartão",
        "iban": "um IBAN",
        "cpf": "um CPF",
        "cnpj": "um CNPJ",
        "ssn": "um número de seguridade social",
        "email": "um e-mail",
        "phone": "um telefone",
        "credential": "uma senha ou código de acesso",
        "account_number": "um número de conta",
        "health": "dados de saúde",
        "marked_by_agent": "dados marcados como sensíveis por uma pessoa",
    },
    "es": {
        "payment_card": "un número de tarjeta",
        "iban": "un IBAN",
        "cpf": "un CPF",
        "cnpj": "un CNPJ",
        "ssn": "un número de seguridad social",
        "email": "un correo electrónico",
        "phone": "un número de teléfono",
        "credential": "una contraseña o código de acceso",
        "account_number": "un número de cuenta",
        "health": "datos de salud",
        "marked_by_agent": "datos que una persona marcó como sensibles",
    },
}
#: Intents that name what a post is about. The account-specific ones (`PRIVATE_TOPICS`) come
#: first: they are why a post goes to private. Spanish carries its preposition in the phrase
#: ("una queja de facturación", "una pregunta sobre una entrega"): no one word fits every topic.
TOPICS: dict[str, dict[str, str]] = {
    "en": {
        "account_access": "account access",
        "billing": "billing",
        "refund": "a refund",
        "delivery": "delivery",
        "outage": "an outage",
        "technical_problem": "a technical problem",
    },
    "pt_BR": {
        "account_access": "acesso à conta",
        "billing": "cobrança",
        "refund": "reembolso",
        "delivery": "entrega",
        "outage": "uma instabilidade",
        "technical_problem": "um problema técnico",
    },
    "es": {
        "account_access": "sobre el acceso a la cuenta",
        "billing": "de facturación",
        "refund": "sobre un reembolso",
        "delivery": "sobre una entrega",
        "outage": "sobre una caída del servicio",
        "technical_problem": "sobre un problema técnico",
    },
}
KINDS = {
    "en": {"complaint": "a complaint", "question": "a question", "request": "a request"},
    "pt_BR": {"complaint": "uma reclamação", "question": "uma pergunta", "request": "um pedido"},
    "es": {"complaint": "una queja", "question": "una pregunta", "request": "una solicitud"},
}
ABOUT = {"en": " about {topic}", "pt_BR": " sobre {topic}", "es": " {topic}"}
UNNAMED = {
    "en": "rule {rule!r} matched",
    "pt_BR": "regra {rule!r} aplicada",
    "es": "se aplicó la regla {rule!r}",
}
#: An intent or complaint score from which the summary names it.
CLEAR = 0.5


def summaries(
    route: Route,
    rule: str,
    confidence: float,
    needs_review: bool,
    templates: Mapping[str, str] | None,
    signals: Signals | None,
    scores: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The sentence in every interface language."""
    return {
        lang: sentence(lang, route, rule, confidence, needs_review, templates, signals, scores)
        for lang in LANGUAGES
    }


def sentence(
    lang: str,
    route: Route,
    rule: str,
    confidence: float,
    needs_review: bool,
    templates: Mapping[str, str] | None,
    signals: Signals | None,
    scores: Mapping[str, Any] | None = None,
) -> str:
    template = (templates or {}).get(lang) or (templates or {}).get("en")
    reason = (
        template.format(**_slots(lang, signals, scores or {}))
        if template
        else UNNAMED[lang].format(rule=rule)
    )
    text = f"{ROUTES[lang][route]}: {reason}"
    if confidence < 0.995:
        text += ", " + SURE[lang].format(pct=round(confidence * 100))
    text += "."
    if needs_review:
        text += " " + REVIEW[lang]
    return text


def _slots(lang: str, signals: Signals | None, scores: Mapping[str, Any]) -> dict[str, str]:
    kinds: list[str] = []
    if signals is not None:
        kinds = list(dict.fromkeys(f.kind for f in signals.sensitive))
    else:
        kinds = list(scores.get("sensitive") or [])
    words = [SENSITIVE[lang].get(kind, kind) for kind in kinds]
    sensitive = AND[lang].join(words[:2]) if words else SENSITIVE[lang]["marked_by_agent"]
    intents = dict(signals.intents) if signals is not None else {}
    for key, value in scores.items():
        if key.startswith("intent.") and isinstance(value, int | float):
            intents.setdefault(key.removeprefix("intent."), float(value))
    complaint = signals.complaint if signals is not None else scores.get("complaint")
    topic = _topic(intents)
    if isinstance(complaint, int | float) and complaint >= CLEAR:
        kind = "complaint"
    elif intents.get("question", 0.0) >= CLEAR:
        kind = "question"
    else:
        kind = "request"
    about = ABOUT[lang].format(topic=TOPICS[lang][topic]) if topic else ""
    return {"sensitive": sensitive, "what": KINDS[lang][kind] + about, "about": about}


#: Topics that need the customer's own account: named before the others when clear.
PRIVATE_TOPICS = ("account_access", "billing", "refund", "delivery")


def _topic(intents: Mapping[str, float]) -> str | None:
    """The clearest account-specific topic, else the clearest other one ("a complaint about
    billing" for a post read as billing 0.80 and account access 0.65, not the first listed)."""
    for group in (PRIVATE_TOPICS, tuple(t for t in TOPICS["en"] if t not in PRIVATE_TOPICS)):
        clear = [t for t in group if intents.get(t, 0.0) >= CLEAR]
        if clear:
            return max(clear, key=lambda t: intents[t])
    return None
