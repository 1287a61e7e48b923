"""What an agent sees of a chat: summary rows for lists, and the full context view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow
from handoff.kb.search import IndexUnavailable, LiveSearch
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket, format_number
from handoff.tickets.schemas import ticket_json
from kb_index import QueryError

from . import store, ticketing, topics
from .models import BotTurn, Conversation, Feedback

SUGGESTIONS = 3


def summary(conversation: Conversation) -> dict[str, Any]:
    """A conversation as a row in the queue or in "my chats"."""
    waited = None
    if conversation.state == "queued" and conversation.queued_at:
        waited = int((utcnow() - conversation.queued_at).total_seconds())
    return {
        "conversation_id": conversation.id,
        "state": conversation.state,
        "employee": {
            "id": conversation.employee_id,
            "name": conversation.employee_name,
            "email": conversation.employee_email,
        },
        "locale": conversation.locale,
        "agent": conversation.agent_name,
        "ticket_number": format_number(conversation.ticket_id) if conversation.ticket_id else None,
        "reason": conversation.handoff_reason,
        "waiting_seconds": waited,
        "queued_at": conversation.queued_at.isoformat() if conversation.queued_at else None,
        "last_seq": conversation.last_seq,
    }


async def queue(*, db: AsyncSession) -> list[dict[str, Any]]:
    """Queued chats by ticket priority, then waiting time; each with the employee's other chats."""
    rows = await db.execute(
        select(Conversation, Ticket)
        .outerjoin(Ticket, Ticket.id == Conversation.ticket_id)
        .where(Conversation.state == "queued")
        .order_by(func.coalesce(Ticket.priority, 5), Conversation.queued_at)
    )
    out = []
    for position, (conversation, ticket) in enumerate(rows, start=1):
        said = await store.employee_messages(db=db, conversation_id=conversation.id)
        out.append(
            {
                **summary(conversation),
                "position": position,
                "priority": ticket.priority if ticket else None,
                "subject": ticket.subject if ticket else None,
                "last_message": said[-1][:200] if said else "",
                "related": await _related(db, conversation),
            }
        )
    return out


async def _related(db: AsyncSession, conversation: Conversation) -> list[dict[str, Any]]:
    """The same employee's other conversations that are still open."""
    rows = await db.execute(
        select(Conversation.id, Conversation.state).where(
            Conversation.employee_id == conversation.employee_id,
            Conversation.id != conversation.id,
            Conversation.state != "closed",
        )
    )
    return [{"conversation_id": cid, "state": state} for cid, state in rows]


async def live_chats_of(*, db: AsyncSession, agent_id: int) -> list[dict[str, Any]]:
    """An agent's live chats, in the order they took them."""
    rows = await db.scalars(
        select(Conversation)
        .where(Conversation.state == "agent", Conversation.agent_id == agent_id)
        .order_by(Conversation.claimed_at)
    )
    return [summary(c) for c in rows]


async def full(*, db: AsyncSession, conversation_id: str, search: LiveSearch) -> dict[str, Any]:
    """The agent's view of one chat."""
    conversation = await store.get(db=db, conversation_id=conversation_id)
    messages = await store.transcript(db=db, conversation_id=conversation_id, include_internal=True)
    turns = list(
        await db.scalars(
            select(BotTurn).where(BotTurn.conversation_id == conversation_id).order_by(BotTurn.id)
        )
    )
    feedback = list(
        await db.scalars(
            select(Feedback)
            .where(Feedback.conversation_id == conversation_id)
            .order_by(Feedback.id)
        )
    )
    offered = {
        m.payload["kb_article"]["slug"]: m.payload["kb_article"]
        for m in messages
        if "kb_article" in m.payload
    }
    tickets = await ticket_service.list_for_requester(
        db=db, requester_id=conversation.employee_id, open_only=True
    )
    ticket = next((t for t in tickets if t.id == conversation.ticket_id), None)
    if ticket is None and conversation.ticket_id is not None:
        ticket = await ticket_service.get(db=db, number=conversation.ticket_id)
    said = [m.text for m in messages if m.sender == "user"]
    own = await ticketing.of_conversation(db=db, conversation_id=conversation.id)
    topic = await topics.current(db=db, conversation=conversation)
    return {
        "conversation": {**summary(conversation), "related": await _related(db, conversation)},
        "messages": [store.message_json(m) for m in messages],
        "bot": [
            {
                "seq": t.message_seq,
                "text": t.text,
                "intent": t.intent,
                "confidence": t.confidence,
                "kb_hits": t.kb_hits,
                "kb_confident": t.kb_confident,
                "outcome": t.outcome,
                "action": t.action,
            }
            for t in turns
        ],
        "offered_articles": list(offered.values()),
        "feedback": [{"slug": f.slug, "helpful": f.helpful} for f in feedback],
        "ticket": ticket_json(ticket, detail=True) if ticket else None,
        "employee_tickets": [ticket_json(t) for t in tickets],
        "tickets": [{**ticket_json(t), "handoff": t.id == conversation.ticket_id} for t in own],
        "summary": await problem_summary(db=db, conversation=conversation),
        "suggestions": await _suggest(
            search, [said[-1] if said else "", topic.query if topic else ""], conversation.locale
        ),
    }


async def _suggest(search: LiveSearch, texts: list[str], lang: str) -> list[dict[str, Any]]:
    """Articles for the employee's latest words and for the problem the chat is about.

    The latest words alone may be about nothing ("wie ist der Stand?", "hallo?"): the topic's
    question keeps the problem's articles among the suggestions. The best score of an article
    over both searches ranks it.
    """
    best: dict[str, dict[str, Any]] = {}
    for text in dict.fromkeys(t for t in texts if t.strip()):
        try:
            result = await search.search(text[:500], k=SUGGESTIONS, lang=lang)
        except (IndexUnavailable, QueryError):
            return []
        for hit in result.hits:
            if hit.slug not in best or hit.score > best[hit.slug]["score"]:
                best[hit.slug] = hit.to_json()
    return sorted(best.values(), key=lambda h: -h["score"])[:SUGGESTIONS]


async def problem_summary(*, db: AsyncSession, conversation: Conversation) -> str:
    """What the problem is, for the escalation form: the topic's question and what was tried."""
    topic = await topics.current(db=db, conversation=conversation)
    if topic is None:
        said = await store.employee_messages(db=db, conversation_id=conversation.id)
        return said[0] if said else ""
    lines = [topic.query]
    if topic.slugs:
        lines.append("Articles offered: " + ", ".join(topic.slugs))
    if topic.failures:
        lines.append(f"Rejected by the employee: {topic.failures}x")
    return "\n".join(lines)
