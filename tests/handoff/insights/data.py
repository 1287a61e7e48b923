"""Hand-made support data where every figure is known (see test_outcomes.py)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Conversation, Message, Rating
from handoff.kb.models import Article, ArticleVersion
from handoff.tickets.models import Ticket, TicketActivity

_ids = itertools.count(1)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A time in March 2026 (UTC)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


async def article(db: AsyncSession, slug: str, category: str) -> None:
    row = Article(slug=slug, status="published", latest_version=1, published_version=1)
    db.add(row)
    await db.flush()
    title = {"title": slug, "body": slug}
    db.add(
        ArticleVersion(
            article_id=row.id, number=1, category=category, translations={"de": title, "en": title}
        )
    )


async def chat(
    db: AsyncSession, employee: str, started: datetime, locale: str = "de", **values: Any
) -> Conversation:
    conversation = Conversation(
        id=f"c{next(_ids):04d}{employee[:6]}",
        employee_id=employee,
        locale=locale,
        created_at=started,
        updated_at=started,
        **values,
    )
    db.add(conversation)
    await db.flush()
    return conversation


async def turn(db: AsyncSession, conversation: Conversation, outcome: str, slug: str) -> None:
    db.add(
        BotTurn(
            conversation_id=conversation.id,
            message_seq=1,
            outcome=outcome,
            kb_hits=[{"slug": slug, "score": 0.8}, {"slug": "other", "score": 0.3}],
            created_at=conversation.created_at,
        )
    )


async def agent_reply(db: AsyncSession, conversation: Conversation, when: datetime) -> None:
    db.add(
        Message(
            conversation_id=conversation.id, seq=9, sender="agent", text="Hallo", created_at=when
        )
    )


async def ticket(
    db: AsyncSession,
    requester: str,
    created: datetime,
    conversation: Conversation | None = None,
    **values: Any,
) -> Ticket:
    values.setdefault("first_response_due", created + timedelta(hours=4))
    values.setdefault("resolution_due", created + timedelta(days=2))
    row = Ticket(
        requester_id=requester,
        subject="Problem",
        conversation_id=conversation.id if conversation else None,
        created_at=created,
        updated_at=created,
        **values,
    )
    db.add(row)
    await db.flush()
    if conversation is not None and conversation.ticket_id is None:
        conversation.ticket_id = row.id
    return row


async def reopen(db: AsyncSession, row: Ticket, when: datetime) -> None:
    detail = {"old": "resolved", "new": "in_progress"}
    db.add(
        TicketActivity(ticket_id=row.id, actor="x", kind="status", detail=detail, created_at=when)
    )


async def rate(db: AsyncSession, conversation: Conversation, score: int, handler: str) -> None:
    db.add(
        Rating(
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
            score=score,
            handled_by=handler,
            created_at=conversation.created_at,
            updated_at=conversation.created_at,
        )
    )
