"""The audit log page for admins: filter by action, actor, target and day; export as CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from handoff.audit import service as audit
from handoff.deps import DbDep

from .console import PageUser, console_page

router = APIRouter(prefix="/console")
PAGE_ROWS = 200


def _day_bounds(day: date | None) -> tuple[datetime | None, datetime | None]:
    if day is None:
        return None, None
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


@router.get("/audit")
async def audit_page(
    request: Request,
    user: PageUser,
    db: DbDep,
    action: Annotated[str, Query(max_length=60)] = "",
    actor: Annotated[str, Query(max_length=120)] = "",
    target: Annotated[str, Query(max_length=200)] = "",
    day: Annotated[date | None, Query()] = None,
) -> Response:
    """Who did what and when, newest first (admins)."""
    if user is None or not user.can("admin"):
        return console_page(request, user, "console/audit.html", role="admin")
    since, until = _day_bounds(day)
    events = await audit.search(
        db=db,
        action=action or None,
        actor=actor or None,
        target=target or None,
        since=since,
        until=until,
        limit=PAGE_ROWS,
    )
    filters = {"action": action, "actor": actor, "target": target, "since": since, "until": until}
    export = "/api/admin/audit/export?" + urlencode(
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in filters.items() if v}
    )
    return console_page(
        request,
        user,
        "console/audit.html",
        role="admin",
        active="audit",
        events=[audit.event_json(e) for e in events],
        filters={"action": action, "actor": actor, "target": target, "day": day or ""},
        export=export,
        rows=PAGE_ROWS,
    )
