"""The insights job: roll up the closed days and hours, keep the open days' rows current."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import recent, rollup

log = logging.getLogger(__name__)

EVERY_SECONDS = 600


async def run(*, db: AsyncSession, now: datetime) -> dict[str, Any]:
    """One run: the rollup, then the open days' rows (the days just rolled up leave them)."""
    done: dict[str, Any] = await rollup.roll_up(db=db, now=now)
    await recent.forget_before(db=db, day=rollup.last_closed_day(now) + timedelta(days=1))
    done["recent_since"] = (await recent.refresh(db=db, now=now)).isoformat()
    return done


async def every(open_db: async_sessionmaker[AsyncSession], seconds: float = EVERY_SECONDS) -> None:
    """Run the job every `seconds` (the service's background task; the first run waits too,
    so that a starting service, and its tests, are not slowed down by it)."""
    while True:
        await asyncio.sleep(seconds)
        try:
            async with open_db() as db:
                done = await run(db=db, now=datetime.now(UTC))
            if done["days"]:
                log.info("insights rolled up", extra={"rolled": done})
        except Exception:
            log.exception("insights job failed; trying again later")
