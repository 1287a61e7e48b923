"""Agent console pages (server-rendered shells; the data comes from the agent API)."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.audit import service as audit
from handoff.deps import DbDep, OpenDbDep
from handoff.users import service as user_service
from handoff.users.dependencies import SESSION_COOKIE, client_address
from handoff.users.models import ROLES, AuthSession, User

from .rendering import page

router = APIRouter(prefix="/console")
HOME = "/console"
EDITOR_HOME = "/editor"  # the knowledge editor shares this login


async def page_user(request: Request, open_db: OpenDbDep) -> User | None:
    """The staff member of the session cookie, or None (pages redirect instead of 401)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    async with open_db() as db:
        found = await user_service.session_user(db=db, token=token, kind="cookie")
    return found[0] if found else None


PageUser = Annotated[User | None, Depends(page_user)]


def safe_next(target: str | None) -> str:
    """Only a console or editor path may follow a login (no open redirect)."""
    if not target or not target.startswith((HOME, EDITOR_HOME)) or "//" in target or "\\" in target:
        return HOME
    return target


def _to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?next={quote(here, safe='/')}", status_code=303)


def console_page(
    request: Request, user: User | None, template: str, role: str = "agent", **context: object
) -> Response:
    if user is None:
        return _to_login(request)
    if not user.can(role):
        return page(
            request, "console/forbidden.html", {"user": user, "role": role}, status_code=403
        )
    return page(request, template, {"user": user, **context})


@router.get("/login")
async def login(request: Request, user: PageUser, next: str | None = None) -> Response:
    """The login form; staff already logged in go straight on if they may see the target."""
    target = safe_next(next)
    if user is not None and user.can("editor" if target.startswith(EDITOR_HOME) else "agent"):
        return RedirectResponse(target, status_code=303)
    return page(request, "console/login.html", {"next": target})


@router.get("")
async def chats(request: Request, user: PageUser) -> Response:
    """Queue, my chats and the chat view with its context."""
    return console_page(request, user, "console/chats.html", active="chats")


@router.get("/tickets")
async def tickets(request: Request, user: PageUser) -> Response:
    """The tickets list with filters."""
    return console_page(request, user, "console/tickets.html", active="tickets")


@router.get("/tickets/{number}")
async def ticket(number: str, request: Request, user: PageUser) -> Response:
    """One ticket: fields, activity log, reply and note."""
    return console_page(request, user, "console/ticket.html", active="tickets", number=number)


@router.get("/canned")
async def canned(request: Request, user: PageUser) -> Response:
    """Edit the canned responses (admins)."""
    return console_page(request, user, "console/canned.html", role="admin", active="canned")


@router.get("/privacy")
async def privacy(request: Request, user: PageUser) -> Response:
    """Export or erase one employee's personal data (admins; the privacy API does the work)."""
    return console_page(request, user, "console/privacy.html", role="admin", active="privacy")


async def _cookie_login(request: Request, db: AsyncSession) -> tuple[User, AuthSession] | None:
    """The user and login of the session cookie, loaded in the request's database session."""
    token = request.cookies.get(SESSION_COOKIE)
    return await user_service.session_user(db=db, token=token, kind="cookie") if token else None


# --- your account (every staff member; a plain form, like the staff page) ---


async def _account_page(request: Request, user: User, csrf: str, **notice: str) -> Response:
    # Like the staff page, a refused change is shown on the page itself (status 200).
    context = {"user": user, "csrf": csrf, "active": "account", **notice}
    return page(request, "console/account.html", context)


@router.get("/account")
async def account(request: Request, db: DbDep) -> Response:
    """Your account: change your own password."""
    found = await _cookie_login(request, db)
    if found is None:
        return _to_login(request)
    return await _account_page(request, found[0], found[1].csrf_token)


