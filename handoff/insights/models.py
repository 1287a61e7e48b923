"""What an editor has done about a knowledge gap."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base, utcnow


class GapResolution(Base):
    """A question from the knowledge gaps that an editor has dealt with, by its hash only
    (the text came from an employee's message and goes with that conversation)."""

    __tablename__ = "kb_gap_resolutions"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))  # draft | attached | not_it | person
    by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The rollup (insights/rollup.py): additive figures per day, written once a day's 7-day
# durability window has closed, so that a summary sums a few rows instead of classifying
# every conversation again. Text keys use "" for "none" (they are part of primary keys).


class OutcomeCounts:
    """The additive figures of classify.COUNTS after "conversations" (0 or 1 for one
    conversation, sums for a day)."""

    self_solved: Mapped[int] = mapped_column(default=0)
    handed: Mapped[int] = mapped_column(default=0)
    tickets: Mapped[int] = mapped_column(default=0)
    first_contact: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[int] = mapped_column(default=0)
    reopened: Mapped[int] = mapped_column(default=0)
    reason_requested: Mapped[int] = mapped_column(default=0)
    reason_low_confidence: Mapped[int] = mapped_column(default=0)
    reason_negative_feedback: Mapped[int] = mapped_column(default=0)
    reason_form: Mapped[int] = mapped_column(default=0)
    bot_ratings: Mapped[int] = mapped_column(default=0)
    bot_score: Mapped[int] = mapped_column(default=0)
    agent_ratings: Mapped[int] = mapped_column(default=0)
    agent_score: Mapped[int] = mapped_column(default=0)


class DailyOutcome(OutcomeCounts, Base):
    """The headline counts of the conversations started on one day, per language and topic."""

    __tablename__ = "insights_daily"

    day: Mapped[date] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    article: Mapped[str] = mapped_column(String(80), primary_key=True)  # first best hit
    ticket_category: Mapped[str] = mapped_column(String(40), primary_key=True)  # first ticket
    conversations: Mapped[int] = mapped_column(default=0)


class DailyWait(Base):
    """How many waits of one day fell into each fixed bucket (upper bound in seconds)."""

    __tablename__ = "insights_daily_waits"

    day: Mapped[date] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(24), primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class DailySla(Base):
    """Tickets of one day's conversations per priority, clock and state (met/missed/running)."""

    __tablename__ = "insights_daily_sla"

    day: Mapped[date] = mapped_column(primary_key=True)
    priority: Mapped[int] = mapped_column(primary_key=True)
    clock: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class RolledDay(Base):
    """A day in the rollup: when it was computed, and when a running SLA clock falls due."""

    __tablename__ = "insights_rolled_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime]
    stale_at: Mapped[datetime | None] = mapped_column(default=None)


class HourlyArticle(Base):
    """Conversations that first asked about an article in one hour (trends and spikes)."""

    __tablename__ = "insights_hourly_articles"

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    article: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    clock_hour: Mapped[int]
    count: Mapped[int] = mapped_column(default=0)


class SuggestionDecision(Base):
    """An editor's answer to a suggested example question for an article, by the question's
    hash only (the text came from an employee's message and goes with that conversation)."""

    __tablename__ = "kb_suggestion_decisions"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    lang: Mapped[str] = mapped_column(String(5))
    decision: Mapped[str] = mapped_column(String(10))  # accepted | rejected
    by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The days not yet rolled up (insights/recent.py): one row per conversation with its flags,
# one row per ticket of those conversations with its SLA clocks, kept up to date on demand.


class RecentConversation(OutcomeCounts, Base):
    """A conversation of a day not yet rolled up, classified (the counts are 0 or 1, the
    scores 0 to 5); the wait columns hold the bucket of each wait, NULL without one."""

    __tablename__ = "insights_recent_conversations"

    conversation_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    started: Mapped[datetime]
    locale: Mapped[str] = mapped_column(String(5))
    article: Mapped[str] = mapped_column(String(80))  # first best hit, "" none
    ticket_category: Mapped[str] = mapped_column(String(40))  # first ticket's, "" none
    wait_for_agent: Mapped[int | None] = mapped_column(default=None)
    first_agent_response: Mapped[int | None] = mapped_column(default=None)


class RecentTicket(Base):
    """A ticket of a conversation in insights_recent_conversations: its two SLA clocks (the
    state met/missed/running depends on the time of asking, so it is decided when read)."""

    __tablename__ = "insights_recent_tickets"

    ticket_id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date] = mapped_column(index=True)
    priority: Mapped[int]
    first_response_due: Mapped[datetime]
    first_responded_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution_due: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class RecentState(Base):
    """Which days the recent rows cover (from `since` on) and up to when they are true."""

    __tablename__ = "insights_recent_state"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    since: Mapped[date]
    watermark: Mapped[datetime]  # every change before it is in the rows
