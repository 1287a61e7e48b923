"""Finding, exporting, erasing and expiring what is held about one employee.

Conversations (with their messages, bot turns, topics, feedback, ratings, problem notices
and attachments) are deleted; tickets stay for ITIL's figures (numbers, categories,
priorities, times) with the requester and every free text replaced. Editors' gap and
suggestion decisions keep a question's hash only, never its text (insights/models.py).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.attachments import service as attachment_service
from handoff.attachments.storage import Storage
from handoff.audit.models import AuditEvent
from handoff.conversations import store
from handoff.conversations.models import (
    BotTurn,
    Conversation,
    Feedback,
    Message,
    Rating,
    Topic,
)
from handoff.database import utcnow
from handoff.problems.models import Problem, ProblemNotice
from handoff.tickets.models import OPEN_STATUSES, Ticket, TicketActivity

ERASED = "(erased)"


def _who(email: str) -> str:
    return email.strip().lower()


async def _conversations(db: AsyncSession, email: str) -> list[Conversation]:
    who = _who(email)
    query = select(Conversation).where(
        or_(Conversation.employee_email == who, Conversation.employee_id == who)
    )
    return list((await db.scalars(query.order_by(Conversation.created_at))).all())


async def _tickets(db: AsyncSession, email: str) -> list[Ticket]:
    who = _who(email)
    query = select(Ticket).where(or_(Ticket.requester_email == who, Ticket.requester_id == who))
    return list((await db.scalars(query.order_by(Ticket.id))).all())


async def export(*, db: AsyncSession, email: str) -> dict[str, Any]:
    """Everything held about the employee with that address, as JSON-ready data."""
    who = _who(email)
    audited = await db.scalars(
        select(AuditEvent).where(func.lower(AuditEvent.target) == who).order_by(AuditEvent.id)
    )
    return {
        "email": who,
        "conversations": [await _conversation_json(db, c) for c in await _conversations(db, email)],
        "tickets": [await _ticket_json(db, t) for t in await _tickets(db, email)],
        # Staff actions about the address itself (privacy.export, privacy.erase).
        "audit": [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action} for e in audited],
    }


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def _conversation_json(db: AsyncSession, conversation: Conversation) -> dict[str, Any]:
    cid = conversation.id
    messages = await store.transcript(db=db, conversation_id=cid, after=0, include_internal=True)
    feedback = await db.scalars(
        select(Feedback).where(Feedback.conversation_id == cid).order_by(Feedback.id)
    )
    turns = await db.scalars(
        select(BotTurn).where(BotTurn.conversation_id == cid).order_by(BotTurn.id)
    )
    topics = await db.scalars(select(Topic).where(Topic.conversation_id == cid).order_by(Topic.id))
    rating = await db.scalar(select(Rating).where(Rating.conversation_id == cid))
    notices = await db.execute(
        select(ProblemNotice, Problem.title)
        .join(Problem, Problem.id == ProblemNotice.problem_id)
        .where(ProblemNotice.conversation_id == cid)
        .order_by(ProblemNotice.id)
    )
    return {
        "id": cid,
        "name": conversation.employee_name,
        "email": conversation.employee_email,
        "employee_id": conversation.employee_id,
        "language": conversation.locale,
        "started": conversation.created_at.isoformat(),
        "queued": _at(conversation.queued_at),
        "claimed": _at(conversation.claimed_at),
        "closed": _at(conversation.closed_at),
        "agent": conversation.agent_name,
        "state": conversation.state,
        "messages": [store.message_json(m) for m in messages],
        "attachments": [
            {"name": a.name, "type": a.content_type, "size": a.size, "at": a.created_at.isoformat()}
            for a in await attachment_service.of_conversation(db=db, conversation_id=cid)
        ],
        "bot_turns": [
            {
                "message": t.message_seq,
                "intent": t.intent,
                "confidence": t.confidence,
                "outcome": t.outcome,
                "at": t.created_at.isoformat(),
            }
            for t in turns
        ],
        "topics": [{"number": t.number, "question": t.query, "state": t.state} for t in topics],
        "feedback": [
            {
                "helpful": f.helpful,
                "article": f.slug,
                "question": f.query,
                "at": f.created_at.isoformat(),
            }
            for f in feedback
        ],
        "rating": None
        if rating is None
        else {
            "score": rating.score,
            "comment": rating.comment,
            "handled_by": rating.handled_by,
            "agent": rating.agent_name,
            "at": rating.updated_at.isoformat(),
        },
        "problem_notices": [
            {"problem": title, "language": n.lang, "shown": n.shown_at.isoformat()}
            for n, title in notices
        ],
    }


async def _ticket_json(db: AsyncSession, ticket: Ticket) -> dict[str, Any]:
    log = await db.scalars(
        select(TicketActivity)
        .where(TicketActivity.ticket_id == ticket.id)
        .order_by(TicketActivity.id)
    )
    return {
        "number": ticket.number,
        "requester": {
            "id": ticket.requester_id,
            "name": ticket.requester_name,
            "email": ticket.requester_email,
        },
        "subject": ticket.subject,
        "description": ticket.description,
        "since": ticket.since,
        "category": ticket.category,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "level": ticket.level,
        "status": ticket.status,
        "assignee": ticket.assignee_name,
        "transcript": ticket.transcript,
        "resolution": ticket.resolution,
        "created": ticket.created_at.isoformat(),
        "resolved": _at(ticket.resolved_at),
        "activity": [
            {"kind": a.kind, "actor": a.actor, "text": a.text, "at": a.created_at.isoformat()}
            for a in log
        ],
    }


async def erase(*, db: AsyncSession, storage: Storage, email: str) -> dict[str, int]:
    """Delete the employee's conversations and files, anonymise their tickets; return counts."""
    tickets = await _tickets(db, email)
    for ticket in tickets:
        await _anonymise_ticket(db, ticket, _pseudonym(email))
    ids = [c.id for c in await _conversations(db, email)]
    changed = await _delete_conversations(db, storage, ids)
    changed["tickets anonymised"] = len(tickets)
    await db.flush()
    return dict(changed)


