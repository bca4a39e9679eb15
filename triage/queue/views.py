"""A row of a view as the queue's record.

What a view is in SQL (the base select, each view's condition, the filters and search) is
`triage.storage.queue_views`; `triage.storage.queue_reads` pages and runs it; the queue turns
its rows into `QueueItem`s here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from triage.queue.models import Claim, ItemStatus, QueueItem
from triage.storage.codec import decision_from_row, signals_from_json
from triage.storage.store import stored_post_from_row


def item_from_row(row: Any, now: datetime) -> QueueItem:
    """A row of `queue_views.base()` as the queue's record (a claim past its time is no
    claim)."""
    stored = stored_post_from_row(row)
    claim = None
    if row["claimed_by"] and row["claim_expires_at"] and row["claim_expires_at"] > now:
        claim = Claim(by=row["claimed_by"], until=row["claim_expires_at"])
    return QueueItem(
        post_id=stored.id,
        post=stored.post,
        fetched_by=row["fetched_by"],
        decision_id=row["decision_id"],
        decision=decision_from_row(row),
        signals=signals_from_json(row["signals"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        status=ItemStatus(row["item_status"]),
        claim=claim,
        assigned_to=row["assigned_to"],
        text=_redact(stored.post.text),
    )


def _redact(text: str) -> str:
    from classifiers.sensitive import redact

    return redact(text)
