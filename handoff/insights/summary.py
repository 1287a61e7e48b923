"""The summary of a period: headline counts, breakdowns, and every figure's denominator."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from . import facts as facts_store
from . import outcomes
from .facts import ConversationFacts, Period

DENOMINATORS = {
    "self_solved": "conversations",
    "handed_to_agent": "conversations",
    "tickets_opened": "tickets of the conversations (not a share)",
    "first_contact_resolution": "conversations",
    "escalated_to_level_2": "tickets_opened",
    "reopened": "tickets_opened",
    "handoff_reasons": "conversations handed to a person or with a ticket",
    "wait_for_agent": "conversations an agent took (wait_for_agent.of)",
    "first_agent_response": "conversations with an agent reply (first_agent_response.of)",
    "sla": "tickets of that priority",
    "csat": "ratings given (csat.responses)",
}


async def summary(*, db: AsyncSession, period: Period) -> dict[str, Any]:
    """Compute every outcome figure for the conversations started in the period."""
    found = await facts_store.load(db=db, period=period)
    return summarize(found, period)


def summarize(found: list[ConversationFacts], period: Period) -> dict[str, Any]:
    """The summary of already gathered facts."""
    tickets = [t for c in found for t in c.tickets]
    reasons = Counter(r for c in found if (r := outcomes.reason(c)) is not None)
    handlers = defaultdict(list)
    for c in found:
        if c.rating is not None:
            handlers[c.rating[1]].append(c.rating)
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        **outcomes.counts(found),
        "self_solved_pending": sum(map(outcomes.pending, found)),
        "first_contact_resolution": sum(map(outcomes.first_contact_resolution, found)),
        "escalated_to_level_2": sum(t.level >= 2 for t in tickets),
        "reopened": sum(t.reopened for t in tickets),
        "handoff_reasons": {r: reasons.get(r, 0) for r in outcomes.REASONS},
        **outcomes.waits(found),
        "sla": outcomes.sla(tickets),
        "csat_by_handler": {h: outcomes.csat(handlers[h]) for h in ("bot", "agent")},
        "by_day": _series(found, lambda d: d),
        "by_week": _series(found, _monday),
        "by_language": _groups(found, lambda c: c.locale),
        "by_category": _groups(found, lambda c: c.category),
        "denominators": DENOMINATORS,
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(started: datetime) -> date:
    return started.date()


def _series(found: list[ConversationFacts], bucket: Callable[[date], date]) -> list[dict[str, Any]]:
    groups: dict[date, list[ConversationFacts]] = defaultdict(list)
    for c in found:
        groups[bucket(_day(c.started))].append(c)
    return [{"start": key.isoformat(), **outcomes.counts(groups[key])} for key in sorted(groups)]


def _groups(
    found: list[ConversationFacts], key: Callable[[ConversationFacts], str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[ConversationFacts]] = defaultdict(list)
    for c in found:
        groups[key(c)].append(c)
    return {name: outcomes.counts(groups[name]) for name in sorted(groups)}


def drill_down(
    found: list[ConversationFacts],
    *,
    figure: str,
    language: str | None = None,
    category: str | None = None,
    reason: str | None = None,
) -> list[dict[str, Any]]:
    """The conversations (with their tickets) that a figure counts."""
    test = outcomes.FIGURES[figure]
    return [
        row(c)
        for c in found
        if test(c)
        and (language is None or c.locale == language)
        and (category is None or c.category == category)
        and (reason is None or outcomes.reason(c) == reason)
    ]


CSV_FIELDS = (
    "conversation_id",
    "started",
    "employee_id",
    "language",
    "category",
    "answered_articles",
    "self_solved",
    "self_solved_pending",
    "handed_to_agent",
    "reason",
    "first_contact_resolution",
    "tickets",
    "escalated_to_level_2",
    "reopened",
    "rating",
    "rated_handler",
)


def row(c: ConversationFacts) -> dict[str, Any]:
    """One conversation as a flat row (drill-down and CSV)."""
    return {
        "conversation_id": c.id,
        "started": c.started.isoformat(),
        "employee_id": c.employee_id,
        "language": c.locale,
        "category": c.category,
        "answered_articles": " ".join(sorted(c.answered_slugs)),
        "self_solved": outcomes.self_solved(c),
        "self_solved_pending": outcomes.pending(c),
        "handed_to_agent": outcomes.handed(c),
        "reason": outcomes.reason(c) or "",
        "first_contact_resolution": outcomes.first_contact_resolution(c),
        "tickets": " ".join(t.number for t in c.tickets),
        "escalated_to_level_2": outcomes.escalated(c),
        "reopened": outcomes.reopened(c),
        "rating": c.rating[0] if c.rating else "",
        "rated_handler": c.rating[1] if c.rating else "",
    }
