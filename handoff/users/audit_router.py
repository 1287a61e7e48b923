"""The audit log for admins: filter, read, export as CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from handoff.audit import service
from handoff.deps import DbDep

from .dependencies import CurrentAdmin

router = APIRouter(prefix="/api/admin/audit", tags=["audit"])

Action = Annotated[str | None, Query(max_length=60, description='e.g. "login.failed" or "user."')]
Actor = Annotated[str | None, Query(max_length=120)]
Target = Annotated[str | None, Query(max_length=200)]
When = Annotated[datetime | None, Query()]
Limit = Annotated[int, Query(ge=1, le=10_000)]


@router.get("")
async def audit_events(
    admin: CurrentAdmin,
    db: DbDep,
    action: Action = None,
    actor: Actor = None,
    target: Target = None,
    since: When = None,
    until: When = None,
    limit: Limit = 200,
) -> dict[str, Any]:
    """Audit events, newest first."""
    events = await service.search(
        db=db, action=action, actor=actor, target=target, since=since, until=until, limit=limit
    )
    return {"events": [service.event_json(e) for e in events]}


@router.get("/export", response_class=Response)
async def export_audit(
    admin: CurrentAdmin,
    db: DbDep,
    action: Action = None,
    actor: Actor = None,
    target: Target = None,
    since: When = None,
    until: When = None,
    limit: Limit = 10_000,
) -> Response:
    """The filtered events as CSV (the export itself is audited)."""
    events = await service.search(
        db=db, action=action, actor=actor, target=target, since=since, until=until, limit=limit
    )
    await service.record(
        db=db, actor=f"user:{admin.username}", action="audit.export", detail={"rows": len(events)}
    )
    await db.commit()
    return Response(
        service.as_csv(events),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="audit.csv"'},
    )
