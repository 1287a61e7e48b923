"""Waits and SLA clocks of the conversations started in a time range, counted in SQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import Conversation, Message
from handoff.tickets.models import Ticket

from .outcomes import WAIT_BUCKETS
from .portable import aware, day_of, seconds

Waits = dict[tuple[date, str, int], int]  # day, measure, bucket -> conversations
Clocks = dict[tuple[date, int, str, str], int]  # day, priority, clock, state -> tickets


def bucket_of(value: ColumnElement[float]) -> ColumnElement[int]:
    """The fixed bucket (upper bound in seconds) a wait falls into, as `outcomes.bucket`."""
    return case(
        *((value <= bound, literal_column(str(bound))) for bound in WAIT_BUCKETS[:-1]),
        else_=literal_column(str(WAIT_BUCKETS[-1])),
    )


def first_agent_reply(*chosen: ColumnElement[bool]) -> Any:
    """Per conversation (of those `chosen`): when an agent first wrote to the employee."""
    return (
        select(Message.conversation_id.label("cid"), func.min(Message.created_at).label("at"))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(*chosen, Message.sender == "agent", ~Message.internal)
        .group_by(Message.conversation_id)
        .subquery("reply")
    )


def clock_state(done: Any, due: Any, now: datetime) -> ColumnElement[str]:
    """An SLA clock as of now: met or missed once done, missed once due, else running."""
    return case(
        (done.is_not(None), case((done <= due, "met"), else_="missed")),
        (due < now, "missed"),
        else_="running",
    )


async def waits(*, db: AsyncSession, start: datetime, end: datetime, pg: bool) -> Waits:
    """Count the waits for an agent and for the first agent reply into their buckets."""
    counted: Waits = {}
    reply = first_agent_reply(Conversation.created_at >= start, Conversation.created_at < end)
    day = day_of(Conversation.created_at, pg)
    in_range = and_(Conversation.created_at >= start, Conversation.created_at < end)
    for measure, until, source in (
        ("wait_for_agent", Conversation.claimed_at, None),
        ("first_agent_response", reply.c.at, reply),
    ):
        wait = seconds(Conversation.queued_at, until, pg)
        bucket = bucket_of(wait)
        query = select(day, bucket, func.count()).where(
            in_range, Conversation.queued_at.is_not(None), until.is_not(None), wait >= 0
        )
        if source is not None:
            query = query.join(source, source.c.cid == Conversation.id)
        rows = await db.execute(query.group_by(day, bucket))
        for d, bound, count in rows:
            counted[(date.fromisoformat(d), measure, int(bound))] = int(count)
    return counted


async def sla(
    *, db: AsyncSession, start: datetime, end: datetime, now: datetime, pg: bool
) -> tuple[Clocks, dict[date, datetime]]:
    """Count the tickets of these conversations per priority and clock state; also say
    per day when its first running clock falls due (then the counts change)."""
    counted: Clocks = {}
    stale_at: dict[date, datetime] = {}
    day = day_of(Conversation.created_at, pg)
    clocks = {
        "first_response": (Ticket.first_responded_at, Ticket.first_response_due),
        "resolution": (Ticket.resolved_at, Ticket.resolution_due),
    }
    for clock, (done, due) in clocks.items():
        state = clock_state(done, due, now)
        rows = await db.execute(
            select(
                day,
                Ticket.priority,
                state,
                func.count(),
                func.min(case((done.is_(None) & (due >= now), due), else_=None)),
            )
            .join(Conversation, Conversation.id == Ticket.conversation_id)
            .where(Conversation.created_at >= start, Conversation.created_at < end)
            .group_by(day, Ticket.priority, state)
        )
        for d, priority, name, count, due_next in rows:
            key = date.fromisoformat(d)
            counted[(key, int(priority), clock, str(name))] = int(count)
            if due_next is not None:
                due_at = aware(due_next)
                if key not in stale_at or due_at < stale_at[key]:
                    stale_at[key] = due_at
    return counted, stale_at
