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
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from kernel.errors import InputError
from kernel.vocab import LOCALES
from triage.queue.models import Role, User
from triage.queue.passwords import MIN_PASSWORD, check_password
from triage.queue.throttle import LoginThrottle, account_key, address_key
from triage.storage import users as rows

_HASHER = PasswordHasher()
#: Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")
__all__ = ["MIN_PASSWORD", "LoginResult", "Session", "UserStore", "check_name"]
#: The one answer to a wrong name, a wrong password, a disabled account.
WRONG = "Wrong name or password."


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
    #: Failed log-ins from this address so far (the caller waits longer for each).
    address_failures: int = 0
    #: Minutes until a lock-out ends (0: not locked out), for a page that words `error` anew.
    locked_minutes: int = 0


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: object) -> User:
    r = row  # a RowMapping
    return User(
        id=r["id"],  # type: ignore[index]
        name=r["name"],  # type: ignore[index]
        role=Role(r["role"]),  # type: ignore[index]
        active=r["active"],  # type: ignore[index]
        locale=r.get("locale"),  # type: ignore[attr-defined]
    )


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise InputError(f"user name {name!r}: use 1-64 letters, digits, dots, dashes or _")
    return name


class UserStore:
    def __init__(
        self,
        engine: Engine,
        *,
        max_failures: int = 5,
        lockout_minutes: int = 15,
        max_address_failures: int = 10,
    ):
        self.engine = engine
        self.max_failures = max_failures
        self.lockout = timedelta(minutes=lockout_minutes)
        self.throttle = LoginThrottle(
            engine,
            account_failures=max_failures,
            address_failures=max_address_failures,
            max_lock=self.lockout,
        )

    def add(self, name: str, role: str, password: str) -> User:
        name = check_name(name)
        try:
            role_value = Role(role)
        except ValueError as exc:
            raise InputError(f"role {role!r}: one of {', '.join(r.value for r in Role)}") from exc
        check_password(name, password)
        try:
            with self.engine.begin() as conn:
                user_id = rows.add(
                    conn,
                    name=name,
                    role=role_value.value,
                    password_hash=_HASHER.hash(password),
                    now=datetime.now(UTC),
                )
        except IntegrityError as exc:
            raise InputError(f"user {name!r} already exists") from exc
        return User(id=int(user_id), name=name, role=role_value)

    def set_password(self, name: str, password: str, *, keep_session: str = "") -> int:
        """A new password (its owner's change or an admin's reset): every session of the
        user ends but `keep_session` (the owner's own, by its cookie token), and a lock on the
        account is lifted. Returns how many sessions ended."""
        check_password(name, password)
        user = self.get(name)
        if user is None:
            raise InputError(f"no user named {name!r}")
        with self.engine.begin() as conn:
            rows.set_password_hash(conn, user.id, _HASHER.hash(password), unlock=True)
            ended = rows.end_sessions(conn, user.id, but=_token_hash(keep_session))
        self.throttle.clear_account(name)
        return ended

    def check_password(self, name: str, password: str) -> bool:
        """Is `password` the user's current one (the change-password form asks for it)?"""
        with self.engine.connect() as conn:
            hashed = rows.password_hash(conn, name)
        return _verify(hashed or _DUMMY_HASH, password) and hashed is not None

    def set_active(self, name: str, active: bool, *, by: str = "") -> None:
        if not active:
            self._keep_an_admin(name, by, "disable")
        self._update(name, active=active)
        if not active:
            user = self.get(name)
            if user is not None:
                with self.engine.begin() as conn:
                    rows.end_sessions(conn, user.id)

    def set_role(self, name: str, role: str, *, by: str = "") -> None:
        try:
            value = Role(role).value
        except ValueError as exc:
            raise InputError(f"role {role!r}: one of {', '.join(r.value for r in Role)}") from exc
        if value != Role.ADMIN.value:
            self._keep_an_admin(name, by, "demote")
        self._update(name, role=value)

    def _keep_an_admin(self, name: str, by: str, what: str) -> None:
        """Refuse to disable or demote yourself, or the last active admin."""
        if by and name == by:
            raise InputError(f"{what} {name}: you cannot {what} yourself; ask another admin")
        user = self.get(name)
        if user is None or user.role is not Role.ADMIN or not user.active:
            return
        others = [u for u in self.all() if u.role is Role.ADMIN and u.active and u.name != name]
        if not others:
            raise InputError(f"{what} {name}: the last active admin; make another admin first")

    def _update(self, name: str, **values: object) -> None:
        with self.engine.begin() as conn:
            done = rows.update_by_name(conn, name, **values)
        if not done:
            raise InputError(f"no user named {name!r}")

    def set_locale(self, name: str, locale: str | None) -> None:
        """The person's web language (one of `kernel.vocab.LOCALES`), or None for the
        deployment's `locale` setting."""
        if locale is not None and locale not in LOCALES:
            raise InputError(f"language {locale[:20]!r}: expected one of {', '.join(LOCALES)}")
        self._update(name, locale=locale)

    def get(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = rows.by_name(conn, name)
        return _user(row) if row else None

    def all(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_user(r) for r in rows.every(conn)]

    def active_names(self) -> list[str]:
        return [u.name for u in self.all() if u.active]

    # --- logging in ---------------------------------------------------------------------------

    def authenticate(self, name: str, password: str, address: str = "") -> LoginResult:
        """Check a password, the client address's throttle first, then the account's lock.

        Unknown names, disabled accounts and wrong passwords get the same answer, cost the
        same argon2 verification and are counted alike (`triage.queue.throttle`), so neither
        the text nor the timing nor the lock-out says whether a name exists.
        """
        now = datetime.now(UTC)
        throttle = self.throttle
        lock = throttle.locked(address_key(address), now)
        if lock is not None:
            _verify(_DUMMY_HASH, password)
            return LoginResult(
                user=None,
                error=f"Too many failed logins: try again in {lock.minutes(now)} minute(s).",
                address_failures=throttle.failures(address_key(address)),
                locked_minutes=lock.minutes(now),
            )
        lock = throttle.locked(account_key(name), now)
        if lock is not None and not throttle.known(name, address):
            _verify(_DUMMY_HASH, password)
            # Still a failure of this address: hammering a locked account locks the address.
            failures = throttle.fail(address_key(address), throttle.address_failures, now)
            return LoginResult(
                user=None,
                error=f"Too many failed logins: try again in {lock.minutes(now)} minute(s).",
                address_failures=failures,
                locked_minutes=lock.minutes(now),
            )
        with self.engine.connect() as conn:
            row = rows.by_name(conn, name)
        hashed = row["password_hash"] if row is not None and row["active"] else None
        if not _verify(hashed or _DUMMY_HASH, password) or row is None or hashed is None:
            failures = throttle.failed(name, address, now)
            return LoginResult(user=None, error=WRONG, address_failures=failures)
        throttle.succeeded(name, address, now)
        if _HASHER.check_needs_rehash(row["password_hash"]):
            with self.engine.begin() as conn:
                rows.set_password_hash(conn, row["id"], _HASHER.hash(password), unlock=False)
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
            rows.add_session(
                conn,
                token_hash=_token_hash(token),
                user_id=user.id,
                csrf_token=session.csrf_token,
                now=now,
                expires_at=session.expires_at,
            )
        return token, session

    def session(self, token: str) -> Session | None:
        if not token or len(token) > 200:
            return None
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            row = rows.live_session(conn, _token_hash(token), now)
        if row is None:
            return None
        return Session(user=_user(row), csrf_token=row["csrf_token"], expires_at=row["expires_at"])

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            rows.end_session(conn, _token_hash(token))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
