"""Ownership changes: bot -> queued (handoff), with the ticket that keeps the transcript."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket

from . import service
from .models import Conversation

HANDOFF_REASONS = ("requested", "low_confidence", "negative_feedback")


@dataclass(frozen=True)
class HandoffResult:
    conversation: Conversation
    ticket: Ticket
    changed: bool  # False when the conversation was already with the humans


async def ticket_for(
    *, session: AsyncSession, conversation: Conversation, category: str, actor: str
) -> Ticket:
    """Return the conversation's ticket, opening one with the transcript if there is none."""
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(session=session, number=conversation.ticket_id)
        messages = await service.transcript(session=session, conversation_id=conversation.id)
        ticket.transcript = service.transcript_snapshot(messages)
        return ticket
    said = await service.employee_messages(session=session, conversation_id=conversation.id)
    description = "\n".join(said) or "Chat with the IT assistant"
    messages = await service.transcript(session=session, conversation_id=conversation.id)
    ticket = await ticket_service.create(
        session=session,
        requester=ticket_service.Requester(
            conversation.employee_id, conversation.employee_name, conversation.employee_email
        ),
        description=description,
        impact="low",
        urgency="medium",
        category=category,
        summary=ticket_service.propose_summary(said[-1] if said else description),
        conversation_id=conversation.id,
        transcript=service.transcript_snapshot(messages),
        actor=actor,
    )
    conversation.ticket_id = ticket.id
    return ticket


async def to_queue(
    *, session: AsyncSession, conversation: Conversation, reason: str, category: str
) -> HandoffResult:
    """Move a bot conversation into the agent queue with a ticket (idempotent)."""
    if conversation.state in ("queued", "agent"):
        ticket = await ticket_for(
            session=session, conversation=conversation, category=category, actor="bot"
        )
        return HandoffResult(conversation, ticket, changed=False)
    if conversation.state == "closed":
        raise service.InvalidTransition("the conversation is closed")
    ticket = await ticket_for(
        session=session, conversation=conversation, category=category, actor="bot"
    )
    conversation.state, conversation.queued_at = "queued", utcnow()
    conversation.handoff_reason = reason
    conversation.notified_unattended = False
    await ticket_service.log(
        session=session, ticket=ticket, actor="bot", kind="handoff", text=reason, public=False
    )
    return HandoffResult(conversation, ticket, changed=True)
