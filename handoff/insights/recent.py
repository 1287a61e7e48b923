"""The days not yet rolled up, kept one row per conversation so that a summary reads them fast.

A day is rolled up only once its conversations' 7-day durability window has closed, so a
summary always has about 8 open days. Classifying them on every request (every conversation
joined with its turns, tickets, later visits and ratings) costs about 0.5 s per day of
11,000 conversations. Instead each conversation of those days has one narrow row of its
flags (`insights_recent_conversations`: the same definitions, classify.py, restricted to
that conversation) and each of their tickets one row of its SLA clocks; a summary first
brings the rows of whatever changed since the last time up to date, then sums the rows.

Changed means what the rollup trusts too (conversations, tickets, ratings and topics whose
`updated_at` moved; every message moves its conversation's) and, because a later visit can
undo an earlier self-service, every conversation of an employee who has written or got a
ticket since. The watermark lags each refresh's start by `LAG` (a minute), so that a change
committed while a refresh ran is caught by the next one; an erased conversation is noticed
by a count and its row dropped. The first refresh (no state yet) classifies the open days
day by day; the rollup job does it in the background, a summary only if the job has not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import Conversation, Rating, Topic
from handoff.tickets.models import Ticket

from . import classify, clocks, portable, rollup
from .facts import DURABLE_DAYS
from .models import RecentConversation, RecentState, RecentTicket

# A change committed up to this long after it was made (its updated_at) is still seen: the
# watermark lags each refresh by it. The service's transactions last well under a second.
LAG = timedelta(minutes=1)
LOCK_KEY = 0x1A5165  # PostgreSQL: one refresh at a time (the others wait, then find little)
CHUNK = 500  # conversations classified per query when refreshing some of them
FLAGS = classify.COUNTS[1:]  # "conversations" is the row itself


async def refresh(*, db: AsyncSession, now: datetime) -> date:
    """Bring the rows up to date as of now; commit. Return the first day they cover."""
    if portable.is_postgres(db):
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    await portable.plan_each_time(db)
    state = await db.get(RecentState, 1)
    checked = now - LAG
    if state is None:
        since = rollup.last_closed_day(now) + timedelta(days=1)
        await _rebuild(db, since, now)
        db.add(RecentState(id=1, since=since, watermark=checked))
    else:
        since = state.since
        start = rollup.midnight(since)
        ids = await _changed(db, start, portable.aware(state.watermark))
        for chunk in _chunks(sorted(ids)):
            await _classify(db, start, now, chunk)
        await _drop_erased(db, start)
        state.watermark = checked
    await db.commit()
    return since


async def forget_before(*, db: AsyncSession, day: date) -> None:
    """Drop the rows of the days before `day` (rolled up by now) and cover from `day` on."""
    state = await db.get(RecentState, 1)
    if state is None or state.since >= day:
        return
    for model in (RecentConversation, RecentTicket):
        await db.execute(delete(model).where(model.day < day))
    state.since = day


async def forget(*, db: AsyncSession) -> None:
    """Drop every row (the next refresh classifies the open days again)."""
    for model in (RecentConversation, RecentTicket, RecentState):
        await db.execute(delete(model))


async def aggregate(*, db: AsyncSession, days: list[date], now: datetime) -> classify.Aggregates:
    """The figures of these days (all covered by the rows) as classify.aggregate gives them."""
    await portable.plan_each_time(db)
    result = classify.Aggregates()
    r = RecentConversation
    keys = (r.day, r.locale, r.article, r.ticket_category)
    pending = portable.flag((r.self_solved == 1) & (r.started > now - timedelta(DURABLE_DAYS)))
    rows = await db.execute(
        select(
            *keys,
            func.count(),
            *(func.sum(getattr(r, name)) for name in FLAGS),
            func.sum(pending),
        )
        .where(r.day.in_(days))
        .group_by(*keys)
    )
    for day, locale, article, category, *values, waiting in rows:
        key = (_day(day), str(locale), str(article), str(category))
        result.groups[key] = {n: int(v or 0) for n, v in zip(classify.COUNTS, values, strict=True)}
        result.pending += int(waiting or 0)
    waits = (r.wait_for_agent, r.first_agent_response)
    counted = await db.execute(
        select(r.day, *waits, func.count())
        .where(r.day.in_(days), or_(*(w.is_not(None) for w in waits)))
        .group_by(r.day, *waits)
    )
    for day, for_agent, first_response, n in counted:
        for measure, bound in (
            ("wait_for_agent", for_agent),
            ("first_agent_response", first_response),
        ):
            if bound is not None:
                wait = (_day(day), measure, int(bound))
                result.waits[wait] = result.waits.get(wait, 0) + int(n)
    t = RecentTicket
    states = [
        clocks.clock_state(done, due, now)
        for done, due in (
            (t.first_responded_at, t.first_response_due),
            (t.resolved_at, t.resolution_due),
        )
    ]
    counted = await db.execute(
        select(t.day, t.priority, *states, func.count())
        .where(t.day.in_(days))
        .group_by(t.day, t.priority, *states)
    )
    for row in counted:
        clock_row: tuple[Any, ...] = tuple(row)
        day, priority, first_response, resolution, n = clock_row
        for clock, name in (("first_response", first_response), ("resolution", resolution)):
            clocked = (_day(day), int(priority), clock, str(name))
            result.sla[clocked] = result.sla.get(clocked, 0) + int(n)
    return result


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for n in range(0, len(ids), CHUNK):
        yield ids[n : n + CHUNK]


async def _rebuild(db: AsyncSession, since: date, now: datetime) -> None:
    """Classify every conversation from `since` on, one day per query (plans stay linear)."""
    await forget(db=db)
    day = since
    while day <= now.date():
        await _classify(db, rollup.midnight(day), now, None, rollup.midnight(day + timedelta(1)))
        day += timedelta(days=1)


async def _changed(db: AsyncSession, start: datetime, watermark: datetime) -> set[str]:
    """The conversations from `start` on whose rows may be out of date since the watermark."""
    recent = Conversation.created_at >= start
    ids: set[str] = set()
    employees: set[str] = set()
    for cid, employee in await db.execute(
        select(Conversation.id, Conversation.employee_id).where(
            Conversation.updated_at > watermark, recent
        )
    ):
        ids.add(cid)
        employees.add(employee)
    for ticket_cid, requester in await db.execute(
        select(Ticket.conversation_id, Ticket.requester_id).where(Ticket.updated_at > watermark)
    ):
        if ticket_cid is not None:
            ids.add(ticket_cid)
        employees.add(requester)
    for model in (Rating, Topic):
        ids.update(
            await db.scalars(
                select(model.conversation_id).where(model.updated_at > watermark).distinct()
            )
        )
    for chunk in _chunks(sorted(employees)):
        ids.update(
            await db.scalars(
                select(Conversation.id).where(Conversation.employee_id.in_(chunk), recent)
            )
        )
    return ids


async def _classify(
    db: AsyncSession,
    start: datetime,
    now: datetime,
    ids: list[str] | None,
    end: datetime | None = None,
) -> None:
    """Write the rows of these conversations (or of all started in [start, end))."""
    pg = portable.is_postgres(db)
    await portable.no_jit(db)
    end = end or now + timedelta(days=1)
    k = classify.classified(start, end, pg, ids)
    rows = (await db.execute(select(k))).mappings().all()
    found = [row["cid"] for row in rows]
    for model in (RecentConversation, RecentTicket):
        if ids is not None:
            await db.execute(delete(model).where(model.conversation_id.in_(ids)))
    waits = await _waits(db, start, end, ids, pg)
    if rows:  # plain INSERTs of many rows: no ORM objects for a day of 11,000 conversations
        await db.execute(
            insert(RecentConversation),
            [
                {
                    "conversation_id": row["cid"],
                    "day": _day(row["day"]),
                    "started": portable.aware(row["started"]),
                    "locale": str(row["locale"]),
                    "article": row["first_slug"] or "",
                    "ticket_category": row["ticket_category"] or "",
                    **{name: int(row[name] or 0) for name in FLAGS},
                    "wait_for_agent": None,
                    "first_agent_response": None,
                    **waits.get(row["cid"], {}),
                }
                for row in rows
            ],
        )
        tickets = await _tickets(db, start, end, found if ids is not None else None, pg)
        if tickets:
            await db.execute(insert(RecentTicket), tickets)


async def _waits(
    db: AsyncSession, start: datetime, end: datetime, ids: list[str] | None, pg: bool
) -> dict[str, dict[str, int]]:
    """Each conversation's wait buckets (as clocks.waits counts them)."""
    chosen = [Conversation.created_at >= start, Conversation.created_at < end]
    if ids is not None:
        chosen.append(Conversation.id.in_(ids))
    reply = clocks.first_agent_reply(*chosen)
    found: dict[str, dict[str, int]] = {}
    for measure, until, source in (
        ("wait_for_agent", Conversation.claimed_at, None),
        ("first_agent_response", reply.c.at, reply),
    ):
        wait = portable.seconds(Conversation.queued_at, until, pg)
        query = select(Conversation.id, clocks.bucket_of(wait)).where(
            *chosen, Conversation.queued_at.is_not(None), until.is_not(None), wait >= 0
        )
        if source is not None:
            query = query.join(source, source.c.cid == Conversation.id)
        for cid, bound in await db.execute(query):
            found.setdefault(cid, {})[measure] = int(bound)
    return found


