"""What the pages call the project's codes (routes, views, states, signals, roles, actions), in
English here and in the reader's language through the `web` catalog.

The codes themselves (`kernel.vocab`, `kernel.models`) stay what forms submit and URLs carry;
only the words shown change. A code without an entry is shown as it is, underscores as spaces.
"""

from __future__ import annotations

from triage.queue.models import View
from triage.web.i18n import N_, gettext

VIEWS = {
    View.PUBLIC_REPLY: N_("Public reply"),
    View.PRIVATE_DM: N_("DM"),
    View.HELPDESK: N_("Helpdesk"),
    View.REVIEW: N_("Needs review"),
    View.IGNORED: N_("Ignored"),
    View.ANSWERED: N_("Answered"),
    View.LABEL: N_("Label these"),
}

LABELS: dict[str, dict[str, str]] = {
    "route": {
        "public_reply": N_("public reply"),
        "private_dm": N_("private DM"),
        "helpdesk": N_("helpdesk"),
        "ignore": N_("ignore"),
    },
    "status": {
        "open": N_("still open"),
        "answered": N_("answered"),
        "ignored": N_("ignored"),
        "escalated": N_("escalated"),
    },
    "sentiment": {
        "negative": N_("negative"),
        "neutral": N_("neutral"),
        "positive": N_("positive"),
    },
    "intent": {
        "billing": N_("billing"),
        "account_access": N_("account access"),
        "delivery": N_("delivery"),
        "refund": N_("refund"),
        "technical_problem": N_("technical problem"),
        "outage": N_("outage"),
        "question": N_("question"),
        "praise": N_("praise"),
        "spam": N_("spam"),
        "legal_threat": N_("legal threat"),
        "safety": N_("safety"),
    },
    "sensitive": {
        "payment_card": N_("payment card"),
        "iban": N_("IBAN"),
        "cnpj": N_("CNPJ"),
        "cpf": N_("CPF"),
        "ssn": N_("SSN"),
        "email": N_("e-mail address"),
        "credential": N_("credential"),
        "account_number": N_("account number"),
        "phone": N_("phone number"),
        "health": N_("health"),
    },
    "role": {
        "agent": N_("agent"),
        "lead": N_("lead"),
        "marketing": N_("marketing"),
        "admin": N_("admin"),
    },
    "priority": {
        "low": N_("low"),
        "normal": N_("normal"),
        "high": N_("high"),
        "urgent": N_("urgent"),
    },
    "case": {
        "held": N_("held"),
        "pending": N_("pending"),
        "sent": N_("sent"),
        "failed": N_("failed"),
        "dead": N_("dead"),
        "closed": N_("closed"),
    },
    "channel": {
        "reply": N_("public reply"),
        "dm": N_("DM"),
        "platform": N_("brand reply"),
    },
    # What someone did, as the History and the audit log say it: "ana claimed the post".
    "action": {
        "claim": N_("claimed the post"),
        "unclaim": N_("released the claim"),
        "take_over": N_("took the post over"),
        "reply": N_("replied in public"),
        "dm": N_("sent a DM"),
        "dm_invite": N_("invited the author to DM"),
        "escalate": N_("escalated the post"),
        "ignore": N_("ignored the post"),
        "reopen": N_("reopened the post"),
        "undo": N_("undid the last action"),
        "note": N_("added a note"),
        "correct": N_("corrected the labels"),
        "reassign": N_("reassigned the post"),
        "release_case": N_("released the case"),
        "login": N_("logged in"),
        "login_failed": N_("failed to log in"),
        "logout": N_("logged out"),
        "password_change": N_("changed their password"),
        "locale_change": N_("changed their language"),
        "learn_request": N_("asked the model to learn now"),
    },
    "head": {
        "candidate": N_("candidate (dry run)"),
        "rejected": N_("rejected"),
        "active": N_("active"),
        "retired": N_("retired"),
    },
    "run": {
        "requested": N_("asked for"),
        "running": N_("running"),
        "done": N_("done"),
        "failed": N_("failed"),
    },
    "alert": {
        "volume": N_("volume"),
        "negative_share": N_("negative share"),
        "negative": N_("negative"),
    },
    "task": {
        "sentiment": N_("sentiment"),
        "complaint": N_("complaint"),
        "route": N_("route"),
        "intent": N_("intent"),
    },
}

#: `triage.queue.saved_replies.CHANNELS` and `VARIABLES`' words, for the catalog (the Saved
#: replies page shows them through `_()`; a test keeps the two lists the same).
SAVED_REPLY_WORDS = (
    N_("Public reply"),
    N_("Direct message"),
    N_("the author's first name (left blank when the display name is not a name)"),
    N_("the author's handle, without @ (write @{author_handle})"),
    N_("the helpdesk ticket number of the post's case, once the helpdesk gave one"),
    N_("the link of the best-matching help article"),
    N_("the title of the best-matching help article"),
    N_("your user name"),
    N_("the brand's name (brand.name)"),
)

#: `triage.suggest.replies.REPLIES`' labels, for the catalog (the item page's suggested answers).
SUGGESTION_LABELS = (
    N_("Public reply"),
    N_("Public reply: continue in DM"),
    N_("Direct message"),
    N_("Public acknowledgement"),
)


def label(code: object, kind: str) -> str:
    """`code` (a value of the `kind` vocabulary) as the reader's language names it."""
    value = str(getattr(code, "value", code))
    found = LABELS.get(kind, {}).get(value)
    return gettext(found) if found else value.replace("_", " ")


def view_title(view: View) -> str:
    return gettext(VIEWS[view])
