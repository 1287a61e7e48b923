"""Wire shapes of the chat API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Locale = Literal["de", "en"]


class ConversationCreate(BaseModel):
    locale: Locale = "de"


class ConversationUpdate(BaseModel):
    locale: Locale


class ConversationRead(BaseModel):
    conversation_id: str
    state: str
    locale: str
    agent: str | None = None
    queue_position: int | None = None
    ticket_number: str | None = None
    created_at: datetime
    last_seq: int


class MessageCreate(BaseModel):
    text: str = Field(description="what the employee wrote (a button's title for buttons)")
    payload: str | None = Field(
        default=None,
        max_length=500,
        description="the payload of a button the bot offered in this conversation",
    )


class MessageRead(BaseModel):
    id: int
    seq: int
    sender: Literal["user", "bot", "agent", "system"]
    text: str
    created_at: datetime
    author: str | None = None
    buttons: list[dict[str, str]] | None = None
    kb_article: dict[str, Any] | None = None
    ticket: dict[str, Any] | None = None


class ChatReply(BaseModel):
    conversation_id: str
    state: str
    messages: list[MessageRead]
    queue_position: int | None = None
    new_conversation: bool = False


class Transcript(BaseModel):
    conversation_id: str
    state: str
    messages: list[MessageRead]


class HandoffRequest(BaseModel):
    reason: Literal["requested", "low_confidence", "negative_feedback"] = "requested"


class FeedbackCreate(BaseModel):
    helpful: bool
    slug: str | None = Field(default=None, max_length=80)
