"""Staff authentication: session cookie (+ CSRF header on changes) or bearer token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.deps import DbDep, OpenDbDep

from . import service
from .models import AuthSession, User
from .ratelimit import LoginLimiter

SESSION_COOKIE = "helpdesk_session"
CSRF_COOKIE = "helpdesk_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

bearer = HTTPBearer(auto_error=False)


@dataclass(frozen=True)
class Staff:
    user: User
    via: str  # cookie | bearer
    login: AuthSession | None = None  # the credential presented


async def current_staff(
    request: Request,
    open_db: OpenDbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Staff:
    """The logged-in staff member (401), with the CSRF token checked for cookie changes."""
    if credentials is not None:
        found = await _lookup(open_db, credentials.credentials, "bearer")
        if found is None:
            raise HTTPException(
                401, "invalid or expired staff token", headers={"WWW-Authenticate": "Bearer"}
            )
        return Staff(found[0], "bearer", found[1])
    token = request.cookies.get(SESSION_COOKIE)
    found = await _lookup(open_db, token, "cookie") if token else None
    if found is None:
        raise HTTPException(401, "login required")
    user, auth = found
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent, auth.csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token")
    return Staff(user, "cookie", auth)


async def _lookup(
    open_db: async_sessionmaker[AsyncSession], token: str, kind: str
) -> tuple[User, AuthSession] | None:
    # A short database session of its own: the request's connection is not held while it runs.
    async with open_db() as db:
        return await service.session_user(db=db, token=token, kind=kind)


def _require(role: str):  # type: ignore[no-untyped-def]
    async def check(staff: Annotated[Staff, Depends(current_staff)]) -> User:
        if not staff.user.can(role):
            raise HTTPException(403, f"this needs the {role} role")
        return staff.user

    return check


CurrentStaff = Annotated[Staff, Depends(current_staff)]
CurrentAgent = Annotated[User, Depends(_require("agent"))]
CurrentEditor = Annotated[User, Depends(_require("editor"))]
CurrentAdmin = Annotated[User, Depends(_require("admin"))]


def get_limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


async def account_or_404(username: str, db: DbDep) -> User:
    """The account named in the path, in the request's database session (404 otherwise)."""
    try:
        return await service.by_username(db=db, username=username)
    except service.UserNotFound as exc:
        raise HTTPException(404, "no account with that username") from exc


LimiterDep = Annotated[LoginLimiter, Depends(get_limiter)]
AccountOr404 = Annotated[User, Depends(account_or_404)]


def client_address(request: Request) -> str:
    """The client's address (behind a trusted proxy, the one it forwarded): login limits."""
    return request.client.host if request.client else "unknown"
