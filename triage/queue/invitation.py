"""The standard public reply that moves a conversation to DM ("let's continue in DM"), in the
language of the post it answers: the customer reads it, whatever the agent's interface language.
"""

from __future__ import annotations

from triage.queue.models import QueueItem

#: What an agent sends to move a conversation out of public view, in the post's language
#: (the customer reads it, whatever the agent's interface language).
DM_INVITES = {
    "en": "Sorry to hear that! We'd like to help: please check your direct messages so we can "
    "continue there.",
    "pt": "Poxa, sentimos muito! Queremos ajudar: confira suas mensagens diretas para "
    "continuarmos por lá.",
    "es": "¡Lamentamos lo ocurrido! Queremos ayudarte: revisa tus mensajes directos para "
    "seguir por ahí.",
}
DM_INVITE = DM_INVITES["en"]


def dm_invite(language: str | None) -> str:
    """The invitation in a post's language (`pt`, `pt-BR`, `pt_BR`, `es`...), else English."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return DM_INVITES.get(base, DM_INVITE)


def invitation_for(item: QueueItem) -> str:
    """`dm_invite` in the language the classifier found, else the one the platform gave."""
    found = item.signals.language if item.signals is not None else None
    return dm_invite(found or item.post.lang)
