"""The insights rollup: additive figures per closed day and per hour, kept by a job.

A day is rolled up once its conversations' 7-day durability window has closed (the day is
more than 8 days old): its counts per (language, first article, first ticket category), its
wait histograms and SLA counts go into the `insights_daily*` tables. A rolled-up day is used
only while it is still true: the job, and every summary, treat it as stale when one of its
conversations, their tickets or ratings changed after it was computed, or when a running
SLA clock of it has fallen due since; such a day is computed live until the job rolls it up
again. Complete hours go into `insights_hourly_articles` (conversations that first asked
about an article in that hour) for trends and spikes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn, Conversation, Rating
from handoff.tickets.models import Ticket

from . import asks, classify, portable
from .facts import DURABLE_DAYS
from .models import DailyOutcome, DailySla, DailyWait, HourlyArticle, RolledDay

# Changes committed around the job's start are caught by the next run, not lost.
SAFETY = timedelta(minutes=5)
CHUNK_DAYS = 1  # one day per query: the plan stays linear (a week at once can blow up)
LOCK_KEY = 0x1A5164  # the PostgreSQL advisory lock of the rollup


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def last_closed_day(now: datetime) -> date:
    """The latest day whose conversations' durability windows have all closed by now."""
    return (now - timedelta(days=DURABLE_DAYS + 1)).date()


def runs(days: list[date], longest: int = CHUNK_DAYS) -> Iterator[tuple[date, date]]:
    """Consecutive days as [first, last] ranges of at most `longest` days."""
    start = previous = None
    for day in sorted(days):
        if start is None or previous is None:
            start = previous = day
        elif day == previous + timedelta(days=1) and (day - start).days < longest:
            previous = day
        else:
            yield start, previous
            start = previous = day
    if start is not None and previous is not None:
        yield start, previous


async def stale(*, db: AsyncSession, rolled: dict[date, RolledDay], now: datetime) -> set[date]:
    """The rolled-up days that no longer hold: something changed, or an SLA clock fell due."""
    found = {d for d, r in rolled.items() if r.stale_at is not None and r.stale_at <= now}
    if not rolled:
        return found
    pg = portable.is_postgres(db)
    since = min(r.computed_at for r in rolled.values())
    day = portable.day_of(Conversation.created_at, pg)
    lowest, highest = midnight(min(rolled)), midnight(max(rolled) + timedelta(days=1))
    in_days = (Conversation.created_at >= lowest, Conversation.created_at < highest)
    queries = [
        select(day, func.max(Conversation.updated_at)).where(
            Conversation.updated_at > since, *in_days
        ),
        select(day, func.max(Ticket.updated_at))
        .join(Conversation, Conversation.id == Ticket.conversation_id)
        .where(Ticket.updated_at > since, *in_days),
        select(day, func.max(Rating.updated_at))
        .join(Conversation, Conversation.id == Rating.conversation_id)
        .where(Rating.updated_at > since, *in_days),
    ]
    for query in queries:
        for day_text, changed in await db.execute(query.group_by(day)):
            d = date.fromisoformat(day_text)
            if d in rolled and portable.aware(changed) > rolled[d].computed_at:
                found.add(d)
    return found


async def usable_days(*, db: AsyncSession, since: date, until: date, now: datetime) -> set[date]:
    """The days of [since, until] whose rolled-up figures hold now."""
    rows = await db.scalars(select(RolledDay).where(RolledDay.day >= since, RolledDay.day <= until))
    rolled = {r.day: r for r in rows}
    return set(rolled) - await stale(db=db, rolled=rolled, now=now)


async def _sums(
    db: AsyncSession, keys: tuple[Any, ...], days: list[date]
) -> list[tuple[tuple[Any, ...], Counter[str]]]:
    """The rolled-up counts of these days summed per keys."""
    sums = [func.sum(getattr(DailyOutcome, name)) for name in classify.COUNTS]
    rows = await db.execute(select(*keys, *sums).where(DailyOutcome.day.in_(days)).group_by(*keys))
    return [
        (
            tuple(row[: len(keys)]),
            Counter(dict(zip(classify.COUNTS, map(int, row[len(keys) :]), strict=True))),
        )
        for row in rows
    ]


