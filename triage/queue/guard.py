"""Who may do what to an item in its current state: the rules every action checks inside its
own transaction, on the row it has locked (`QueueWrites.lock`).

- Answering (reply, DM) needs the caller's claim: an unclaimed item is claimed by the answer
  itself, atomically; another person's live claim needs an explicit take-over, which is
  recorded (`take_over`, naming whom) so the claimant sees it.
- Answering a post that is already answered (from the queue, a dry run, a DM, or by the brand
  on the platform), ignored or escalated needs an explicit "answer again".
- Claim and ignore act on open items only, escalate on open or answered ones (a reply that
  promises a ticket, then the ticket); someone else's live claim stops an agent (a lead may
  act over it, and that is recorded like a take-over).
"""

from __future__ import annotations

from datetime import datetime

from kernel.errors import Conflict
from triage.queue.models import ItemStatus, QueueItem, User
from triage.queue.writes import ItemState

ANSWERS = frozenset({"reply", "dm"})
#: The states an action may start from (others: any).
ALLOWED = {
    "claim": (ItemStatus.OPEN,),
    "ignore": (ItemStatus.OPEN,),
    "escalate": (ItemStatus.OPEN, ItemStatus.ANSWERED),
    "undo": (ItemStatus.IGNORED, ItemStatus.ESCALATED),
}


def check(
    item: QueueItem,
    state: ItemState,
    user: User,
    action: str,
    *,
    now: datetime,
    sent_before: bool = False,
    take_over: bool = False,
    again: bool = False,
) -> str | None:
    """Raise `Conflict` when `user` may not do `action` now; returns the person whose claim
    the action overrides (to be recorded), if any."""
    post_id = item.post_id
    status = item.status
    if action in ANSWERS:
        done = status is not ItemStatus.OPEN or sent_before
        if done and not again:
            what = "answered" if status in (ItemStatus.OPEN, ItemStatus.ANSWERED) else status.value
            raise Conflict(
                f"post {post_id} is already {what}; send anyway only with 'answer again'",
                answered=True,
            )
    elif status not in ALLOWED.get(action, tuple(ItemStatus)):
        raise Conflict(f"post {post_id} is {status.value} already", answered=True)
    elif action == "reopen" and status is ItemStatus.OPEN:
        raise Conflict(f"post {post_id} is open already")
    claimant = state.claimant(now)
    if claimant is None or claimant == user.name:
        return None
    until = f"{state.claim_expires_at:%H:%M} UTC" if state.claim_expires_at else ""
    if action in ANSWERS or action == "claim":
        if take_over or (action == "claim" and user.is_lead):
            return claimant
        raise Conflict(
            f"post {post_id} is claimed by {claimant} until {until}; take it over to answer",
            claimant=claimant,
        )
    if user.is_lead:
        return claimant
    raise Conflict(f"post {post_id} is claimed by {claimant} until {until}", claimant=claimant)
