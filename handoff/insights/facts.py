"""What happened in each conversation of a period, read once for every figure.

A conversation's facts are gathered with a handful of set-based queries (no query per
conversation); the figures in `outcomes` are then plain counts over these facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Conversation, Message, Rating, Topic
from handoff.database import utcnow
from handoff.kb.models import Article, ArticleVersion
from handoff.tickets.models import OPEN_STATUSES, Ticket, TicketActivity, format_number

DURABLE_DAYS = 7


@dataclass(frozen=True)
class Period:
    """Whole days, until inclusive, in UTC."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time(), tzinfo=utcnow().tzinfo)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=(self.until - self.since).days + 1)


@dataclass
class TicketFacts:
    number: str
    priority: int
    level: int
    status: str
    category: str
    created_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    reopened: bool = False


@dataclass
class ConversationFacts:
    id: str
    employee_id: str
    started: datetime
    locale: str
    state: str
    close_reason: str | None
    handoff_reason: str | None
    queued_at: datetime | None
    claimed_at: datetime | None
    answered_slugs: set[str] = field(default_factory=set)
    first_slug: str | None = None
    category: str = "general"
    topic_handed_off: bool = False
    first_agent_reply: datetime | None = None
    tickets: list[TicketFacts] = field(default_factory=list)
    rating: tuple[int, str] | None = None  # score, handled_by
    later_same_article: bool = False  # a later chat of the employee found an answered article
    later_ticket_same_category: bool = False


def best_slug(hits: list[Any]) -> str | None:
    """The slug of the best search hit of a bot turn, if there was one."""
    if hits and isinstance(hits[0], dict):
        slug = hits[0].get("slug")
        return str(slug) if slug else None
    return None


def in_period(period: Period) -> Select[Any]:
    return select(Conversation.id).where(
        Conversation.created_at >= period.start, Conversation.created_at < period.end
    )


_COLUMNS = (
    Conversation.id,
    Conversation.employee_id,
    Conversation.created_at,
    Conversation.locale,
    Conversation.state,
    Conversation.close_reason,
    Conversation.handoff_reason,
    Conversation.queued_at,
    Conversation.claimed_at,
)


async def load(*, db: AsyncSession, period: Period) -> list[ConversationFacts]:
    """Gather the facts of every conversation started in the period."""
    rows = await db.execute(
        select(*_COLUMNS)
        .where(Conversation.created_at >= period.start, Conversation.created_at < period.end)
        .order_by(Conversation.created_at, Conversation.id)
    )
    facts = {row[0]: ConversationFacts(*row) for row in rows}
    if not facts:
        return []
    ids = in_period(period)
    await _turns(db, ids, facts)
    await _tickets(db, ids, facts)
    await _agent_replies_topics_ratings(db, ids, facts)
    await _categories(db, facts)
    await _later_activity(db, period, facts)
    return list(facts.values())


async def _turns(db: AsyncSession, ids: Select[Any], facts: dict[str, ConversationFacts]) -> None:
    turns = await db.execute(
        select(BotTurn.conversation_id, BotTurn.outcome, BotTurn.kb_hits)
        .where(BotTurn.conversation_id.in_(ids))
        .order_by(BotTurn.conversation_id, BotTurn.id)
    )
    for cid, outcome, hits in turns:
        slug = best_slug(hits)
        fact = facts[cid]
        if fact.first_slug is None and slug:
            fact.first_slug = slug
        if outcome == "answered" and slug:
            fact.answered_slugs.add(slug)