async def _tickets(
    db: AsyncSession, start: datetime, end: datetime, ids: list[str] | None, pg: bool
) -> list[dict[str, Any]]:
    chosen = [Conversation.created_at >= start, Conversation.created_at < end]
    if ids is not None:
        chosen.append(Conversation.id.in_(ids))
    rows = await db.execute(
        select(
            Ticket.id,
            Ticket.conversation_id,
            portable.day_of(Conversation.created_at, pg),
            Ticket.priority,
            Ticket.first_response_due,
            Ticket.first_responded_at,
            Ticket.resolution_due,
            Ticket.resolved_at,
        )
        .join(Conversation, Conversation.id == Ticket.conversation_id)
        .where(*chosen)
    )
    return [
        {
            "ticket_id": tid,
            "conversation_id": cid,
            "day": _day(day),
            "priority": priority,
            "first_response_due": portable.aware(first_due),
            "first_responded_at": portable.aware(first_done) if first_done else None,
            "resolution_due": portable.aware(resolution_due),
            "resolved_at": portable.aware(resolved) if resolved else None,
        }
        for tid, cid, day, priority, first_due, first_done, resolution_due, resolved in rows
    ]


async def _drop_erased(db: AsyncSession, start: datetime) -> None:
    """Drop the rows of conversations that are gone (erased), if the counts say some are."""
    rows = await db.scalar(select(func.count()).select_from(RecentConversation))
    kept = await db.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.created_at >= start)
    )
    if (rows or 0) <= (kept or 0):
        return
    gone = ~exists().where(Conversation.id == RecentConversation.conversation_id)
    gone_ids = select(RecentConversation.conversation_id).where(gone)
    await db.execute(delete(RecentTicket).where(RecentTicket.conversation_id.in_(gone_ids)))
    await db.execute(delete(RecentConversation).where(gone))
