"""Ownership changes: handoff, claim, release, hand-back, close and escalation."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket
from handoff.users.models import User

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


class AlreadyClaimed(RuntimeError):
    """Someone else claimed the conversation first (or it is not queued any more)."""


class NotYourConversation(PermissionError):
    """Only the agent who owns the chat may do this."""


def ensure_owner(conversation: Conversation, agent: User) -> None:
    if conversation.state != "agent":
        raise service.InvalidTransition(f"the conversation is {conversation.state}, not live")
    if conversation.agent_id != agent.id and agent.role != "admin":
        raise NotYourConversation(conversation.id)


async def claim(*, session: AsyncSession, conversation_id: str, agent: User) -> Conversation:
    """Take a queued chat; exactly one of simultaneous claims wins (one atomic UPDATE)."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == "queued")
        .values(
            state="agent",
            agent_id=agent.id,
            agent_name=agent.display_name,
            claimed_at=utcnow(),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.rollback()
        await service.get(session=session, conversation_id=conversation_id)
        raise AlreadyClaimed(conversation_id)
    conversation = await service.get(session=session, conversation_id=conversation_id)
    await session.refresh(conversation)
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(session=session, number=conversation.ticket_id)
        ticket.assignee_id, ticket.assignee_name = agent.id, agent.display_name
        ticket_service.mark_first_response(ticket)
        await ticket_service.log(
            session=session,
            ticket=ticket,
            actor=actor_of(agent),
            kind="assigned",
            text=agent.display_name,
        )
    return conversation


def actor_of(agent: User) -> str:
    return f"agent:{agent.username}"


async def release(*, session: AsyncSession, conversation: Conversation, agent: User) -> None:
    """Give a live chat back to the queue (transfer to another agent)."""
    ensure_owner(conversation, agent)
    conversation.state, conversation.queued_at = "queued", utcnow()
    conversation.agent_id = conversation.agent_name = None
    conversation.notified_unattended = False
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(session=session, number=conversation.ticket_id)
        ticket.assignee_id = ticket.assignee_name = None
        await ticket_service.log(
            session=session, ticket=ticket, actor=actor_of(agent), kind="released"
        )


async def hand_back(*, session: AsyncSession, conversation: Conversation, agent: User) -> None:
    """Give a live chat back to the bot."""
    ensure_owner(conversation, agent)
    conversation.state = "bot"
    conversation.agent_id = conversation.agent_name = None
    conversation.kb_failures = 0
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(session=session, number=conversation.ticket_id)
        await ticket_service.log(
            session=session, ticket=ticket, actor=actor_of(agent), kind="handed_back"
        )


async def close(
    *,
    session: AsyncSession,
    conversation: Conversation,
    agent: User,
    resolution: str,
    reason: str = "resolved",
) -> Ticket | None:
    """End the chat; with a resolution the ticket is resolved."""
    if conversation.state == "closed":
        raise service.InvalidTransition("the conversation is closed already")
    if conversation.state == "agent":
        ensure_owner(conversation, agent)
    conversation.state, conversation.closed_at = "closed", utcnow()
    conversation.close_reason = reason
    ticket = None
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(session=session, number=conversation.ticket_id)
        if resolution.strip() and reason == "resolved":
            await ticket_service.set_status(
                session=session,
                ticket=ticket,
                status="resolved",
                actor=actor_of(agent),
                resolution=resolution,
            )
    return ticket


async def escalate(
    *,
    session: AsyncSession,
    conversation: Conversation,
    agent: User,
    summary: str,
    level: int = 2,
) -> Ticket:
    """Pass the request to a higher support level with a summary; the chat ends."""
    ensure_owner(conversation, agent)
    if not summary.strip():
        raise service.InvalidTransition("an escalation needs a summary")
    ticket = await ticket_for(
        session=session, conversation=conversation, category="general", actor=actor_of(agent)
    )
    old = ticket.level
    ticket.level, ticket.assignee_id, ticket.assignee_name = level, None, None
    ticket_service.mark_first_response(ticket)
    await ticket_service.log(
        session=session,
        ticket=ticket,
        actor=actor_of(agent),
        kind="escalated",
        text=summary,
        public=True,
        old=old,
        new=level,
    )
    conversation.state, conversation.closed_at = "closed", utcnow()
    conversation.close_reason = "escalated"
    return ticket
