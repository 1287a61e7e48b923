"""Tickets for agents: lists, detail with the full log, changes, replies and notes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from handoff.deps import SessionDep
from handoff.users.dependencies import CurrentAgent

from . import service
from .models import STATUSES, Ticket
from .schemas import ticket_json

router = APIRouter(prefix="/api/agent/tickets", tags=["agent console"])
Level = Literal["low", "medium", "high"]


class TicketChange(BaseModel):
    category: str | None = Field(default=None, max_length=40)
    impact: Level | None = None
    urgency: Level | None = None
    status: Literal["new", "in_progress", "on_hold", "resolved", "closed", "cancelled"] | None = (
        None
    )
    resolution: str = Field(default="", max_length=4000)


class TicketText(BaseModel):
    text: str = Field(min_length=1, max_length=8000)


async def _ticket(session: Any, number: str) -> Ticket:
    try:
        return await service.get(session=session, number=number)
    except service.TicketNotFound as exc:
        raise HTTPException(404, "no ticket with that number") from exc


@router.get("")
async def list_tickets(
    agent: CurrentAgent,
    session: SessionDep,
    status: Annotated[str | None, Query(description="one status, or 'open'")] = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    mine: Annotated[int, Query(ge=0, le=1)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Tickets, newest first, filtered."""
    query = select(Ticket)
    if status == "open":
        query = query.where(Ticket.status.in_(("new", "in_progress", "on_hold")))
    elif status:
        if status not in STATUSES:
            raise HTTPException(422, f"status must be one of {', '.join(STATUSES)} or open")
        query = query.where(Ticket.status == status)
    if level:
        query = query.where(Ticket.level == level)
    if mine:
        query = query.where(Ticket.assignee_id == agent.id)
    rows = await session.scalars(query.order_by(Ticket.id.desc()).limit(limit))
    return {"tickets": [{**ticket_json(t), "requester": t.requester_name} for t in rows]}


@router.get("/{number}")
async def ticket_detail(number: str, agent: CurrentAgent, session: SessionDep) -> dict[str, Any]:
    """A ticket with its whole activity log (internal entries included)."""
    ticket = await _ticket(session, number)
    log = await service.activities(session=session, ticket=ticket, public_only=False)
    return {
        **ticket_json(ticket, detail=True),
        "activity": [
            {
                "at": a.created_at.isoformat(),
                "actor": a.actor,
                "kind": a.kind,
                "text": a.text,
                "detail": a.detail,
                "public": a.public,
            }
            for a in log
        ],
    }


@router.patch("/{number}")
async def change_ticket(
    number: str, body: TicketChange, agent: CurrentAgent, session: SessionDep, request: Request
) -> dict[str, Any]:
    """Change category, impact, urgency (priority follows) or status; all logged."""
    ticket = await _ticket(session, number)
    actor = f"agent:{agent.username}"
    try:
        await service.classify(
            session=session,
            ticket=ticket,
            actor=actor,
            category=body.category,
            impact=body.impact,
            urgency=body.urgency,
        )
        if body.status:
            await service.set_status(
                session=session,
                ticket=ticket,
                status=body.status,
                actor=actor,
                resolution=body.resolution,
            )
    except service.InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    await session.commit()
    await request.app.state.ticket_updates.changed(ticket)
    return ticket_json(ticket, detail=True)


@router.post("/{number}/reply")
async def reply(
    number: str, body: TicketText, agent: CurrentAgent, session: SessionDep, request: Request
) -> dict[str, Any]:
    """Answer the requester on the ticket; it also appears in their chat widget."""
    ticket = await _ticket(session, number)
    await service.log(
        session=session,
        ticket=ticket,
        actor=f"agent:{agent.username}",
        kind="reply",
        text=body.text,
        public=True,
    )
    service.mark_first_response(ticket)
    await session.commit()
    await request.app.state.ticket_updates.replied(ticket, agent, body.text)
    return ticket_json(ticket, detail=True)


@router.post("/{number}/notes")
async def ticket_note(
    number: str, body: TicketText, agent: CurrentAgent, session: SessionDep
) -> dict[str, Any]:
    """An internal note on the ticket (never shown to the requester)."""
    ticket = await _ticket(session, number)
    await service.log(
        session=session,
        ticket=ticket,
        actor=f"agent:{agent.username}",
        kind="note",
        text=body.text,
        public=False,
    )
    await session.commit()
    return ticket_json(ticket, detail=True)
