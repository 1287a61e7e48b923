"""The outcome definitions (docs/insights.md) as SQL: every conversation of a time range is
classified in the database and only the counts per (day, language, article, ticket
category) come back. `outcomes.py` holds the same definitions per conversation in Python
(drill-down, CSV); the tests hold the two to the same figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Conversation, Rating, Topic
from handoff.kb.models import Article, ArticleVersion
from handoff.tickets.models import OPEN_STATUSES, Ticket, TicketActivity

from . import clocks
from .facts import DURABLE_DAYS
from .portable import best_slug, day_of, flag, is_postgres, no_jit, seconds

COUNTS = (
    "conversations",
    "self_solved",
    "handed",
    "tickets",
    "first_contact",
    "escalated",
    "reopened",
    "reason_requested",
    "reason_low_confidence",
    "reason_negative_feedback",
    "reason_form",
    "bot_ratings",
    "bot_score",
    "agent_ratings",
    "agent_score",
)
GroupKey = tuple[date, str, str, str]  # day, locale, first article ("" none), ticket category


@dataclass
class Aggregates:
    """Additive figures of some days: what the rollup stores and the live path computes."""

    groups: dict[GroupKey, dict[str, int]] = field(default_factory=dict)
    waits: dict[tuple[date, str, int], int] = field(default_factory=dict)  # day, measure, bucket
    sla: dict[tuple[date, int, str, str], int] = field(default_factory=dict)
    pending: int = 0  # self-solved whose 7 days are not over (never in the rollup)
    stale_at: dict[date, datetime] = field(default_factory=dict)  # a running SLA clock's due


@dataclass
class Margins:
    """Counts summed per day, per language and per (first article, first ticket category):
    all a summary needs, from the rollup (summed in SQL) and the live days alike."""

    days: dict[date, Counter[str]] = field(default_factory=dict)
    locales: dict[str, Counter[str]] = field(default_factory=dict)
    topics: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    waits: Counter[tuple[str, int]] = field(default_factory=Counter)  # measure, bucket
    sla: Counter[tuple[int, str, str]] = field(default_factory=Counter)  # priority, clock, state
    pending: int = 0

    def add(self, figures: Aggregates) -> None:
        """Add the figures of some days (computed live)."""
        for (day, locale, article, category), values in figures.groups.items():
            self.days.setdefault(day, Counter()).update(values)
            self.locales.setdefault(locale, Counter()).update(values)
            self.topics.setdefault((article, category), Counter()).update(values)
        for (_, measure, bucket), n in figures.waits.items():
            self.waits[(measure, bucket)] += n
        for (_, priority, clock, state), n in figures.sla.items():
            self.sla[(priority, clock, state)] += n
        self.pending += figures.pending


def categories() -> Any:
    """Each article's slug and the category of its published (else newest) version."""
    number = func.coalesce(Article.published_version, Article.latest_version)
    return (
        select(Article.slug.label("slug"), ArticleVersion.category.label("category"))
        .join(
            ArticleVersion,
            (ArticleVersion.article_id == Article.id) & (ArticleVersion.number == number),
        )
        .cte("categories")
    )


async def aggregate(
    *, db: AsyncSession, start: datetime, end: datetime, now: datetime
) -> Aggregates:
    """Classify the conversations started in [start, end) in SQL; return the counts."""
    pg = is_postgres(db)
    await no_jit(db)
    result = Aggregates()
    k = classified(start, end, pg)
    totals = [func.sum(getattr(k.c, name)) for name in COUNTS[1:]]
    rows = await db.execute(
        select(
            k.c.day,
            k.c.locale,
            k.c.first_slug,
            k.c.ticket_category,
            func.count(),
            *totals,
            func.sum(flag((k.c.self_solved == 1) & (k.c.started > now - timedelta(DURABLE_DAYS)))),
        ).group_by(k.c.day, k.c.locale, k.c.first_slug, k.c.ticket_category)
    )
    for day, locale, slug, category, *values, pending in rows:
        key = (date.fromisoformat(day), str(locale), slug or "", category or "")
        result.groups[key] = {name: int(v or 0) for name, v in zip(COUNTS, values, strict=True)}
        result.pending += int(pending or 0)
    result.waits = await clocks.waits(db=db, start=start, end=end, pg=pg)
    result.sla, result.stale_at = await clocks.sla(db=db, start=start, end=end, now=now, pg=pg)
    return result


