"""A conversation's tickets: opened from its transcript, classified through the knowledge base."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.attachments import service as attachment_service
from handoff.kb import service as kb_service
from handoff.kb.search import IndexUnavailable, LiveSearch
from handoff.tickets import priority as prio
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket
from handoff.tickets.priority import Sla
from handoff.tickets.schemas import TicketDraft
from kb_index import QueryError

from . import store
from .models import Conversation, Message, Topic

log = logging.getLogger(__name__)
# A hit this close is about the same subject, even if not close enough to answer with.
CATEGORY_MIN_SCORE = 0.45


@dataclass(frozen=True)
class Derived:
    """What a ticket drafted in the chat would get: subject, category, priority."""

    summary: str
    category: str
    impact: str
    urgency: str
    priority: int


def requester_of(conversation: Conversation) -> ticket_service.Requester:
    return ticket_service.Requester(
        conversation.employee_id, conversation.employee_name, conversation.employee_email
    )


async def derive_category(*, db: AsyncSession, search: LiveSearch, text: str) -> str:
    """Return the category of the article nearest to text, or "general".

    Ends the caller's transaction first: no database connection is held while the search
    waits for its threads (see Assistant.answer).
    """
    await db.commit()
    try:
        result = await search.search(text[:500], k=1)
    except (IndexUnavailable, QueryError) as exc:
        log.info("no category from search", extra={"error": str(exc)})
        return "general"
    if not result.hits or result.hits[0].score < CATEGORY_MIN_SCORE:
        return "general"
    return await kb_service.category_of(db=db, slug=result.hits[0].slug) or "general"


async def derive(*, db: AsyncSession, search: LiveSearch, draft: TicketDraft) -> Derived:
    """Fill in what the employee did not say: subject, category, priority."""
    category = draft.category or await derive_category(db=db, search=search, text=draft.description)
    return Derived(
        summary=draft.summary or ticket_service.propose_summary(draft.description),
        category=category,
        impact=draft.impact,
        urgency=draft.urgency,
        priority=prio.priority_of(draft.impact, draft.urgency),
    )


async def open_from_draft(
    *,
    db: AsyncSession,
    conversation: Conversation,
    topic: Topic | None,
    draft: TicketDraft,
    derived: Derived,
    sla: Sla,
) -> Ticket:
    """Open the ticket the employee described in the chat, with the transcript so far."""
    messages = await store.transcript(db=db, conversation_id=conversation.id)
    ticket = await ticket_service.create(
        db=db,
        requester=requester_of(conversation),
        description=draft.description,
        impact=draft.impact,
        urgency=draft.urgency,
        category=derived.category,
        summary=derived.summary,
        since=draft.since,
        conversation_id=conversation.id,
        transcript=store.transcript_snapshot(messages),
        sla=sla,
    )
    if topic is not None and topic.ticket_id is None:
        topic.ticket_id = ticket.id
    if conversation.ticket_id is None:
        conversation.ticket_id = ticket.id
    await attachment_service.link_to_ticket(
        db=db, conversation_id=conversation.id, ticket_id=ticket.id
    )
    return ticket


GENERIC_SUBJECT = {"de": "Chat mit dem IT Service Desk", "en": "Chat with the IT Service Desk"}


async def ticket_for(
    *,
    db: AsyncSession,
    conversation: Conversation,
    topic: Topic | None,
    category: str,
    actor: str,
    sla: Sla,
) -> Ticket:
    """Return the ticket of the topic (or of a chat without topics), opening one if needed.

    The subject says what the problem is (the topic's question), never the request for a
    person; the transcript is refreshed on the ticket either way. Without a topic, the chat's
    ticket is reused only if it is no topic's: a problem the employee called solved keeps its
    ticket out of a handoff about something else. A resolved ticket is reopened; a closed or
    cancelled one is final, and the problem gets a new ticket.
    """
    messages = await store.transcript(db=db, conversation_id=conversation.id)
    existing = topic.ticket_id if topic is not None else conversation.ticket_id
    if topic is None and existing is not None:
        owned = await db.scalar(select(Topic.id).where(Topic.ticket_id == existing).limit(1))
        existing = None if owned is not None else existing
    ticket = await ticket_service.get(db=db, number=existing) if existing is not None else None
    # A closed or cancelled ticket is final: the problem gets a new one (below).
    if ticket is not None and ticket.status not in ("closed", "cancelled"):
        if ticket.status == "resolved":  # the employee needs help with it again
            await ticket_service.reopen(db=db, ticket=ticket, actor=actor)
        ticket.transcript = store.transcript_snapshot(messages)
        conversation.ticket_id = ticket.id
        # Files of the chat that no ticket took yet go with it (to a person, to level 2).
        await attachment_service.link_to_ticket(
            db=db, conversation_id=conversation.id, ticket_id=ticket.id
        )
        return ticket
    said = await _said_about(db, conversation, topic, messages)
    subject = (
        ticket_service.propose_summary(topic.query)
        if topic is not None
        else GENERIC_SUBJECT.get(conversation.locale, GENERIC_SUBJECT["de"])
    )
    ticket = await ticket_service.create(
        db=db,
        requester=requester_of(conversation),
        description="\n".join(said) or subject,
        impact="low",
        urgency="medium",
        category=category,
        summary=subject,
        conversation_id=conversation.id,
        transcript=store.transcript_snapshot(messages),
        actor=actor,
        sla=sla,
    )
    if topic is not None:
        topic.ticket_id = ticket.id
    conversation.ticket_id = ticket.id
    await attachment_service.link_to_ticket(
        db=db, conversation_id=conversation.id, ticket_id=ticket.id
    )
    return ticket


async def _said_about(
    db: AsyncSession, conversation: Conversation, topic: Topic | None, messages: list[Message]
) -> list[str]:
    """The employee's words about the topic, for a ticket's description.

    From the topic's first question on: its own messages and the replies after them ("Das
    hat nicht geholfen"), not another topic's (a problem solved in between), and the newest
    message, the request itself ("…? Outlook geht immer noch nicht").
    """
    own = [m for m in messages if m.sender == "user" and not m.text.startswith("/")]
    if topic is None:
        return [m.text for m in own]
    about = await store.turn_topics(db=db, conversation_id=conversation.id)
    said, on_topic = [], True
    for message in own:
        if message.seq < topic.first_seq:
            continue
        if about.get(message.seq) is not None:  # a search: whose topic it was
            on_topic = about[message.seq] == topic.id
        if on_topic or message is own[-1]:
            said.append(message.text)
    return said


async def awaiting_reply(*, db: AsyncSession, conversation_id: str) -> Ticket | None:
    """The ticket of this conversation that waits for the employee's reply (on hold), if any."""
    return await db.scalar(
        select(Ticket)
        .where(Ticket.conversation_id == conversation_id, Ticket.status == "on_hold")
        .order_by(Ticket.updated_at.desc())
        .limit(1)
    )


async def of_conversation(*, db: AsyncSession, conversation_id: str) -> list[Ticket]:
    """Every ticket opened in this conversation, oldest first."""
    return list(
        await db.scalars(
            select(Ticket).where(Ticket.conversation_id == conversation_id).order_by(Ticket.id)
        )
    )
