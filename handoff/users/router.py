"""Login and logout for staff, and account administration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from handoff.deps import DbDep, SettingsDep

from . import service
from .dependencies import CSRF_COOKIE, SESSION_COOKIE, CurrentAdmin, CurrentStaff
from .models import User
from .schemas import Login, UserCreate, UserRead

router = APIRouter(prefix="/api/auth", tags=["accounts"])
admin = APIRouter(prefix="/api/admin/users", tags=["accounts"])


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
    }


@router.post("/login")
async def login(
    body: Login, response: Response, db: DbDep, settings: SettingsDep
) -> dict[str, Any]:
    """Check the password; set the session cookie and return a bearer token for API use."""
    user = await service.authenticate(db=db, username=body.username, password=body.password)
    if user is None:
        raise HTTPException(401, "wrong username or password")
    cookie, csrf = await service.start_session(db=db, user=user, kind="cookie")
    token, _ = await service.start_session(db=db, user=user, kind="bearer")
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
    """End this login (cookie and the bearer token presented)."""
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
    await db.commit()
    return created