def classified(start: datetime, end: datetime, pg: bool, ids: Any = None) -> Any:
    """One row per conversation started in [start, end) (of `ids` only, if given) with every
    flag the definitions need."""
    chosen = (Conversation.id.in_(ids),) if ids is not None else ()
    conv = (
        select(
            Conversation.id,
            Conversation.employee_id,
            Conversation.created_at,
            Conversation.locale,
            Conversation.close_reason,
            Conversation.handoff_reason,
            Conversation.queued_at,
            Conversation.claimed_at,
        )
        .where(Conversation.created_at >= start, Conversation.created_at < end, *chosen)
        .cte("conv")
    )
    slug = best_slug(BotTurn.kb_hits)
    turns = (
        select(
            BotTurn.conversation_id.label("cid"),
            BotTurn.id.label("tid"),
            BotTurn.outcome.label("outcome"),
            slug.label("slug"),
        )
        .where(BotTurn.conversation_id.in_(select(conv.c.id)), BotTurn.created_at >= start)
        .cte("turns")
    )
    first = (
        select(turns.c.cid, func.min(turns.c.tid).label("tid"))
        .where(turns.c.slug.is_not(None))
        .group_by(turns.c.cid)
        .subquery("first")
    )
    first_slug = select(turns.c.cid, turns.c.slug).join(first, first.c.tid == turns.c.tid)
    first_slug_q = first_slug.subquery("first_slug")
    answered = (
        select(turns.c.cid, turns.c.slug)
        .where(turns.c.outcome == "answered", turns.c.slug.is_not(None))
        .distinct()
        .cte("answered")
    )
    tickets = _ticket_facts(conv)
    cats = categories()
    category = func.coalesce(cats.c.category, tickets.c.category, "general")
    base = (
        select(
            conv.c.id,
            conv.c.employee_id,
            conv.c.created_at,
            conv.c.locale,
            conv.c.close_reason,
            conv.c.handoff_reason,
            conv.c.queued_at,
            conv.c.claimed_at,
            first_slug_q.c.slug.label("first_slug"),
            tickets.c.category.label("ticket_category"),
            category.label("category"),
            func.coalesce(tickets.c.tickets, 0).label("tickets"),
            func.coalesce(tickets.c.escalated, 0).label("escalated"),
            func.coalesce(tickets.c.reopened, 0).label("reopened"),
            func.coalesce(tickets.c.not_level_1, 0).label("not_level_1"),
        )
        .outerjoin(first_slug_q, first_slug_q.c.cid == conv.c.id)
        .outerjoin(cats, cats.c.slug == first_slug_q.c.slug)
        .outerjoin(tickets, tickets.c.cid == conv.c.id)
        .cte("base")
    )
    return _flags(base, answered, start, end, pg)


def _ticket_facts(conv: Any) -> Any:
    """Per conversation: its tickets, escalated and reopened ones, the first one's category."""
    reopened = exists().where(
        TicketActivity.ticket_id == Ticket.id,
        TicketActivity.kind == "status",
        TicketActivity.detail["old"].as_string().in_(("resolved", "closed")),
        TicketActivity.detail["new"].as_string().in_(OPEN_STATUSES),
    )
    per_ticket = (
        select(
            Ticket.id,
            Ticket.conversation_id.label("cid"),
            Ticket.level,
            Ticket.category,
            flag(reopened).label("reopened"),
        )
        .where(Ticket.conversation_id.in_(select(conv.c.id)))
        .subquery("per_ticket")
    )
    first_id = func.min(per_ticket.c.id)
    grouped = (
        select(
            per_ticket.c.cid,
            func.count().label("tickets"),
            func.sum(flag(per_ticket.c.level >= 2)).label("escalated"),
            func.sum(per_ticket.c.reopened).label("reopened"),
            func.sum(flag((per_ticket.c.level != 1) | (per_ticket.c.reopened == 1))).label(
                "not_level_1"
            ),
            first_id.label("first_id"),
        )
        .group_by(per_ticket.c.cid)
        .subquery("grouped")
    )
    return (
        select(grouped, Ticket.category.label("category"))
        .join(Ticket, Ticket.id == grouped.c.first_id)
        .cte("ticket_facts")
    )


