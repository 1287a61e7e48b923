"""Agent console pages (server-rendered shells; the data comes from the agent API)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from handoff.deps import OpenDbDep
from handoff.users import service as user_service
from handoff.users.dependencies import SESSION_COOKIE
from handoff.users.models import User

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


def _console_page(
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
    return _console_page(request, user, "console/chats.html", active="chats")


@router.get("/tickets")
async def tickets(request: Request, user: PageUser) -> Response:
    """The tickets list with filters."""
    return _console_page(request, user, "console/tickets.html", active="tickets")


@router.get("/tickets/{number}")
async def ticket(number: str, request: Request, user: PageUser) -> Response:
    """One ticket: fields, activity log, reply and note."""
    return _console_page(request, user, "console/ticket.html", active="tickets", number=number)


@router.get("/canned")
async def canned(request: Request, user: PageUser) -> Response:
    """Edit the canned responses (admins)."""
    return _console_page(request, user, "console/canned.html", role="admin", active="canned")
