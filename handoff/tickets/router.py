"""Tickets for employees: their own, with the public history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from handoff.auth.dependencies import CurrentEmployee
from handoff.deps import DbDep

from . import service
from .schemas import activity_json, ticket_json

router = APIRouter(prefix="/api/tickets", tags=["tickets"])


@router.get("")
async def my_tickets(
    employee: CurrentEmployee,
    db: DbDep,
    open_only: Annotated[int, Query(alias="open", ge=0, le=1, description="1: only open")] = 0,
) -> dict[str, Any]:
    """The calling employee's tickets, newest first."""
    tickets = await service.list_for_requester(
        db=db, requester_id=employee.id, open_only=bool(open_only)
    )
    return {"tickets": [ticket_json(t) for t in tickets]}


@router.get("/{number}")
async def my_ticket(number: str, employee: CurrentEmployee, db: DbDep) -> dict[str, Any]:
    """One of the caller's tickets, with its public history (404 for someone else's too)."""
    try:
        ticket = await service.get_for_requester(db=db, number=number, requester_id=employee.id)
    except (service.TicketNotFound, service.NotYourTicket) as exc:
        # The same answer either way: which numbers exist is nobody else's business.
        raise HTTPException(404, "no ticket with that number") from exc
    history = await service.activities(db=db, ticket=ticket, public_only=True)
    return {
        **ticket_json(ticket, detail=True),
        "history": [activity_json(a, staff=False) for a in history],
    }
