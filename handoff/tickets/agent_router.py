"""Tickets for agents: lists, detail with the full log, changes, replies and notes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.audit import service as audit
from handoff.deps import DbDep, SettingsDep
from handoff.users.dependencies import CurrentAgent

from . import service
from .dependencies import TicketListenerDep, TicketOr404
from .priority import Sla
from .schemas import activity_json, ticket_json

router = APIRouter(prefix="/api/agent/tickets", tags=["agent console"])
Level = Literal["low", "medium", "high"]
Status = Literal["new", "in_progress", "on_hold", "resolved", "closed", "cancelled"]


class TicketChange(BaseModel):
    category: str | None = Field(default=None, max_length=40)
    impact: Level | None = None
    urgency: Level | None = None
    status: Status | None = None
    resolution: str = Field(default="", max_length=4000)


class TicketText(BaseModel):
    text: str = Field(min_length=1, max_length=8000)


def _actor(agent: Any) -> str:
    return f"agent:{agent.username}"


async def _audit(db: AsyncSession, agent: Any, action: str, ticket: Any, **detail: Any) -> None:
    await audit.record(
        db=db, actor=f"user:{agent.username}", action=action, target=ticket.number, detail=detail
    )


@router.get("")
async def list_tickets(
    agent: CurrentAgent,
    db: DbDep,
    status: Annotated[
        Status | Literal["open"] | None, Query(description="one status, or open")
    ] = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
    mine: Annotated[int, Query(ge=0, le=1)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Tickets, newest first, filtered."""
    rows = await service.search(
        db=db, status=status, level=level, assignee_id=agent.id if mine else None, limit=limit
    )
    return {"tickets": [{**ticket_json(t), "requester": t.requester_name} for t in rows]}


@router.get("/{number}")
async def ticket_detail(agent: CurrentAgent, ticket: TicketOr404, db: DbDep) -> dict[str, Any]:
    """A ticket with its whole activity log (internal entries included)."""
    log = await service.activities(db=db, ticket=ticket, public_only=False)
    return {**ticket_json(ticket, detail=True), "activity": [activity_json(a) for a in log]}


@router.patch("/{number}")
async def change_ticket(
    agent: CurrentAgent,
    ticket: TicketOr404,
    body: TicketChange,
    db: DbDep,
    settings: SettingsDep,
    listener: TicketListenerDep,
) -> dict[str, Any]:
    """Change category, impact, urgency (priority follows) or status; all logged."""
    try:
        await service.change(
            db=db,
            ticket=ticket,
            actor=_actor(agent),
            sla=Sla.of(settings),
            **body.model_dump(),
        )
    except service.InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    await _audit(db, agent, "ticket.change", ticket, **body.model_dump(exclude_defaults=True))
    await db.commit()
    await listener.changed(ticket)
    return ticket_json(ticket, detail=True)


@router.post("/{number}/reply")
async def reply(
    agent: CurrentAgent,
    ticket: TicketOr404,
    body: TicketText,
    db: DbDep,
    listener: TicketListenerDep,
) -> dict[str, Any]:
    """Answer the requester on the ticket; it also appears in their chat widget."""
    await service.reply(db=db, ticket=ticket, actor=_actor(agent), text=body.text)
    await _audit(db, agent, "ticket.reply", ticket)
    await db.commit()
    await listener.replied(ticket, agent.display_name, body.text)
    return ticket_json(ticket, detail=True)


@router.post("/{number}/notes")
async def ticket_note(
    agent: CurrentAgent, ticket: TicketOr404, body: TicketText, db: DbDep
) -> dict[str, Any]:
    """An internal note on the ticket (never shown to the requester)."""
    await service.note(db=db, ticket=ticket, actor=_actor(agent), text=body.text)
    await _audit(db, agent, "ticket.note", ticket)
    await db.commit()
    return ticket_json(ticket, detail=True)
