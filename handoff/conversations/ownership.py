"""The ownership state machine: handoff, claim, write, release, hand-back, close, escalation.

Each transition checks who may do it, changes the conversation and its ticket, and logs it
on the ticket; storing system messages and pushing events is the flows' business.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket
from handoff.tickets.priority import Sla
from handoff.users.models import User

from . import store, ticketing, topics
from .models import Conversation, Message

HANDOFF_REASONS = ("requested", "low_confidence", "negative_feedback")


@dataclass(frozen=True)
class HandoffResult:
    conversation: Conversation
    ticket: Ticket
    changed: bool  # False when the conversation was already with the humans


async def to_queue(
    *, db: AsyncSession, conversation: Conversation, reason: str, category: str, sla: Sla
) -> HandoffResult:
    """Move a bot conversation into the agent queue with its topic's ticket (idempotent)."""
    if conversation.state == "closed":
        raise store.InvalidTransition("the conversation is closed")
    topic = await topics.current(db=db, conversation=conversation)
    ticket = await ticketing.ticket_for(
        db=db, conversation=conversation, topic=topic, category=category, actor="bot", sla=sla
    )
    if conversation.state in ("queued", "agent"):
        return HandoffResult(conversation, ticket, changed=False)
    if topic is not None and topic.state == "open":
        topic.state = "handed_off"
    conversation.state, conversation.queued_at = "queued", utcnow()
    conversation.handoff_reason = reason
    conversation.notified_unattended = False
    await ticket_service.log(
        db=db, ticket=ticket, actor="bot", kind="handoff", text=reason, public=False
    )
    return HandoffResult(conversation, ticket, changed=True)


class AlreadyClaimed(RuntimeError):
    """Someone else claimed the conversation first (or it is not queued any more)."""


class NotYourConversation(PermissionError):
    """Only the agent who owns the chat may do this."""


def ensure_owner(conversation: Conversation, agent: User) -> None:
    if conversation.state != "agent":
        raise store.InvalidTransition(f"the conversation is {conversation.state}, not live")
    if conversation.agent_id != agent.id and agent.role != "admin":
        raise NotYourConversation(conversation.id)


async def claim(*, db: AsyncSession, conversation_id: str, agent: User) -> Conversation:
    """Take a queued chat; exactly one of simultaneous claims wins (one atomic UPDATE)."""
    result = await db.execute(
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
        await db.rollback()
        await store.get(db=db, conversation_id=conversation_id)
        raise AlreadyClaimed(conversation_id)
    conversation = await store.get(db=db, conversation_id=conversation_id)
    await db.refresh(conversation)
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
        ticket.assignee_id, ticket.assignee_name = agent.id, agent.display_name
        ticket_service.mark_first_response(ticket)
        await ticket_service.log(
            db=db,
            ticket=ticket,
            actor=actor_of(agent),
            kind="assigned",
            text=agent.display_name,
        )
    return conversation


def actor_of(agent: User) -> str:
    return f"agent:{agent.username}"


async def write(
    *, db: AsyncSession, conversation: Conversation, agent: User, text: str, internal: bool
) -> Message:
    """An agent's reply (only the owner) or internal note, also logged on the ticket."""
    if not internal:
        ensure_owner(conversation, agent)
    message = await store.add_message(
        db=db,
        conversation=conversation,
        sender="agent",
        text=text,
        author=agent.display_name,
        internal=internal,
    )
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
        if not internal:
            ticket_service.mark_first_response(ticket)
        await ticket_service.log(
            db=db,
            ticket=ticket,
            actor=actor_of(agent),
            kind="note" if internal else "chat_reply",
            text=text,
            public=not internal,
        )
    return message


async def release(*, db: AsyncSession, conversation: Conversation, agent: User) -> None:
    """Give a live chat back to the queue (transfer to another agent)."""
    ensure_owner(conversation, agent)
    conversation.state, conversation.queued_at = "queued", utcnow()
    conversation.agent_id = conversation.agent_name = None
    conversation.notified_unattended = False
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
        ticket.assignee_id = ticket.assignee_name = None
        await ticket_service.log(db=db, ticket=ticket, actor=actor_of(agent), kind="released")


async def hand_back(*, db: AsyncSession, conversation: Conversation, agent: User) -> None:
    """Give a live chat back to the bot."""
    ensure_owner(conversation, agent)
    conversation.state = "bot"
    conversation.agent_id = conversation.agent_name = None
    conversation.topic_id = None  # the bot starts afresh: the next question is a new topic
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
        await ticket_service.log(db=db, ticket=ticket, actor=actor_of(agent), kind="handed_back")


def reopen(conversation: Conversation) -> None:
    """A closed chat continues with the bot (its tickets and topics stay linked)."""
    conversation.state = "bot"
    conversation.closed_at = conversation.close_reason = None
    conversation.agent_id = conversation.agent_name = None


def ensure_may_close(conversation: Conversation, agent: User) -> None:
    """Agents close their own live chats; admins any open one."""
    if conversation.state == "closed":
        raise store.InvalidTransition("the conversation is closed already")
    if agent.role == "admin":
        return
    if conversation.state != "agent":
        raise store.InvalidTransition(
            f"the conversation is {conversation.state}: claim it before closing it"
        )
    ensure_owner(conversation, agent)


async def close(
    *,
    db: AsyncSession,
    conversation: Conversation,
    agent: User,
    resolution: str,
    resolve_tickets: list[str] | None = None,
) -> list[Ticket]:
    """End the chat; with a resolution, resolve the chosen tickets of this conversation.

    By default that is the ticket the handoff was about, never another topic's ticket.
    """
    ensure_may_close(conversation, agent)
    chosen = await _tickets_to_resolve(db, conversation, resolve_tickets)
    conversation.state, conversation.closed_at = "closed", utcnow()
    conversation.close_reason = "resolved"
    if not resolution.strip():
        return []
    for ticket in chosen:
        await ticket_service.set_status(
            db=db, ticket=ticket, status="resolved", actor=actor_of(agent), resolution=resolution
        )
    return chosen


async def _tickets_to_resolve(
    db: AsyncSession, conversation: Conversation, numbers: list[str] | None
) -> list[Ticket]:
    if numbers is None:
        if conversation.ticket_id is None:
            return []
        return [await ticket_service.get(db=db, number=conversation.ticket_id)]
    chosen = []
    for number in numbers:
        ticket = await ticket_service.get(db=db, number=number)
        if ticket.conversation_id != conversation.id:
            raise store.InvalidTransition(f"{ticket.number} is not a ticket of this chat")
        if ticket.status not in ("resolved", "closed", "cancelled"):
            chosen.append(ticket)
    return chosen


async def escalate(
    *,
    db: AsyncSession,
    conversation: Conversation,
    agent: User,
    summary: str,
    level: int,
    sla: Sla,
) -> Ticket:
    """Pass the request to a higher support level with a summary; the chat ends."""
    ensure_owner(conversation, agent)
    if not summary.strip():
        raise store.InvalidTransition("an escalation needs a summary")
    topic = await topics.current(db=db, conversation=conversation)
    ticket = await ticketing.ticket_for(
        db=db,
        conversation=conversation,
        topic=topic,
        category="general",
        actor=actor_of(agent),
        sla=sla,
    )
    old = ticket.level
    ticket.level, ticket.assignee_id, ticket.assignee_name = level, None, None
    ticket_service.mark_first_response(ticket)
    await ticket_service.log(
        db=db,
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
