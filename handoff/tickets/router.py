"""Tickets for employees (their own), and the action server's internal ticket calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.auth.dependencies import CurrentEmployee, ServiceOnly
from handoff.conversations import service as conversation_service
from handoff.conversations.models import Conversation
from handoff.deps import SearchDep, SessionDep

from . import priority as prio
from . import service
from .classify import derive_category
from .schemas import TicketDraft, ticket_json

router = APIRouter(prefix="/api/tickets", tags=["tickets"])
internal = APIRouter(
    prefix="/api/internal/tickets", tags=["internal (action server)"], dependencies=ServiceOnly
)


@router.get("")
async def my_tickets(
    employee: CurrentEmployee,
    session: SessionDep,
    mine: Annotated[int, Query(description="1: the caller's tickets (the only choice)")] = 1,
    open: Annotated[int, Query(description="1: only open tickets")] = 0,
) -> dict[str, Any]:
    """The calling employee's tickets, newest first."""
    tickets = await service.list_for_requester(
        session=session, requester_id=employee.id, open_only=bool(open)
    )
    return {"tickets": [ticket_json(t) for t in tickets]}


@router.get("/{number}")
async def my_ticket(number: str, employee: CurrentEmployee, session: SessionDep) -> dict[str, Any]:
    """One of the caller's tickets, with its public history (403 for someone else's)."""
    try:
        ticket = await service.get_for_requester(
            session=session, number=number, requester_id=employee.id
        )
    except service.TicketNotFound as exc:
        raise HTTPException(404, "no ticket with that number") from exc
    except service.NotYourTicket as exc:
        raise HTTPException(403, "this ticket belongs to someone else") from exc
    history = await service.activities(session=session, ticket=ticket, public_only=True)
    return {
        **ticket_json(ticket, detail=True),
        "history": [
            {"at": a.created_at.isoformat(), "kind": a.kind, "text": a.text} for a in history
        ],
    }


async def _conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    try:
        return await conversation_service.get(session=session, conversation_id=conversation_id)
    except conversation_service.ConversationNotFound as exc:
        raise HTTPException(404, "unknown conversation") from exc


async def _derive(session: AsyncSession, search: Any, draft: TicketDraft) -> dict[str, Any]:
    category = draft.category or await derive_category(
        session=session, search=search, text=draft.description
    )
    summary = draft.summary or service.propose_summary(draft.description)
    return {
        "summary": summary,
        "category": category,
        "impact": draft.impact,
        "urgency": draft.urgency,
        "priority": prio.priority_of(draft.impact, draft.urgency),
    }


@internal.post("/preview")
async def preview(draft: TicketDraft, session: SessionDep, search: SearchDep) -> dict[str, Any]:
    """What the ticket would look like: summary, category, priority (nothing stored)."""
    conversation = await _conversation(session, draft.conversation_id)
    derived = await _derive(session, search, draft)
    return {**derived, "priority_label": prio.label(derived["priority"], conversation.locale)}


@internal.post("", status_code=201)
async def create(draft: TicketDraft, session: SessionDep, search: SearchDep) -> dict[str, Any]:
    """Open the ticket with the transcript so far, linked to the conversation."""
    conversation = await _conversation(session, draft.conversation_id)
    derived = await _derive(session, search, draft)
    messages = await conversation_service.transcript(
        session=session, conversation_id=conversation.id
    )
    ticket = await service.create(
        session=session,
        requester=service.Requester(
            conversation.employee_id, conversation.employee_name, conversation.employee_email
        ),
        description=draft.description,
        impact=draft.impact,
        urgency=draft.urgency,
        category=derived["category"],
        summary=derived["summary"],
        since=draft.since,
        conversation_id=conversation.id,
        transcript=conversation_service.transcript_snapshot(messages),
    )
    if conversation.ticket_id is None:
        conversation.ticket_id = ticket.id
    await session.commit()
    return ticket_json(ticket, conversation.locale)


@internal.get("/{number}")
async def status(
    number: str,
    session: SessionDep,
    conversation_id: Annotated[str, Query()],
) -> dict[str, Any]:
    """A ticket of the conversation's employee (403 for someone else's, 404 unknown)."""
    conversation = await _conversation(session, conversation_id)
    try:
        ticket = await service.get_for_requester(
            session=session, number=number, requester_id=conversation.employee_id
        )
    except service.TicketNotFound as exc:
        raise HTTPException(404, "no ticket with that number") from exc
    except service.NotYourTicket as exc:
        raise HTTPException(403, "this ticket belongs to someone else") from exc
    return ticket_json(ticket, conversation.locale)


@internal.get("")
async def employee_tickets(
    session: SessionDep,
    conversation_id: Annotated[str, Query()],
    open: Annotated[int, Query(ge=0, le=1, description="1: only open tickets")] = 1,
) -> dict[str, Any]:
    """The conversation's employee's tickets (open ones by default)."""
    conversation = await _conversation(session, conversation_id)
    tickets = await service.list_for_requester(
        session=session, requester_id=conversation.employee_id, open_only=bool(open)
    )
    return {"tickets": [ticket_json(t, conversation.locale) for t in tickets]}
