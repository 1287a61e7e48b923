"""The employee rates a conversation (CSAT): POST /api/chat/sessions/{id}/rating."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from handoff.deps import DbDep

from . import ratings
from .dependencies import EmployeeConversation

router = APIRouter(prefix="/api/chat", tags=["chat"])


class RatingCreate(BaseModel):
    score: int = Field(ge=1, le=5, description="1 (very unhappy) to 5 (very happy)")
    comment: str = Field(default="", max_length=2000)


class RatingRead(BaseModel):
    conversation_id: str
    score: int
    comment: str
    handled_by: Literal["bot", "agent"]
    agent: str | None = None
    updated_at: datetime


@router.post("/sessions/{conversation_id}/rating", response_model=RatingRead)
async def rate_conversation(
    body: RatingCreate, conversation: EmployeeConversation, db: DbDep
) -> RatingRead:
    """Rate the conversation 1-5 with an optional comment; a second rating replaces the first."""
    rating = await ratings.rate(
        db=db, conversation=conversation, score=body.score, comment=body.comment.strip()
    )
    await db.commit()
    return RatingRead(
        conversation_id=conversation.id,
        score=rating.score,
        comment=rating.comment,
        handled_by="agent" if rating.handled_by == "agent" else "bot",
        agent=rating.agent_name,
        updated_at=rating.updated_at,
    )
