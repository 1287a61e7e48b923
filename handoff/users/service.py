"""Accounts, password checks (Argon2), login sessions and presence."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow

from .models import ROLES, AgentPresence, AuthSession, User

_hasher = PasswordHasher()
SESSION_HOURS = 12
PRESENCE_SECONDS = 45
MIN_PASSWORD = 10


class UserExists(ValueError):
    """That username is taken."""


class InvalidUser(ValueError):
    """Bad role, username or password."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    *, session: AsyncSession, username: str, password: str, role: str, display_name: str = ""
) -> User:
    """Create an account; passwords need at least MIN_PASSWORD characters."""
    username = username.strip().lower()
    if role not in ROLES:
        raise InvalidUser(f"role must be one of {', '.join(ROLES)}")
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise InvalidUser("a username is letters, digits, '.', '-' or '_'")
    if len(password) < MIN_PASSWORD:
        raise InvalidUser(f"the password needs at least {MIN_PASSWORD} characters")
    if await session.scalar(select(User).where(User.username == username)):
        raise UserExists(f"the username {username!r} is taken")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(*, session: AsyncSession, username: str, password: str) -> User | None:
    """Return the active user with that password, or None (same time either way)."""
    user = await session.scalar(select(User).where(User.username == username.strip().lower()))
    candidate = user.password_hash if user else _DUMMY_HASH
    try:
        _hasher.verify(candidate, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


_DUMMY_HASH = _hasher.hash("not-a-real-password")


async def start_session(*, session: AsyncSession, user: User, kind: str) -> tuple[str, str]:
    """Open a login session; return (token, csrf token). Only the token's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        AuthSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            kind=kind,
            csrf_token=csrf,
            expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
        )
    )
    await session.flush()
    return token, csrf


async def session_user(
    *, session: AsyncSession, token: str, kind: str | None = None
) -> tuple[User, AuthSession] | None:
    """Return the user and session for a token, if valid and not expired."""
    auth = await session.get(AuthSession, _token_hash(token))
    if auth is None or auth.expires_at < utcnow() or (kind and auth.kind != kind):
        return None
    user = await session.get(User, auth.user_id)
    if user is None or not user.active:
        return None
    return user, auth


async def end_session(*, session: AsyncSession, token: str) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


async def admin_exists(*, session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count(User.id)).where(User.role == "admin")))


async def heartbeat(*, session: AsyncSession, connection_id: str, user: User) -> None:
    """Mark an agent console connection as alive."""
    row = await session.get(AgentPresence, connection_id)
    if row is None:
        session.add(
            AgentPresence(
                connection_id=connection_id, user_id=user.id, display_name=user.display_name
            )
        )
    else:
        row.last_seen = utcnow()
    await session.commit()


async def leave(*, session: AsyncSession, connection_id: str) -> None:
    await session.execute(delete(AgentPresence).where(AgentPresence.connection_id == connection_id))
    await session.commit()


async def agents_online(*, session: AsyncSession) -> int:
    """How many distinct agents have a live console connection."""
    since = utcnow() - timedelta(seconds=PRESENCE_SECONDS)
    count = await session.scalar(
        select(func.count(func.distinct(AgentPresence.user_id))).where(
            AgentPresence.last_seen >= since
        )
    )
    return int(count or 0)
