"""Wire shapes of the chat API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from handoff.tickets.schemas import TicketDetailRead, TicketRead

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
    open: bool = Field(description="whether the IT Service Desk is open now (its service hours)")
    opens_at: datetime | None = Field(default=None, description="when it next opens")
    staffed: bool | None = Field(
        default=None,
        description="whether an agent is online now (given while the chat waits for one)",
    )


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
    files: int = Field(
        default=0,
        ge=0,
        le=100,
        description="files the employee sends right after this text, as one message with it "
        "(words typed with a screenshot): the words are then taken as said about the files",
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


# --- the agent console ---


class EmployeeRef(BaseModel):
    id: str
    name: str
    email: str


class RelatedChat(BaseModel):
    conversation_id: str
    state: str


class AgentConversation(BaseModel):
    """A conversation as a row in the queue or in an agent's chats."""

    conversation_id: str
    state: str
    employee: EmployeeRef
    locale: str
    agent: str | None
    ticket_number: str | None
    reason: str | None
    waiting_seconds: int | None
    queued_at: str | None
    last_seq: int
    related: list[RelatedChat] | None = None


class QueueItem(AgentConversation):
    position: int
    priority: int | None
    subject: str | None
    last_message: str


class QueueRead(BaseModel):
    queue: list[QueueItem]


class AgentConversations(BaseModel):
    conversations: list[AgentConversation]


class AgentMessage(MessageRead):
    internal: bool | None = None


class BotTurnRead(BaseModel):
    seq: int
    text: str
    intent: str | None
    confidence: float | None
    kb_hits: list[dict[str, Any]]
    kb_confident: bool | None
    outcome: str
    action: str | None = Field(default=None, description="the bot's action that answered")


class ChatTicket(TicketRead):
    handoff: bool = Field(description="the ticket the handoff was about")


class ChatContext(BaseModel):
    """Everything an agent sees of one chat."""

    conversation: AgentConversation
    messages: list[AgentMessage]
    bot: list[BotTurnRead]
    offered_articles: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    ticket: TicketDetailRead | None
    employee_tickets: list[TicketRead]
    tickets: list[ChatTicket]
    summary: str = Field(description="what the problem is, for the escalation form")
    suggestions: list[dict[str, Any]]


class Escalation(BaseModel):
    ticket_number: str
    level: int


# --- the internal API of the action server ---


class KbHit(BaseModel):
    slug: str
    title: str
    lang: str
    score: float


class ArticleParts(BaseModel):
    slug: str
    title: str
    lang: str
    intro: str
    check_first: str
    steps: str
    still_not_working: str
    url: str


class AnswerRead(BaseModel):
    confident: bool
    lang: str
    article: ArticleParts | None
    hits: list[KbHit]
    related: bool = Field(description="confident, or candidates close enough to offer")
    consecutive_failures: int
    topic: int | None
    new_topic: bool
    follow_up: str | None = Field(
        default=None,
        description="off-topic in a chat with a ticket: where that ticket stands, to say "
        "instead of only refusing",
    )
    about_file: bool = Field(
        default=False,
        description="words said about the employee's file stayed with the open topic: offer "
        "a ticket with the file or a person, not articles for the words alone",
    )


class FailuresRead(BaseModel):
    consecutive_failures: int


class HandoffRead(BaseModel):
    state: str
    outcome: Literal["queued", "no_agents", "out_of_hours", "already_queued"]
    ticket_number: str
    queue_position: int | None
    agents_online: int
    estimated_wait_minutes: int | None
    desk: Desk
    opens_at_text: str | None


class TicketPreview(BaseModel):
    summary: str
    category: str
    impact: str
    urgency: str
    priority: int
    priority_label: str
