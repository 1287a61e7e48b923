"""Accounts, password checks (Argon2), login sessions and presence."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.audit import service as audit
from handoff.database import utcnow

from . import passwords
from .models import ROLES, AgentPresence, AuthSession, User
from .ratelimit import LoginLimiter

_hasher = PasswordHasher()
SESSION_HOURS = 12
PRESENCE_SECONDS = 45
MIN_PASSWORD = passwords.MIN_LENGTH


class UserExists(ValueError):
    """That username is taken."""


class InvalidUser(ValueError):
    """Bad role, username or password."""


class UserNotFound(LookupError):
    """No account with that username."""


class WrongPassword(ValueError):
    """The current password given for a change is not the account's."""


class TooManyAttempts(RuntimeError):
    """Too many failed password checks for the account or the address; wait retry_after s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed attempts; try again later")
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, so that both cases take the same time."""
    return _hasher.hash("not-a-real-password")


def _verify(candidate: str, password: str) -> bool:
    try:
        return _hasher.verify(candidate, password)
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    *, db: AsyncSession, username: str, password: str, role: str, display_name: str = ""
) -> User:
    """Create an account; the password must pass the policy (passwords.check)."""
    username = username.strip().lower()
    if role not in ROLES:
        raise InvalidUser(f"role must be one of {', '.join(ROLES)}")
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise InvalidUser("a username is letters, digits, '.', '-' or '_'")
    _check_password(password, username)
    if await db.scalar(select(User).where(User.username == username)):
        raise UserExists(f"the username {username!r} is taken")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        # Argon2 takes ~100 ms of CPU: off the event loop, so other requests go on.
        password_hash=await asyncio.to_thread(hash_password, password),
    )
    db.add(user)
    await db.flush()
    return user


async def authenticate(*, db: AsyncSession, username: str, password: str) -> User | None:
    """Return the active user with that password, or None (same time either way)."""
    user = await db.scalar(select(User).where(User.username == username.strip().lower()))
    candidate = user.password_hash if user else await asyncio.to_thread(_dummy_hash)
    if not await asyncio.to_thread(_verify, candidate, password):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(hash_password, password)
    user.last_login_at = utcnow()
    return user


def _check_password(password: str, username: str) -> None:
    try:
        passwords.check(password, username=username)
    except passwords.WeakPassword as exc:
        raise InvalidUser(str(exc)) from exc


async def start_session(
    *, db: AsyncSession, user: User, kind: str, login_id: str | None = None
) -> tuple[str, str]:
    """Open a login session; return (token, csrf token). Only the token's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    db.add(
        AuthSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            kind=kind,
            login_id=login_id,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
        )
    )
    await db.flush()
    return token, csrf


async def start_login(*, db: AsyncSession, user: User) -> tuple[str, str, str]:
    """One login: (cookie, csrf token, bearer token), ended together by end_session."""
    login_id = secrets.token_hex(16)
    cookie, csrf = await start_session(db=db, user=user, kind="cookie", login_id=login_id)
    bearer, _ = await start_session(db=db, user=user, kind="bearer", login_id=login_id)
    return cookie, csrf, bearer


async def session_user(
    *, db: AsyncSession, token: str, kind: str | None = None
) -> tuple[User, AuthSession] | None:
    """Return the user and login session for a token, if valid and not expired."""
    auth = await db.get(AuthSession, _token_hash(token))
    if auth is None or auth.expires_at < utcnow() or (kind and auth.kind != kind):
        return None
    user = await db.get(User, auth.user_id)
    if user is None or not user.active:
        return None
    return user, auth


async def end_session(*, db: AsyncSession, token: str) -> None:
    """End the login this token belongs to: its cookie and its bearer token."""
    auth = await db.get(AuthSession, _token_hash(token))
    if auth is None:
        return
    same = AuthSession.token_hash == auth.token_hash
    if auth.login_id:
        same = same | (AuthSession.login_id == auth.login_id)
    await db.execute(delete(AuthSession).where(same))


async def revoke_all(*, db: AsyncSession, user: User) -> int:
    """End every login of the account; return how many credentials ended."""
    result = await db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


async def end_other_logins(*, db: AsyncSession, user: User, keep: AuthSession | None) -> int:
    """End every login of the account but `keep`'s (its cookie and bearer token stay)."""
    others = AuthSession.user_id == user.id
    if keep is not None:
        others &= AuthSession.token_hash != keep.token_hash
        if keep.login_id:
            others &= (AuthSession.login_id != keep.login_id) | AuthSession.login_id.is_(None)
    result = await db.execute(delete(AuthSession).where(others))
    return int(getattr(result, "rowcount", 0) or 0)


