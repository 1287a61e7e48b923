"""The Insights page for the service desk lead (a server-rendered shell over /api/insights)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from handoff.database import utcnow

from .console import PageUser, console_page

router = APIRouter(prefix="/console/insights")


@router.get("")
async def insights(request: Request, user: PageUser) -> Response:
    """Outcomes, satisfaction, trends and spikes of a period (lead or admin)."""
    until = utcnow().date()
    return console_page(
        request,
        user,
        "insights/index.html",
        role="lead",
        active="insights",
        since=(until - timedelta(days=27)).isoformat(),
        until=until.isoformat(),
    )
