"""Outcomes for the service desk lead: summary, drill-down, CSV export (lead or admin)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from handoff.audit.dependencies import AuditDep
from handoff.deps import DbDep
from handoff.spreadsheet import csv_row

from . import facts, summary
from .dependencies import CurrentLead
from .outcomes import FIGURES

router = APIRouter(prefix="/api/insights", tags=["insights"])

MAX_DAYS = 400
Figure = Literal[
    "conversations",
    "self_solved",
    "self_solved_pending",
    "handed_to_agent",
    "tickets_opened",
    "first_contact_resolution",
    "escalated_to_level_2",
    "reopened",
    "rated",
]
assert set(get_args(Figure)) == set(FIGURES)


def period_of(
    since: Annotated[date, Query(description="first day, YYYY-MM-DD (UTC)")],
    until: Annotated[date, Query(description="last day, inclusive")],
) -> facts.Period:
    """The requested period, or 422 when it is backwards or too long."""
    if until < since:
        raise HTTPException(422, "until must not be before since")
    if (until - since).days >= MAX_DAYS:
        raise HTTPException(422, f"a period may span at most {MAX_DAYS} days")
    return facts.Period(since, until)


@router.get("/summary")
async def get_summary(lead: CurrentLead, db: DbDep, since: date, until: date) -> dict[str, Any]:
    """Every outcome figure for the conversations started in the period (until inclusive)."""
    return await summary.summary(db=db, period=period_of(since, until))


@router.get("/conversations")
async def drill_down(
    lead: CurrentLead,
    db: DbDep,
    since: date,
    until: date,
    figure: Figure = "conversations",
    language: str | None = None,
    category: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """The conversations a figure counts, optionally within one language, category or reason."""
    found = await facts.load(db=db, period=period_of(since, until))
    rows = summary.drill_down(
        found, figure=figure, language=language, category=category, reason=reason
    )
    return {"figure": figure, "count": len(rows), "conversations": rows}


@router.get("/conversations.csv")
async def export_csv(
    lead: CurrentLead, db: DbDep, audit: AuditDep, since: date, until: date
) -> Response:
    """One row per conversation started in the period (the export is audited)."""
    found = await facts.load(db=db, period=period_of(since, until))
    rows = [summary.row(c) for c in found]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=summary.CSV_FIELDS)
    writer.writeheader()
    writer.writerows(csv_row(r) for r in rows)
    name = f"conversations-{since.isoformat()}-{until.isoformat()}.csv"
    # Employee ids per conversation: personal data leaving the system.
    await audit(
        actor=f"user:{lead.username}", action="insights.export", target=name, rows=len(rows)
    )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