async def change_own_password(
    *,
    db: AsyncSession,
    limiter: LoginLimiter,
    user: User,
    keep: AuthSession | None,
    address: str,
    current: str,
    new: str,
    via: str,
) -> int:
    """A staff member's own change; return how many of their other credentials ended.

    The current password is checked like a login (a wrong one counts towards the login
    limit of the account and the address, and is audited and committed at once), the new
    one against the policy. The login the change is made with stays; every other login
    (cookies and bearer tokens) ends. Audited as `user.password_change` (`via`: api,
    console); the caller commits.
    """
    who = {"username": user.username, "address": address}
    refused = await limiter.check(**who)
    if refused is not None:
        raise TooManyAttempts(refused.retry_after)
    actor = f"user:{user.username}"
    if not await asyncio.to_thread(_verify, user.password_hash, current):
        await limiter.failed(**who)
        await audit.record(
            db=db,
            actor=actor,
            action="user.password_change.failed",
            target=user.username,
            detail={"via": via},
        )
        await db.commit()
        raise WrongPassword("the current password is wrong")
    if new == current:
        raise InvalidUser("the new password must differ from the current one")
    _check_password(new, user.username)
    user.password_hash = await asyncio.to_thread(hash_password, new)
    ended = await end_other_logins(db=db, user=user, keep=keep)
    await audit.record(
        db=db,
        actor=actor,
        action="user.password_change",
        target=user.username,
        detail={"via": via, "ended": ended},
    )
    await db.flush()
    return ended


async def by_username(*, db: AsyncSession, username: str) -> User:
    """The account with that username, or UserNotFound."""
    user = await db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise UserNotFound(username)
    return user


async def set_active(*, db: AsyncSession, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends every login at once."""
    user.active = active
    if not active:
        await revoke_all(db=db, user=user)
    await db.flush()


async def set_role(*, db: AsyncSession, user: User, role: str) -> None:
    """Change the account's role (its logins end: they were granted for the old role)."""
    if role not in ROLES:
        raise InvalidUser(f"role must be one of {', '.join(ROLES)}")
    user.role = role
    await revoke_all(db=db, user=user)
    await db.flush()


async def set_password(*, db: AsyncSession, user: User, password: str | None = None) -> str:
    """Set a new password (a generated one if none is given), end every login; return it."""
    password = password or passwords.generate()
    _check_password(password, user.username)
    user.password_hash = await asyncio.to_thread(hash_password, password)
    await revoke_all(db=db, user=user)
    await db.flush()
    return password


async def admin_exists(*, db: AsyncSession) -> bool:
    return bool(await db.scalar(select(func.count(User.id)).where(User.role == "admin")))


async def heartbeat(*, db: AsyncSession, connection_id: str, user: User) -> None:
    """Mark an agent console connection as alive."""
    row = await db.get(AgentPresence, connection_id)
    if row is None:
        db.add(
            AgentPresence(
                connection_id=connection_id, user_id=user.id, display_name=user.display_name
            )
        )
    else:
        row.last_seen = utcnow()
    await db.commit()


async def leave(*, db: AsyncSession, connection_id: str) -> None:
    await db.execute(delete(AgentPresence).where(AgentPresence.connection_id == connection_id))
    await db.commit()


async def agents_online(*, db: AsyncSession) -> int:
    """How many distinct agents have a live console connection."""
    since = utcnow() - timedelta(seconds=PRESENCE_SECONDS)
    count = await db.scalar(
        select(func.count(func.distinct(AgentPresence.user_id))).where(
            AgentPresence.last_seen >= since
        )
    )
    return int(count or 0)
