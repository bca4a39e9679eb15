"""The audit log's one write: who did what, to which post, with what detail (JSON)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from triage.storage.tables import audit_log


def write_audit(
    conn: Connection,
    actor: str,
    action: str,
    post_id: int | None,
    detail: Mapping[str, Any] | None = None,
    *,
    when: datetime | None = None,
) -> int:
    """Append one entry in `conn`'s transaction (at `when`, default now); returns its id."""
    return int(
        conn.execute(
            audit_log.insert()
            .values(
                at=when or datetime.now(UTC),
                actor=actor,
                action=action,
                post_id=post_id,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            )
            .returning(audit_log.c.id)
        ).scalar_one()
    )
