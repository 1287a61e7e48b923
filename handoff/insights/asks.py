"""Which articles conversations asked about, per hour, counted in SQL (trends, spikes)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.conversations.models import BotTurn

from .portable import best_slug, hour_of, is_postgres, plan_each_time


async def first_asks_by_hour(
    *, db: AsyncSession, start: datetime, end: datetime
) -> dict[tuple[datetime, str], int]:
    """Per hour of [start, end) and article: conversations that first asked about it then.

    An article is asked about when it is a bot turn's best search hit; a conversation counts
    once per article, in the hour of its first such turn (also before `start`).
    """
    pg = is_postgres(db)
    await plan_each_time(db)
    slug = best_slug(BotTurn.kb_hits)
    pairs = (
        select(
            BotTurn.conversation_id.label("cid"),
            slug.label("slug"),
            func.min(BotTurn.created_at).label("at"),
        )
        .where(BotTurn.created_at >= start, BotTurn.created_at < end, slug.is_not(None))
        .group_by(BotTurn.conversation_id, slug)
        .subquery("pairs")
    )
    earlier = BotTurn.__table__.alias("earlier")
    asked_before = exists().where(
        earlier.c.conversation_id == pairs.c.cid,
        earlier.c.created_at < start,
        best_slug(earlier.c.kb_hits) == pairs.c.slug,
    )
    hour = hour_of(pairs.c.at, pg)
    rows = await db.execute(
        select(hour, pairs.c.slug, func.count()).where(~asked_before).group_by(hour, pairs.c.slug)
    )
    return {
        (datetime.strptime(h, "%Y-%m-%d %H").replace(tzinfo=UTC), str(s)): int(n)
        for h, s, n in rows
    }
