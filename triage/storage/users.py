"""People and their web sessions, as rows (`triage.queue.users` has the rules: names, roles,
passwords, who may be disabled). Every function runs in the caller's transaction.

A session row holds the sha256 of the cookie's token, never the token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, select, update

from triage.storage.tables import users, web_sessions


def add(conn: Connection, *, name: str, role: str, password_hash: str, now: datetime) -> int:
    """A new active user; returns the id (`IntegrityError` when the name is taken)."""
    return int(
        conn.execute(
            users.insert()
            .values(
                name=name,
                role=role,
                password_hash=password_hash,
                active=True,
                failed_logins=0,
                created_at=now,
            )
            .returning(users.c.id)
        ).scalar_one()
    )


def by_name(conn: Connection, name: str) -> RowMapping | None:
    """The user's row (id, name, role, active, password_hash, ...)."""
    return conn.execute(select(users).where(users.c.name == name)).mappings().first()


def every(conn: Connection) -> list[RowMapping]:
    """Every user's row, by name."""
    return list(conn.execute(select(users).order_by(users.c.name)).mappings())


def password_hash(conn: Connection, name: str) -> str | None:
    return conn.execute(
        select(users.c.password_hash).where(users.c.name == name)
    ).scalar_one_or_none()


def set_password_hash(conn: Connection, user_id: int, hashed: str, *, unlock: bool) -> None:
    """A new hash; `unlock` also clears the account's failures and lock (a new password, not
    a rehash on log-in)."""
    values: dict[str, Any] = {"password_hash": hashed}
    if unlock:
        values.update(failed_logins=0, locked_until=None)
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def update_by_name(conn: Connection, name: str, **values: Any) -> bool:
    """Set columns of the named user; False when there is no such user."""
    done = conn.execute(update(users).where(users.c.name == name).values(**values))
    return bool(done.rowcount)


# --- sessions ---------------------------------------------------------------------------------


def add_session(
    conn: Connection,
    *,
    token_hash: str,
    user_id: int,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    """A new session, after deleting every session expired by `now`."""
    conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
    conn.execute(
        web_sessions.insert().values(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


def live_session(conn: Connection, token_hash: str, now: datetime) -> RowMapping | None:
    """The session with this token hash, unexpired at `now`, of an active user: the session's
    columns and the user's in one row."""
    return (
        conn.execute(
            select(web_sessions, users)
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(
                web_sessions.c.token_hash == token_hash,
                web_sessions.c.expires_at > now,
                users.c.active.is_(True),
            )
        )
        .mappings()
        .first()
    )


def end_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))


def end_sessions(conn: Connection, user_id: int, *, but: str | None = None) -> int:
    """End the user's sessions, except the one whose token hash is `but`; returns how many."""
    stmt = delete(web_sessions).where(web_sessions.c.user_id == user_id)
    if but is not None:
        stmt = stmt.where(web_sessions.c.token_hash != but)
    return int(conn.execute(stmt).rowcount or 0)
