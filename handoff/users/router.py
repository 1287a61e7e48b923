"""Login and logout for staff, and account administration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from handoff.audit import service as audit
from handoff.deps import DbDep, SettingsDep

from . import service
from .dependencies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AccountOr404,
    CurrentAdmin,
    CurrentStaff,
    LimiterDep,
    client_address,
)
from .models import User
from .schemas import Login, PasswordChange, RoleChange, UserCreate, UserRead

router = APIRouter(prefix="/api/auth", tags=["accounts"])
admin = APIRouter(prefix="/api/admin/users", tags=["accounts"])


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
    }


@router.post("/login", responses={429: {"description": "too many failed logins"}})
async def login(
    body: Login,
    request: Request,
    response: Response,
    db: DbDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> dict[str, Any]:
    """Check the password; set the session cookie and return a bearer token for API use."""
    address = client_address(request)
    who = {"username": body.username, "address": address}
    refused = await limiter.check(**who)
    if refused is not None:
        raise HTTPException(
            429,
            "too many failed logins; try again later",
            headers={"Retry-After": str(refused.retry_after)},
        )
    user = await service.authenticate(db=db, username=body.username, password=body.password)
    if user is None:
        await limiter.failed(**who)
        await audit.record(
            db=db, actor=f"address:{address}", action="login.failed", target=body.username[:80]
        )
        await db.commit()
        raise HTTPException(401, "wrong username or password")
    cookie, csrf, token = await service.start_login(db=db, user=user)
    await audit.record(db=db, actor=f"user:{user.username}", action="login", detail=who)
    await db.commit()
    secure = settings.public_url.startswith("https://")
    max_age = service.SESSION_HOURS * 3600
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return {"token": token, "csrf_token": csrf, "user": user_json(user)}


@router.post("/logout", status_code=204)
async def logout(request: Request, response: Response, staff: CurrentStaff, db: DbDep) -> None:
    """End this login: its cookie and its bearer token, whichever of them is presented."""
    for token in (
        request.cookies.get(SESSION_COOKIE),
        request.headers.get("authorization", "").removeprefix("Bearer ").strip(),
    ):
        if token:
            await service.end_session(db=db, token=token)
    await db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/me")
async def me(staff: CurrentStaff) -> dict[str, Any]:
    return user_json(staff.user)


@router.post(
    "/password",
    responses={
        400: {"description": "the current password is wrong"},
        422: {"description": "the new password does not meet the policy"},
        429: {"description": "too many failed attempts"},
    },
)
async def change_password(
    body: PasswordChange, request: Request, staff: CurrentStaff, db: DbDep, limiter: LimiterDep
) -> dict[str, int]:
    """Change your own password. The login used for this (its cookie and bearer token)
    stays; every other login of the account ends (`ended` says how many credentials)."""
    user = await db.get(User, staff.user.id)
    if user is None:
        raise HTTPException(401, "login required")
    try:
        ended = await service.change_own_password(
            db=db,
            limiter=limiter,
            user=user,
            keep=staff.login,
            address=client_address(request),
            current=body.current_password,
            new=body.new_password,
            via="api",
        )
    except service.TooManyAttempts as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    except service.WrongPassword as exc:
        raise HTTPException(400, str(exc)) from exc
    except service.InvalidUser as exc:
        raise HTTPException(422, str(exc)) from exc
    await db.commit()
    return {"ended": ended}


@admin.get("", response_model=list[UserRead])
async def list_users(user: CurrentAdmin, db: DbDep) -> list[User]:
    return list(await db.scalars(select(User).order_by(User.username)))


@admin.post("", response_model=UserRead, status_code=201)
async def create_user(body: UserCreate, user: CurrentAdmin, db: DbDep) -> User:
    try:
        created = await service.create_user(
            db=db,
            username=body.username,
            password=body.password,
            role=body.role,
            display_name=body.display_name,
        )
    except service.UserExists as exc:
        raise HTTPException(409, "that username is taken") from exc
    except service.InvalidUser as exc:
        raise HTTPException(422, str(exc)) from exc
    await _audit(db, user, "user.create", created, role=created.role)
    await db.commit()
    return created


def _not_yourself(admin_user: User, account: User) -> None:
    # An admin locking themselves out needs another admin to undo it: so another admin does it.
    if account.id == admin_user.id:
        raise HTTPException(409, "change your own account through another admin (or log out)")


async def _audit(db: DbDep, admin: User, action: str, account: User, **detail: Any) -> None:
    await audit.record(
        db=db, actor=f"user:{admin.username}", action=action, target=account.username, detail=detail
    )


@admin.post("/{username}/disable", response_model=UserRead)
async def disable_user(admin_user: CurrentAdmin, account: AccountOr404, db: DbDep) -> User:
    """Disable the account and end every login of it at once."""
    _not_yourself(admin_user, account)
    await service.set_active(db=db, user=account, active=False)
    await _audit(db, admin_user, "user.disable", account)
    await db.commit()
    return account


@admin.post("/{username}/enable", response_model=UserRead)
async def enable_user(admin_user: CurrentAdmin, account: AccountOr404, db: DbDep) -> User:
    """Enable the account again (it logs in anew)."""
    await service.set_active(db=db, user=account, active=True)
    await _audit(db, admin_user, "user.enable", account)
    await db.commit()
    return account


@admin.post("/{username}/role", response_model=UserRead)
async def change_role(
    body: RoleChange, admin_user: CurrentAdmin, account: AccountOr404, db: DbDep
) -> User:
    """Change the role; the account's logins end."""
    if account.id == admin_user.id and body.role != "admin":
        raise HTTPException(409, "you cannot take the admin role from yourself")
    old = account.role
    await service.set_role(db=db, user=account, role=body.role)
    await _audit(db, admin_user, "user.role", account, old=old, new=body.role)
    await db.commit()
    return account


@admin.post("/{username}/reset-password")
async def reset_password(
    admin_user: CurrentAdmin, account: AccountOr404, db: DbDep
) -> dict[str, str]:
    """Set a generated password (shown this once) and end every login of the account."""
    _not_yourself(admin_user, account)
    password = await service.set_password(db=db, user=account)
    await _audit(db, admin_user, "user.reset_password", account)
    await db.commit()
    return {"username": account.username, "password": password}


@admin.post("/{username}/revoke")
async def revoke_sessions(
    admin_user: CurrentAdmin, account: AccountOr404, db: DbDep
) -> dict[str, int]:
    """End every login (cookies and bearer tokens) of the account."""
    _not_yourself(admin_user, account)
    ended = await service.revoke_all(db=db, user=account)
    await _audit(db, admin_user, "user.revoke", account, ended=ended)
    await db.commit()
    return {"revoked": ended}
