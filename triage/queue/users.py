"""People: accounts with argon2id password hashes, login lock-out, server-side sessions.

Sessions are rows, not signed cookies: logging out, disabling a user or changing a role takes
effect on the next request, there is no signing key to generate, share between `run --serve`
and `serve`, or rotate, and the cookie carries only a random token whose sha256 is stored (a
copy of the table cannot be replayed as a login).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from kernel.errors import InputError
from triage.queue.models import Role, User
from triage.storage.tables import users, web_sessions

_HASHER = PasswordHasher()
#: Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")
MIN_PASSWORD = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class LoginResult:
    user: User | None
    #: One line for the login form when `user` is None (never says whether the name exists).
    error: str | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: object) -> User:
    r = row  # a RowMapping
    return User(id=r["id"], name=r["name"], role=Role(r["role"]), active=r["active"])  # type: ignore[index]


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise InputError(f"user name {name!r}: use 1-64 letters, digits, dots, dashes or _")
    return name


class UserStore:
    def __init__(self, engine: Engine, *, max_failures: int = 5, lockout_minutes: int = 15):
        self.engine = engine
        self.max_failures = max_failures
        self.lockout = timedelta(minutes=lockout_minutes)

    def add(self, name: str, role: str, password: str) -> User:
        name = check_name(name)
        try:
            role_value = Role(role)
        except ValueError as exc:
            raise InputError(f"role {role!r}: one of {', '.join(r.value for r in Role)}") from exc
        if len(password) < MIN_PASSWORD:
            raise InputError(f"password for {name}: at least {MIN_PASSWORD} characters")
        try:
            with self.engine.begin() as conn:
                user_id = conn.execute(
                    users.insert()
                    .values(
                        name=name,
                        role=role_value.value,
                        password_hash=_HASHER.hash(password),
                        active=True,
                        failed_logins=0,
                        created_at=datetime.now(UTC),
                    )
                    .returning(users.c.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise InputError(f"user {name!r} already exists") from exc
        return User(id=int(user_id), name=name, role=role_value)

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise InputError(f"password for {name}: at least {MIN_PASSWORD} characters")
        self._update(name, password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None)

    def set_active(self, name: str, active: bool) -> None:
        self._update(name, active=active)
        if not active:
            user = self.get(name)
            if user is not None:
                with self.engine.begin() as conn:
                    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user.id))

    def set_role(self, name: str, role: str) -> None:
        try:
            self._update(name, role=Role(role).value)
        except ValueError as exc:
            raise InputError(f"role {role!r}: one of {', '.join(r.value for r in Role)}") from exc

    def _update(self, name: str, **values: object) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(update(users).where(users.c.name == name).values(**values))
        if not done.rowcount:
            raise InputError(f"no user named {name!r}")

    def get(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
        return _user(row) if row else None

    def all(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(users).order_by(users.c.name)).mappings()]

    def active_names(self) -> list[str]:
        return [u.name for u in self.all() if u.active]

    # --- logging in ---------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> LoginResult:
        """Check a password; `max_failures` wrong ones in a row lock the account for a while."""
        now = datetime.now(UTC)
        generic = LoginResult(user=None, error="Wrong name or password.")
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
        if row is None or not row["active"]:
            _verify(_DUMMY_HASH, password)
            return generic
        if row["locked_until"] and row["locked_until"] > now:
            _verify(_DUMMY_HASH, password)
            minutes = int((row["locked_until"] - now).total_seconds() // 60) + 1
            return LoginResult(
                user=None,
                error=f"Too many failed logins: try again in {minutes} minute(s).",
            )
        if not _verify(row["password_hash"], password):
            failures = row["failed_logins"] + 1
            locked = now + self.lockout if failures >= self.max_failures else None
            with self.engine.begin() as conn:
                conn.execute(
                    update(users)
                    .where(users.c.id == row["id"])
                    .values(failed_logins=0 if locked else failures, locked_until=locked)
                )
            return generic
        values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if _HASHER.check_needs_rehash(row["password_hash"]):
            values["password_hash"] = _HASHER.hash(password)
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row["id"]).values(**values))
        return LoginResult(user=_user(row))

    # --- sessions -----------------------------------------------------------------------------

    def start_session(self, user: User, *, hours: float) -> tuple[str, Session]:
        """A new session: returns the cookie token (only ever held by the browser) and it."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        session = Session(
            user=user, csrf_token=secrets.token_urlsafe(32), expires_at=now + timedelta(hours=hours)
        )
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
            conn.execute(
                web_sessions.insert().values(
                    token_hash=_token_hash(token),
                    user_id=user.id,
                    csrf_token=session.csrf_token,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return token, session

    def session(self, token: str) -> Session | None:
        if not token or len(token) > 200:
            return None
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(web_sessions, users)
                    .join(users, users.c.id == web_sessions.c.user_id)
                    .where(
                        web_sessions.c.token_hash == _token_hash(token),
                        web_sessions.c.expires_at > now,
                        users.c.active.is_(True),
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Session(user=_user(row), csrf_token=row["csrf_token"], expires_at=row["expires_at"])

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(web_sessions).where(web_sessions.c.token_hash == _token_hash(token))
            )


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
