"""Spike alerts: stored once per kind, scope and hour; listed; marked as delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from triage.storage.tables import alerts


@dataclass(frozen=True, kw_only=True, slots=True)
class Alert:
    kind: str
    scope: str
    bucket_start: datetime
    posts: int
    negative: int
    baseline: float
    score: float
    post_ids: tuple[int, ...]
    id: int | None = None
    created_at: datetime | None = None
    emailed_at: datetime | None = None
    webhook_at: datetime | None = None
    last_error: str | None = None


class AlertStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    def add(self, alert: Alert) -> Alert | None:
        """Store a new alert; None when this kind, scope and hour already has one."""
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        now = datetime.now(UTC)
        stmt = (
            insert(alerts)
            .values(
                kind=alert.kind,
                scope=alert.scope,
                bucket_start=alert.bucket_start,
                posts=alert.posts,
                negative=alert.negative,
                baseline=float(alert.baseline),
                score=float(alert.score),
                post_ids=list(alert.post_ids),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["kind", "scope", "bucket_start"])
            .returning(alerts.c.id)
        )
        with self.engine.begin() as conn:
            new_id = conn.execute(stmt).scalar_one_or_none()
        if new_id is None:
            return None
        return _alert(self._row(int(new_id)))

    def last_bucket(self, kind: str, scope: str) -> datetime | None:
        """The hour of the newest alert of this kind and scope, for the cooldown."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(func.max(alerts.c.bucket_start)).where(
                    alerts.c.kind == kind, alerts.c.scope == scope
                )
            ).scalar_one_or_none()
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def recent(self, limit: int = 50, since: datetime | None = None) -> list[Alert]:
        stmt = select(alerts).order_by(alerts.c.bucket_start.desc(), alerts.c.id.desc())
        if since is not None:
            stmt = stmt.where(alerts.c.bucket_start >= since)
        with self.engine.connect() as conn:
            return [_alert(row) for row in conn.execute(stmt.limit(limit)).mappings()]

    def mark(self, alert_id: int, *, channel: str | None, error: str | None = None) -> None:
        """`channel` (`email` / `webhook`) delivered now; or record the last error."""
        values: dict[str, Any] = {"last_error": error} if error else {}
        if channel:
            values[f"{'emailed' if channel == 'email' else 'webhook'}_at"] = datetime.now(UTC)
        if values:
            with self.engine.begin() as conn:
                conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))

    def _row(self, alert_id: int) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().one()


def _alert(row: Any) -> Alert:
    return Alert(
        id=int(row["id"]),
        kind=row["kind"],
        scope=row["scope"],
        bucket_start=row["bucket_start"],
        posts=int(row["posts"]),
        negative=int(row["negative"]),
        baseline=float(row["baseline"]),
        score=float(row["score"]),
        post_ids=tuple(int(i) for i in row["post_ids"] or ()),
        created_at=row["created_at"],
        emailed_at=row["emailed_at"],
        webhook_at=row["webhook_at"],
        last_error=row["last_error"],
    )
