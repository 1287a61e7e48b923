"""An employee's rating of a conversation: one per conversation, the latest replaces it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow

from .models import Conversation, Rating


def handler_of(conversation: Conversation) -> str:
    """Say who handled the chat: "agent" once an agent took it, otherwise "bot"."""
    return "agent" if conversation.claimed_at is not None else "bot"


async def rate(*, db: AsyncSession, conversation: Conversation, score: int, comment: str) -> Rating:
    """Record (or replace) the employee's rating of the conversation."""
    rating = await db.scalar(select(Rating).where(Rating.conversation_id == conversation.id))
    if rating is None:
        rating = Rating(conversation_id=conversation.id, employee_id=conversation.employee_id)
        db.add(rating)
    rating.score, rating.comment, rating.updated_at = score, comment, utcnow()
    rating.handled_by = handler_of(conversation)
    agent = rating.handled_by == "agent"
    rating.agent_id = conversation.agent_id if agent else None
    rating.agent_name = conversation.agent_name if agent else None
    await db.flush()
    return rating
