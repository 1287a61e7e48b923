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


class TicketRef(BaseModel):
    number: str
    subject: str


class TicketSummary(TicketRef):
    status: str


class Desk(BaseModel):
    open: bool = Field(description="whether the IT Service Desk is staffed now")
    opens_at: datetime | None = Field(default=None, description="when it next opens")


class ConversationRead(BaseModel):
    conversation_id: str
    state: str
    locale: str
    agent: str | None = None
    queue_position: int | None = None
    ticket_number: str | None = None
    created_at: datetime
    last_seq: int
    awaiting_reply: TicketRef | None = Field(
        default=None, description="a ticket of this chat that waits for the employee's reply"
    )
    desk: Desk


class ConversationSummary(BaseModel):
    conversation_id: str
    state: str
    locale: str
    created_at: datetime
    closed_at: datetime | None = None
    title: str = Field(description="the first thing the employee asked")
    tickets: list[TicketSummary]


class ConversationList(BaseModel):
    conversations: list[ConversationSummary]


class MessageCreate(BaseModel):
    text: str = Field(description="what the employee wrote (a button's title for buttons)")
    payload: str | None = Field(
        default=None,
        max_length=500,
        description="the payload of a button the bot offered in this conversation",
    )


class AttachmentRead(BaseModel):
    id: str
    name: str
    content_type: str
    size: int
    url: str = Field(description="the file, for this employee and for staff")


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
    attachments: list[AttachmentRead] | None = None


class ChatReply(BaseModel):
    conversation_id: str
    state: str
    locale: str
    messages: list[MessageRead]
    queue_position: int | None = None
    new_conversation: bool = False
    to_ticket: str | None = Field(
        default=None, description="the message went to this ticket (an answer to the desk)"
    )
    desk: Desk


class Transcript(BaseModel):
    conversation_id: str
    state: str
    messages: list[MessageRead]


class HandoffRequest(BaseModel):
    reason: Literal["requested", "low_confidence", "negative_feedback"] = "requested"


class FeedbackCreate(BaseModel):
    helpful: bool
    slug: str | None = Field(default=None, max_length=80)
