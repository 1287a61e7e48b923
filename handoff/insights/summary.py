"""The summary of a period: headline counts, breakdowns, and every figure's denominator."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow

from . import classify, outcomes, recent, rollup
from . import facts as facts_store
from .facts import ConversationFacts, Period
from .portable import plan_each_time

WAIT_MEASURES = ("wait_for_agent", "first_agent_response")
CLOCKS = ("first_response", "resolution")
HANDLERS = ("bot", "agent")

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


async def summary(
    *, db: AsyncSession, period: Period, now: datetime | None = None, kept: bool = True
) -> dict[str, Any]:
    """Compute every outcome figure for the conversations started in the period.

    Rolled-up days are read from the rollup; the days not yet rolled up (the last 8) from
    their per-conversation rows, brought up to date first (recent.py); any other day (a
    rolled-up day that changed since) is classified live in SQL. All count the same way
    (classify.py). `kept=False` classifies every day not rolled up live (for comparison).
    """
    now = now or utcnow()
    await plan_each_time(db)
    usable = await rollup.usable_days(db=db, since=period.since, until=period.until, now=now)
    figures = await rollup.margins(db=db, days=usable)
    days = [period.since + timedelta(days=n) for n in range((period.until - period.since).days + 1)]
    rest = [d for d in days if d not in usable]
    if kept and rest and rest[-1] > rollup.last_closed_day(now):
        covered = await recent.refresh(db=db, now=now)
        from_rows = [d for d in rest if d >= covered]
        if from_rows:
            figures.add(await recent.aggregate(db=db, days=from_rows, now=now))
        rest = [d for d in rest if d < covered]
    for first, final in rollup.runs(rest):
        start, end = rollup.midnight(first), rollup.midnight(final + timedelta(days=1))
        figures.add(await classify.aggregate(db=db, start=start, end=end, now=now))
    categories = await facts_store.article_categories(db=db)
    return assemble(figures, period, categories)


def _headline(values: dict[str, int]) -> dict[str, Any]:
    responses = values["bot_ratings"] + values["agent_ratings"]
    return {
        "conversations": values["conversations"],
        "self_solved": values["self_solved"],
        "handed_to_agent": values["handed"],
        "tickets_opened": values["tickets"],
        "csat": _csat(responses, values["bot_score"] + values["agent_score"]),
    }


def _csat(responses: int, total: int) -> dict[str, Any]:
    return {"responses": responses, "average": round(total / responses, 2) if responses else None}


def assemble(
    figures: classify.Margins, period: Period, categories: dict[str, str]
) -> dict[str, Any]:
    """The summary of counted figures (rolled up and live alike)."""
    total: Counter[str] = Counter(dict.fromkeys(classify.COUNTS, 0))
    for values in figures.days.values():
        total.update(values)
    groups: dict[str, Counter[str]] = {}
    for (article, ticket_category), values in figures.topics.items():
        category = categories[article] if article in categories else ticket_category
        groups.setdefault(category or "general", Counter()).update(values)
    weeks: dict[date, Counter[str]] = {}
    for day, values in figures.days.items():
        weeks.setdefault(_monday(day), Counter()).update(values)
    histograms: dict[str, Counter[int]] = {m: Counter() for m in WAIT_MEASURES}
    for (measure, bound), n in figures.waits.items():
        histograms[measure][bound] += n
    days = figures.days
    return {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        **_headline(total),
        "self_solved_pending": figures.pending,
        "first_contact_resolution": total["first_contact"],
        "escalated_to_level_2": total["escalated"],
        "reopened": total["reopened"],
        "handoff_reasons": {r: total[f"reason_{r}"] for r in outcomes.REASONS},
        **{m: outcomes.spread(histograms[m]) for m in WAIT_MEASURES},
        "sla": _sla(figures.sla),
        "csat_by_handler": {h: _csat(total[f"{h}_ratings"], total[f"{h}_score"]) for h in HANDLERS},
        "by_day": [{"start": d.isoformat(), **_headline(days[d])} for d in sorted(days)],
        "by_week": [{"start": w.isoformat(), **_headline(weeks[w])} for w in sorted(weeks)],
        "by_language": {k: _headline(figures.locales[k]) for k in sorted(figures.locales)},
        "by_category": {k: _headline(groups[k]) for k in sorted(groups)},
        "denominators": DENOMINATORS,
    }


def _sla(counted: Counter[tuple[int, str, str]]) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {}
    for (priority, clock, state), n in counted.items():
        row = table.setdefault(
            str(priority),
            {"tickets": 0, **{c: dict.fromkeys(("met", "missed", "running"), 0) for c in CLOCKS}},
        )
        row[clock][state] += n
        if clock == CLOCKS[0]:
            row["tickets"] += n
    return dict(sorted(table.items()))


def summarize(
    found: list[ConversationFacts], period: Period, now: datetime | None = None
) -> dict[str, Any]:
    """The same summary from facts gathered per conversation (the reference the tests use);
    pending self-service and running SLA clocks as of `now` (default: now)."""
    now = now or utcnow()
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
        "self_solved_pending": sum(outcomes.pending(c, now) for c in found),
        "first_contact_resolution": sum(map(outcomes.first_contact_resolution, found)),
        "escalated_to_level_2": sum(t.level >= 2 for t in tickets),
        "reopened": sum(t.reopened for t in tickets),
        "handoff_reasons": {r: reasons.get(r, 0) for r in outcomes.REASONS},
        **outcomes.waits(found),
        "sla": outcomes.sla(tickets, now),
        "csat_by_handler": {h: outcomes.csat(handlers[h]) for h in HANDLERS},
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
