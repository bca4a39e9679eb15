"""The queue's live sentences in the reader's language: a card's first-response badge, when it
falls due, and who else has a post open. The queue (`triage.queue`) counts; these word it."""

from __future__ import annotations

from triage.queue import presence as presence_rows
from triage.queue.models import QueueItem, User
from triage.queue.service import QueueService
from triage.web.i18n import gettext as _
from triage.web.i18n import moment


def badge(queue: QueueService, item: QueueItem) -> tuple[str, str]:
    """(state, text) of the item's badge: `32m left`, `due soon · 9m left`, `breached · 1h
    5m over`, or the age of a post no longer open."""
    found = queue.badge(item)
    if found.kind == "over":
        return found.state, _("breached · %(span)s over") % {"span": found.span}
    if found.kind == "left":
        left = _("%(span)s left") % {"span": found.span}
        if found.state == "soon":
            return found.state, _("due soon · %(left)s") % {"left": left}
        return found.state, left
    return found.state, found.span or found.label


def due(queue: QueueService, item: QueueItem) -> str:
    """When an open item's first response falls due, in `sla.timezone`; "" if never."""
    when = queue.badge(item).due
    if when is None:
        return ""
    zone = queue.clock.zone
    return _("due %(when)s (%(zone)s)") % {"when": moment(when, zone), "zone": zone.key}


def presence(queue: QueueService, post_ids: list[int], user: User) -> dict[int, str]:
    """Per item, who else is there now: `bia is viewing · ana is replying`."""
    found = presence_rows.others(queue.engine, post_ids, user.name)
    words = {"viewing": _("%(name)s is viewing"), "replying": _("%(name)s is replying")}
    return {
        post_id: " · ".join(
            words.get(activity, "%(name)s") % {"name": name} for name, activity in people
        )
        for post_id, people in found.items()
    }