async def _tickets(db: AsyncSession, ids: Select[Any], facts: dict[str, ConversationFacts]) -> None:
    rows = await db.execute(
        select(
            Ticket.id,
            Ticket.conversation_id,
            Ticket.priority,
            Ticket.level,
            Ticket.status,
            Ticket.category,
            Ticket.created_at,
            Ticket.first_response_due,
            Ticket.resolution_due,
            Ticket.first_responded_at,
            Ticket.resolved_at,
        )
        .where(Ticket.conversation_id.in_(ids))
        .order_by(Ticket.id)
    )
    by_id: dict[int, TicketFacts] = {}
    for ticket_id, cid, *fields in rows:
        by_id[ticket_id] = TicketFacts(format_number(ticket_id), *fields)
        facts[str(cid)].tickets.append(by_id[ticket_id])
    if not by_id:
        return
    changes = await db.execute(
        select(TicketActivity.ticket_id, TicketActivity.detail).where(
            TicketActivity.kind == "status",
            TicketActivity.ticket_id.in_(select(Ticket.id).where(Ticket.conversation_id.in_(ids))),
        )
    )
    for ticket_id, detail in changes:
        if detail.get("old") in ("resolved", "closed") and detail.get("new") in OPEN_STATUSES:
            by_id[ticket_id].reopened = True


async def _agent_replies_topics_ratings(
    db: AsyncSession, ids: Select[Any], facts: dict[str, ConversationFacts]
) -> None:
    replies = await db.execute(
        select(Message.conversation_id, func.min(Message.created_at))
        .where(Message.conversation_id.in_(ids), Message.sender == "agent", ~Message.internal)
        .group_by(Message.conversation_id)
    )
    for cid, first in replies:
        facts[cid].first_agent_reply = first
    handed = await db.scalars(
        select(Topic.conversation_id).where(
            Topic.conversation_id.in_(ids), Topic.state == "handed_off"
        )
    )
    for cid in handed:
        facts[cid].topic_handed_off = True
    ratings = await db.execute(
        select(Rating.conversation_id, Rating.score, Rating.handled_by).where(
            Rating.conversation_id.in_(ids)
        )
    )
    for cid, score, handler in ratings:
        facts[cid].rating = (score, handler)


async def article_categories(*, db: AsyncSession) -> dict[str, str]:
    """Map each article's slug to the category of its published (else newest) version."""
    number = func.coalesce(Article.published_version, Article.latest_version)
    rows = await db.execute(
        select(Article.slug, ArticleVersion.category).join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.number == number),
        )
    )
    return {str(row[0]): str(row[1]) for row in rows}


async def _categories(db: AsyncSession, facts: dict[str, ConversationFacts]) -> None:
    categories = await article_categories(db=db)
    for fact in facts.values():
        if fact.first_slug and fact.first_slug in categories:
            fact.category = categories[fact.first_slug]
        elif fact.tickets:
            fact.category = fact.tickets[0].category


async def _later_activity(
    db: AsyncSession, period: Period, facts: dict[str, ConversationFacts]
) -> None:
    """Mark answers that did not last: the same employee came back within DURABLE_DAYS."""
    employees = select(Conversation.employee_id).where(Conversation.id.in_(in_period(period)))
    horizon = period.end + timedelta(days=DURABLE_DAYS)
    later_turns = await db.execute(
        select(Conversation.employee_id, Conversation.id, Conversation.created_at, BotTurn.kb_hits)
        .join(BotTurn, BotTurn.conversation_id == Conversation.id)
        .where(
            Conversation.employee_id.in_(employees),
            Conversation.created_at >= period.start,
            Conversation.created_at < horizon,
        )
    )
    visits: dict[str, list[tuple[str, datetime, str]]] = defaultdict(list)
    for employee, cid, started, hits in later_turns:
        if slug := best_slug(hits):
            visits[employee].append((cid, started, slug))
    tickets = await db.execute(
        select(Ticket.requester_id, Ticket.created_at, Ticket.category).where(
            Ticket.requester_id.in_(employees),
            Ticket.created_at >= period.start,
            Ticket.created_at < horizon,
        )
    )
    opened: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for employee, created, category in tickets:
        opened[employee].append((created, category))
    for fact in facts.values():
        window_end = fact.started + timedelta(days=DURABLE_DAYS)
        fact.later_same_article = any(
            cid != fact.id and fact.started < started <= window_end and slug in fact.answered_slugs
            for cid, started, slug in visits[fact.employee_id]
        )
        fact.later_ticket_same_category = any(
            fact.started < created <= window_end and category == fact.category
            for created, category in opened[fact.employee_id]
        )
