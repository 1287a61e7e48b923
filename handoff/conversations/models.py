"""Conversations, their messages (numbered per conversation), bot turns and feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow

STATES = ("bot", "queued", "agent", "closed")
SENDERS = ("user", "bot", "agent", "system")


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_state_queued", "state", "queued_at"),
        Index("ix_conversations_created_at", "created_at"),
        Index("ix_conversations_updated_at", "updated_at"),  # changed after the rollup
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    employee_id: Mapped[str] = mapped_column(String(200), index=True)
    employee_name: Mapped[str] = mapped_column(String(200), default="")
    employee_email: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5), default="de")
    bot_locale: Mapped[str | None] = mapped_column(String(5), default=None)
    # The form the bot was filling after its last turn, as its channel said ("": none);
    # None when not known (before its first answer, after a hand-back): then Rasa is asked.
    bot_form: Mapped[str | None] = mapped_column(String(64), default=None)
    state: Mapped[str] = mapped_column(String(10), default="bot")
    agent_id: Mapped[int | None] = mapped_column(default=None)
    agent_name: Mapped[str | None] = mapped_column(String(200), default=None)
    ticket_id: Mapped[int | None] = mapped_column(default=None)
    handoff_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    # The topic the employee is on now (the latest one the knowledge base was asked about).
    topic_id: Mapped[int | None] = mapped_column(default=None)
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    close_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    notified_unattended: Mapped[bool] = mapped_column(default=False)


class Topic(Base):
    """One problem or question in a conversation: its own failures, verdict and ticket."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("conversation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]  # 1, 2, ... within the conversation
    first_seq: Mapped[int]  # the employee message that opened it
    query: Mapped[str] = mapped_column(Text, default="")  # what the employee asked first
    slugs: Mapped[list[str]] = mapped_column(default=list)  # the articles last found for it
    state: Mapped[str] = mapped_column(String(16), default="open")
    failures: Mapped[int] = mapped_column(default=0)  # answers or candidates rejected
    ticket_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # insights


TOPIC_STATES = ("open", "solved", "handed_off")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int]
    sender: Mapped[str] = mapped_column(String(10))
    author: Mapped[str | None] = mapped_column(String(200), default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    # buttons [{"title", "payload"}], kb_article {"slug", "title"}, ...
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    internal: Mapped[bool] = mapped_column(default=False)  # agent notes: never to the employee
    bot_status: Mapped[str | None] = mapped_column(String(10), default=None)  # user msgs
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BotTurn(Base):
    """What the bot understood and did for one employee message (for analytics)."""

    __tablename__ = "bot_turns"
    __table_args__ = (Index("ix_bot_turns_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_seq: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(5), default="de")
    intent: Mapped[str | None] = mapped_column(String(80), default=None)
    confidence: Mapped[float | None] = mapped_column(default=None)
    entities: Mapped[list[Any]] = mapped_column(default=list)
    topic_id: Mapped[int | None] = mapped_column(default=None)
    kb_query: Mapped[str | None] = mapped_column(Text, default=None)
    kb_hits: Mapped[list[Any]] = mapped_column(default=list)
    kb_confident: Mapped[bool | None] = mapped_column(default=None)
    action: Mapped[str | None] = mapped_column(String(80), default=None)
    outcome: Mapped[str] = mapped_column(String(40), default="pending")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    latency_ms: Mapped[float | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """An employee's "did this help?" answer about an article."""

    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(default=None)
    slug: Mapped[str | None] = mapped_column(String(80), default=None)
    helpful: Mapped[bool]
    query: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedResponse(Base):
    """A ready answer agents insert with one click (editable by admins)."""

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    text_de: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


HANDLERS = ("bot", "agent")


class Rating(Base):
    """An employee's satisfaction (1-5) with one conversation and who handled it."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    employee_id: Mapped[str] = mapped_column(String(200))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str] = mapped_column(String(10))  # bot | agent
    agent_id: Mapped[int | None] = mapped_column(default=None)
    agent_name: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
