"""SQL expressions that read the same on SQLite and PostgreSQL (times are UTC on both)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, extract, func, text
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgres(db: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL (else SQLite)."""
    return db.get_bind().dialect.name == "postgresql"


async def plan_each_time(db: AsyncSession) -> None:
    """PostgreSQL: plan this transaction's queries for their actual time range.

    The driver prepares each statement once per connection, and from its sixth run
    PostgreSQL may switch to a generic plan that does not know the range: for "turns since
    noon" it then reads every turn (1 s instead of 50 ms on a million). For the light
    queries of a request (trends, spikes, the sums of a summary), not for classifying whole
    days (`no_jit`), whose generic plan is as good as a custom one.
    """
    if is_postgres(db):
        await db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def no_jit(db: AsyncSession) -> None:
    """PostgreSQL: classifying whole days from here on in this transaction. No JIT (the
    plan is cheap to run but looks costly: compiling it would cost more than running it),
    and the planner's own choice between custom and generic plans again."""
    if is_postgres(db):
        await db.execute(text("SET LOCAL jit = off"))
        await db.execute(text("SET LOCAL plan_cache_mode = auto"))


def day_of(column: Any, pg: bool) -> ColumnElement[str]:
    """The UTC day of a timestamp as YYYY-MM-DD text (the same on both databases)."""
    if pg:
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


def seconds(start: Any, end: Any, pg: bool) -> ColumnElement[Any]:
    """Seconds from start to end (to the millisecond on SQLite, which stores text)."""
    if pg:
        return extract("epoch", end - start)
    return func.round((func.julianday(end) - func.julianday(start)) * 86400, 3)


def best_slug(hits: Any) -> ColumnElement[str]:
    """The slug of a bot turn's best search hit (NULL without one), as `facts.best_slug`."""
    return func.nullif(hits[(0, "slug")].as_string(), "")


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where the condition holds, else 0 (to be summed)."""
    return case((condition, 1), else_=0)


def aware(value: Any) -> datetime:
    """A timestamp from an aggregate (SQLite may return text; both are UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def hour_of(column: Any, pg: bool) -> ColumnElement[str]:
    """The UTC hour of a timestamp as YYYY-MM-DD HH text."""
    if pg:
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)