@router.post("/account/password")
async def account_password(
    request: Request,
    db: DbDep,
    csrf: Annotated[str, Form(max_length=100)],
    current_password: Annotated[str, Form(max_length=200)],
    new_password: Annotated[str, Form(max_length=200)],
    repeat_password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Change your own password; this login stays, every other one ends."""
    found = await _cookie_login(request, db)
    if found is None:
        raise HTTPException(401, "login required")
    user, auth = found
    if not hmac.compare_digest(csrf, auth.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token")
    if new_password != repeat_password:
        return await _account_page(request, user, auth.csrf_token, error="the new passwords differ")
    try:
        ended = await user_service.change_own_password(
            db=db,
            limiter=request.app.state.login_limiter,
            user=user,
            keep=auth,
            address=client_address(request),
            current=current_password,
            new=new_password,
            via="console",
        )
    except (
        user_service.TooManyAttempts,
        user_service.WrongPassword,
        user_service.InvalidUser,
    ) as exc:
        return await _account_page(request, user, auth.csrf_token, error=str(exc))
    await db.commit()
    done = f"password changed; {ended} other logins ended" if ended else "password changed"
    return await _account_page(request, user, auth.csrf_token, done=done)


# --- staff administration (admins; plain forms, so the page needs no script) ---

StaffAction = Literal["disable", "enable", "role", "reset-password", "revoke"]
# The audit log names these changes as the admin API does.
AUDITED = {"reset-password": "reset_password"}


async def _admin_login(request: Request, db: AsyncSession) -> tuple[User, AuthSession] | None:
    found = await _cookie_login(request, db)
    return found if found and found[0].can("admin") else None


async def _staff_page(
    request: Request, db: AsyncSession, admin: User, csrf: str, **notice: str
) -> Response:
    users = list(await db.scalars(select(User).order_by(User.username)))
    context = {"users": users, "roles": ROLES, "csrf": csrf, "active": "staff", **notice}
    return page(request, "console/staff.html", {"user": admin, **context})


@router.get("/staff")
async def staff(request: Request, user: PageUser, db: DbDep) -> Response:
    """Staff accounts (admins): create, disable or enable, role, password, sessions."""
    found = await _admin_login(request, db) if user and user.can("admin") else None
    if found is None:
        return console_page(request, user, "console/staff.html", role="admin")
    return await _staff_page(request, db, found[0], found[1].csrf_token)


@router.post("/staff")
async def staff_create(
    request: Request,
    db: DbDep,
    csrf: Annotated[str, Form(max_length=100)],
    username: Annotated[str, Form(max_length=80)],
    role: Annotated[str, Form(max_length=10)],
    password: Annotated[str, Form(max_length=200)],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create an account from the form."""
    admin, auth = await _checked(request, db, csrf)
    try:
        created = await user_service.create_user(
            db=db, username=username, password=password, role=role, display_name=display_name
        )
    except (user_service.InvalidUser, user_service.UserExists) as exc:
        return await _staff_page(request, db, admin, auth.csrf_token, error=str(exc))
    await audit.record(
        db=db, actor=f"user:{admin.username}", action="user.create", target=created.username
    )
    await db.commit()
    return await _staff_page(request, db, admin, auth.csrf_token, done=f"created {username}")


@router.post("/staff/{username}/{action}")
async def staff_change(
    username: str,
    action: StaffAction,
    request: Request,
    db: DbDep,
    csrf: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Apply one change to an account; a reset password is shown on this page only."""
    admin, auth = await _checked(request, db, csrf)
    try:
        account = await user_service.by_username(db=db, username=username)
        said = await _apply(db, admin, account, action, role)
    except (user_service.UserNotFound, user_service.InvalidUser, ValueError) as exc:
        return await _staff_page(request, db, admin, auth.csrf_token, error=str(exc))
    await audit.record(
        db=db,
        actor=f"user:{admin.username}",
        action=f"user.{AUDITED.get(action, action)}",
        target=account.username,
    )
    await db.commit()
    if action == "reset-password":
        return await _staff_page(request, db, admin, auth.csrf_token, password=said, of=username)
    return await _staff_page(request, db, admin, auth.csrf_token, done=said)


async def _checked(request: Request, db: AsyncSession, csrf: str) -> tuple[User, AuthSession]:
    found = await _admin_login(request, db)
    if found is None:
        raise HTTPException(403, "this needs the admin role")
    if not hmac.compare_digest(csrf, found[1].csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token")
    return found


async def _apply(db: AsyncSession, admin: User, account: User, action: str, role: str) -> str:
    if account.id == admin.id and action != "enable":
        raise ValueError("change your own account through another admin")
    if action in ("disable", "enable"):
        await user_service.set_active(db=db, user=account, active=action == "enable")
        return f"{account.username} {action}d"
    if action == "role":
        await user_service.set_role(db=db, user=account, role=role)
        return f"{account.username} is now {role}"
    if action == "reset-password":
        return await user_service.set_password(db=db, user=account)
    ended = await user_service.revoke_all(db=db, user=account)
    return f"ended {ended} logins of {account.username}"
