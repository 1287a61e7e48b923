"""Trends and spikes for the service desk lead (lead or admin)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from handoff.database import utcnow
from handoff.deps import DbDep

from . import trends
from .dependencies import CurrentLead
from .outcomes_router import period_of

router = APIRouter(prefix="/api/insights", tags=["insights"])


@router.get("/trends")
async def get_trends(lead: CurrentLead, db: DbDep, since: date, until: date) -> dict[str, Any]:
    """What employees asked about per week (articles, categories) and what did not help."""
    return await trends.trends(db=db, period=period_of(since, until))


@router.get("/spikes")
async def get_spikes(lead: CurrentLead, db: DbDep) -> dict[str, Any]:
    """Possible major incidents in the last hour, with the conversations behind them."""
    now = utcnow()
    return {"at": now.isoformat(), "spikes": await trends.current_spikes(db=db, now=now)}