async def margins(*, db: AsyncSession, days: set[date]) -> classify.Margins:
    """The rolled-up figures of these days, summed in the database."""
    result = classify.Margins()
    if not days:
        return result
    chosen = sorted(days)
    result.days = {k[0]: v for k, v in await _sums(db, (DailyOutcome.day,), chosen)}
    result.locales = {k[0]: v for k, v in await _sums(db, (DailyOutcome.locale,), chosen)}
    topic = (DailyOutcome.article, DailyOutcome.ticket_category)
    result.topics = {(k[0], k[1]): v for k, v in await _sums(db, topic, chosen)}
    waits = await db.execute(
        select(DailyWait.measure, DailyWait.bucket, func.sum(DailyWait.count))
        .where(DailyWait.day.in_(chosen))
        .group_by(DailyWait.measure, DailyWait.bucket)
    )
    result.waits.update({(m, int(b)): int(n) for m, b, n in waits})
    sla = await db.execute(
        select(DailySla.priority, DailySla.clock, DailySla.state, func.sum(DailySla.count))
        .where(DailySla.day.in_(chosen))
        .group_by(DailySla.priority, DailySla.clock, DailySla.state)
    )
    result.sla.update({(int(p), c, st): int(n) for p, c, st, n in sla})
    return result


async def roll_up(*, db: AsyncSession, now: datetime) -> dict[str, int]:
    """Roll up the closed days that are missing or stale, and the complete hours; commit.

    With several service instances on PostgreSQL, one rolls up at a time (the others skip).
    """
    if portable.is_postgres(db) and not await db.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
    ):
        return {"days": 0, "hours": 0}
    days = await _roll_days(db, now)
    hours = await _roll_hours(db, now)
    await db.commit()
    return {"days": days, "hours": hours}


async def forget(*, db: AsyncSession) -> None:
    """Drop the whole rollup (it is computed again from the conversations by the next run)."""
    for model in (DailyOutcome, DailyWait, DailySla, RolledDay, HourlyArticle):
        await db.execute(delete(model))


async def _roll_days(db: AsyncSession, now: datetime) -> int:
    last = last_closed_day(now)
    first_start = await db.scalar(select(func.min(Conversation.created_at)))
    if first_start is None or first_start.date() > last:
        return 0
    rolled = {r.day: r for r in await db.scalars(select(RolledDay))}
    dirty = await stale(db=db, rolled=rolled, now=now)
    checked = now - SAFETY
    await db.execute(
        update(RolledDay)
        .where(RolledDay.day.not_in(dirty) if dirty else RolledDay.day.is_not(None))
        .values(computed_at=checked)
    )
    wanted = [
        day
        for n in range((last - first_start.date()).days + 1)
        if (day := first_start.date() + timedelta(days=n)) not in rolled or day in dirty
    ]
    for first, final in runs(wanted):
        figures = await classify.aggregate(
            db=db, start=midnight(first), end=midnight(final + timedelta(days=1)), now=now
        )
        await _store(db, first, final, figures, checked)
    return len(wanted)


async def _store(
    db: AsyncSession, first: date, final: date, figures: classify.Aggregates, checked: datetime
) -> None:
    for model in (DailyOutcome, DailyWait, DailySla, RolledDay):
        await db.execute(delete(model).where(model.day >= first, model.day <= final))
    db.add_all(
        DailyOutcome(day=d, locale=lo, article=a, ticket_category=c, **values)
        for (d, lo, a, c), values in figures.groups.items()
    )
    db.add_all(
        DailyWait(day=d, measure=m, bucket=b, count=n) for (d, m, b), n in figures.waits.items()
    )
    db.add_all(
        DailySla(day=d, priority=p, clock=c, state=s, count=n)
        for (d, p, c, s), n in figures.sla.items()
    )
    day = first
    while day <= final:
        db.add(RolledDay(day=day, computed_at=checked, stale_at=figures.stale_at.get(day)))
        day += timedelta(days=1)
    await db.flush()


def hour_floor(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


async def hours_rolled_until(*, db: AsyncSession) -> datetime | None:
    """The end of the rolled-up hours: every hour before it is in the hourly table."""
    latest = await db.scalar(select(func.max(HourlyArticle.hour)))
    return None if latest is None else portable.aware(latest) + timedelta(hours=1)


async def _roll_hours(db: AsyncSession, now: datetime) -> int:
    end = hour_floor(now - SAFETY)
    start = await hours_rolled_until(db=db)
    if start is None:
        earliest = await db.scalar(select(func.min(BotTurn.created_at)))
        if earliest is None:
            return 0
        start = hour_floor(portable.aware(earliest))
    if start >= end:
        return 0
    counts = await asks.first_asks_by_hour(db=db, start=start, end=end)
    db.add_all(
        HourlyArticle(hour=h, article=slug, day=h.date(), clock_hour=h.hour, count=n)
        for (h, slug), n in counts.items()
    )
    await db.flush()
    return len(counts)
