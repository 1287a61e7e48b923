"""Tickets and their activity log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow

STATUSES = ("new", "in_progress", "on_hold", "resolved", "closed", "cancelled")
OPEN_STATUSES = ("new", "in_progress", "on_hold")
LEVELS = (1, 2, 3)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_requester_status", "requester_id", "status"),
        Index("ix_tickets_conversation_status", "conversation_id", "status"),
        Index("ix_tickets_updated_at", "updated_at"),  # changed after the insights rollup
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[str] = mapped_column(String(200))
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    requester_email: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40), default="general")
    impact: Mapped[str] = mapped_column(String(10), default="low")
    urgency: Mapped[str] = mapped_column(String(10), default="medium")
    priority: Mapped[int] = mapped_column(default=4)
    status: Mapped[str] = mapped_column(String(16), default="new")
    level: Mapped[int] = mapped_column(default=1)
    assignee_id: Mapped[int | None] = mapped_column(default=None)
    assignee_name: Mapped[str | None] = mapped_column(String(200), default=None)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), default=None
    )
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    resolution: Mapped[str] = mapped_column(Text, default="")
    first_response_due: Mapped[datetime]
    resolution_due: Mapped[datetime]
    first_responded_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def number(self) -> str:
        return format_number(self.id)


class TicketActivity(Base):
    """One entry of a ticket's log; public entries are shown to the requester."""

    __tablename__ = "ticket_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def format_number(ticket_id: int) -> str:
    return f"INC-{ticket_id:06d}"
