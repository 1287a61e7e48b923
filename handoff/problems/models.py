"""Known problems, who was shown their notice, and the tickets linked to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow

PROBLEM_STATES = ("open", "resolved")


class Problem(Base):
    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    notice: Mapped[dict[str, Any]]  # {"de": ..., "en": ...}
    articles: Mapped[list[str]] = mapped_column(default=list)  # slugs
    state: Mapped[str] = mapped_column(String(10), default="open", index=True)
    note: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the resolution, per language
    created_by: Mapped[str] = mapped_column(String(200))
    resolved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class ProblemNotice(Base):
    """The notice was shown in this conversation (once per conversation)."""

    __tablename__ = "problem_notices"
    __table_args__ = (UniqueConstraint("problem_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    employee_id: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(5), default="de")  # the note follows in it
    shown_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemTicket(Base):
    """A ticket linked to the problem (resolved with it)."""

    __tablename__ = "problem_tickets"
    __table_args__ = (UniqueConstraint("problem_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(index=True)
    linked_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
