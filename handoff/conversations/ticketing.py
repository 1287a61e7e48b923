"""A conversation's tickets: opened from its transcript, classified through the knowledge base."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.config import SlaTable
from handoff.kb import service as kb_service
from handoff.kb.search import IndexUnavailable, LiveSearch
from handoff.tickets import priority as prio
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket
from handoff.tickets.schemas import TicketDraft
from kb_index import QueryError

from . import store
from .models import Conversation

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
    """Return the category of the article nearest to text, or "general"."""
    try:
        result = await search.search(text[:500], k=1)
    except (IndexUnavailable, QueryError) as exc:
        log.info("no category from search", extra={"error": str(exc)})
        return "general"
    if not result.hits or result.hits[0].score < CATEGORY_MIN_SCORE:
        return "general"
    return await kb_service.category_of(session=db, slug=result.hits[0].slug) or "general"


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
    draft: TicketDraft,
    derived: Derived,
    sla: SlaTable,
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
    if conversation.ticket_id is None:
        conversation.ticket_id = ticket.id
    return ticket


async def ticket_for(
    *, db: AsyncSession, conversation: Conversation, category: str, actor: str, sla: SlaTable
) -> Ticket:
    """Return the conversation's ticket, opening one with the transcript if there is none."""
    messages = await store.transcript(db=db, conversation_id=conversation.id)
    if conversation.ticket_id is not None:
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
        ticket.transcript = store.transcript_snapshot(messages)
        return ticket
    said = await store.employee_messages(db=db, conversation_id=conversation.id)
    description = "\n".join(said) or "Chat with the IT assistant"
    ticket = await ticket_service.create(
        db=db,
        requester=requester_of(conversation),
        description=description,
        impact="low",
        urgency="medium",
        category=category,
        summary=ticket_service.propose_summary(said[-1] if said else description),
        conversation_id=conversation.id,
        transcript=store.transcript_snapshot(messages),
        actor=actor,
        sla=sla,
    )
    conversation.ticket_id = ticket.id
    return ticket