def _flags(base: Any, answered: Any, start: datetime, end: datetime, pg: bool) -> Any:
    """Add handed, answered, lasting, the reason and the rating to each conversation."""
    horizon = end + timedelta(days=DURABLE_DAYS)
    window = DURABLE_DAYS * 86400
    later = (
        select(
            Conversation.employee_id,
            Conversation.id.label("cid"),
            Conversation.created_at,
            best_slug(BotTurn.kb_hits).label("slug"),
        )
        .join(BotTurn, BotTurn.conversation_id == Conversation.id)
        .where(
            Conversation.created_at >= start,
            Conversation.created_at < horizon,
            BotTurn.created_at >= start,  # a turn is never older than its conversation
            Conversation.employee_id.in_(select(base.c.employee_id)),
        )
        .subquery("later")
    )
    came_back = (
        select(base.c.id)
        .join(answered, answered.c.cid == base.c.id)
        .join(
            later,
            and_(
                later.c.employee_id == base.c.employee_id,
                later.c.slug == answered.c.slug,
                later.c.cid != base.c.id,
                later.c.created_at > base.c.created_at,
            ),
        )
        .where(seconds(base.c.created_at, later.c.created_at, pg) <= window)
        .distinct()
        .subquery("came_back")
    )
    ticket_back = (
        select(base.c.id)
        .join(
            Ticket,
            and_(
                Ticket.requester_id == base.c.employee_id,
                Ticket.category == base.c.category,
                Ticket.created_at > base.c.created_at,
                Ticket.created_at < horizon,
            ),
        )
        .where(
            seconds(base.c.created_at, Ticket.created_at, pg) <= window,
            # Said outright so that the requester index is used, not every ticket read.
            Ticket.requester_id.in_(select(base.c.employee_id)),
            Ticket.created_at > start,
        )
        .distinct()
        .subquery("ticket_back")
    )
    # Joined once (not EXISTS per row): the flags below use them several times.
    topics = (
        select(Topic.conversation_id.label("cid"))
        .where(Topic.state == "handed_off", Topic.conversation_id.in_(select(base.c.id)))
        .distinct()
        .subquery("topics")
    )
    answered_ids = select(answered.c.cid).distinct().subquery("answered_ids")
    handed = or_(
        base.c.queued_at.is_not(None),
        base.c.claimed_at.is_not(None),
        base.c.handoff_reason.is_not(None),
        topics.c.cid.is_not(None),
    )
    was_answered = answered_ids.c.cid.is_not(None)
    lasted = and_(came_back.c.id.is_(None), ticket_back.c.id.is_(None))
    solved = and_(was_answered, ~handed, base.c.tickets == 0, lasted)
    reason = case(
        (handed, func.coalesce(base.c.handoff_reason, "requested")),
        (base.c.tickets > 0, "form"),
        else_=None,
    )
    agent_fcr = and_(
        base.c.claimed_at.is_not(None),
        base.c.close_reason == "resolved",
        base.c.not_level_1 == 0,
    )
    rating = (
        select(Rating.conversation_id, Rating.handled_by, Rating.score)
        .where(Rating.conversation_id.in_(select(base.c.id)))
        .subquery("rating")
    )
    by_bot = rating.c.handled_by == "bot"
    by_agent = rating.c.handled_by == "agent"
    return (
        select(
            base.c.id.label("cid"),
            day_of(base.c.created_at, pg).label("day"),
            base.c.locale,
            base.c.first_slug,
            base.c.ticket_category,
            base.c.created_at.label("started"),
            flag(solved).label("self_solved"),
            flag(handed).label("handed"),
            base.c.tickets,
            flag(or_(solved, agent_fcr)).label("first_contact"),
            base.c.escalated,
            base.c.reopened,
            *(
                flag(reason == name).label(f"reason_{name}")
                for name in ("requested", "low_confidence", "negative_feedback", "form")
            ),
            flag(by_bot).label("bot_ratings"),
            case((by_bot, rating.c.score), else_=0).label("bot_score"),
            flag(by_agent).label("agent_ratings"),
            case((by_agent, rating.c.score), else_=0).label("agent_score"),
        )
        .select_from(base)
        .outerjoin(answered_ids, answered_ids.c.cid == base.c.id)
        .outerjoin(topics, topics.c.cid == base.c.id)
        .outerjoin(came_back, came_back.c.id == base.c.id)
        .outerjoin(ticket_back, ticket_back.c.id == base.c.id)
        .outerjoin(rating, rating.c.conversation_id == base.c.id)
        .subquery("classified")
    )