async def expire(
    *, db: AsyncSession, storage: Storage, days: int, now: datetime | None = None
) -> dict[str, int]:
    """Delete conversations not updated for `days` days; anonymise tickets done (resolved,
    closed or cancelled) and not updated for as long. An open ticket keeps its requester
    and texts until then, whatever the age of its conversation."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    old = list(
        (await db.scalars(select(Conversation.id).where(Conversation.updated_at < cutoff))).all()
    )
    changed = await _delete_conversations(db, storage, old)
    done = await db.scalars(
        select(Ticket).where(
            Ticket.updated_at < cutoff,
            Ticket.status.not_in(OPEN_STATUSES),
            Ticket.requester_name != ERASED,
        )
    )
    anonymised = 0
    for ticket in done:
        await _anonymise_ticket(db, ticket, _pseudonym(ticket.requester_email))
        anonymised += 1
    changed["tickets anonymised"] = anonymised
    await db.flush()
    return dict(changed)


# What goes with a conversation, and the name its count is printed under.
PER_CONVERSATION: tuple[tuple[Any, str], ...] = (
    (Message, "messages"),
    (BotTurn, "bot turns"),
    (Topic, "topics"),
    (Feedback, "feedback"),
    (Rating, "ratings"),
    (ProblemNotice, "problem notices"),
)


async def _delete_conversations(db: AsyncSession, storage: Storage, ids: list[str]) -> Counter[str]:
    changed: Counter[str] = Counter(
        dict.fromkeys((f"{name} deleted" for _, name in PER_CONVERSATION), 0)
    )
    changed["conversations deleted"] = changed["attachments deleted"] = 0
    if not ids:
        return changed
    for conversation_id in ids:
        changed["attachments deleted"] += await attachment_service.erase_conversation(
            db=db, storage=storage, conversation_id=conversation_id
        )
    for model, name in PER_CONVERSATION:
        result = await db.execute(delete(model).where(model.conversation_id.in_(ids)))
        changed[f"{name} deleted"] = int(getattr(result, "rowcount", 0) or 0)
    await db.execute(
        update(Ticket).where(Ticket.conversation_id.in_(ids)).values(conversation_id=None)
    )
    result = await db.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    changed["conversations deleted"] = int(getattr(result, "rowcount", 0) or 0)
    return changed


def _pseudonym(email: str) -> str:
    return "erased:" + hashlib.sha256(_who(email).encode()).hexdigest()[:16]


async def _anonymise_ticket(db: AsyncSession, ticket: Ticket, pseudonym: str) -> None:
    ticket.requester_id, ticket.requester_name, ticket.requester_email = pseudonym, ERASED, ""
    ticket.subject, ticket.description, ticket.since = ERASED, ERASED, ""
    ticket.transcript, ticket.resolution = [], ERASED if ticket.resolution else ""
    await db.execute(
        update(TicketActivity)
        .where(TicketActivity.ticket_id == ticket.id)
        .values(text=ERASED, detail={})
    )
