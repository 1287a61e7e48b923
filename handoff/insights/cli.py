"""`python -m handoff insights rollup`: bring the insights rollup up to date now."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.config import get_settings
from handoff.database import utcnow

from . import job, recent, rollup

Database = Callable[..., AbstractAsyncContextManager[async_sessionmaker[AsyncSession]]]


def add_commands(sub: argparse._SubParsersAction, database: Database) -> None:
    """Add the `insights` command; `database` opens the migrated database of the settings."""
    insights = sub.add_parser("insights", help="the service desk lead's figures").add_subparsers(
        dest="insights", required=True
    )
    roll = insights.add_parser(
        "rollup",
        help="roll up the closed days and complete hours, and bring the open days' rows up "
        "to date (the service does it every 10 minutes too)",
    )
    roll.add_argument(
        "--rebuild",
        action="store_true",
        help="drop the rollup and the open days' rows and compute them again (after loading "
        "data with past times)",
    )
    roll.set_defaults(func=lambda args: asyncio.run(_rollup(database, rebuild=args.rebuild)))


async def _rollup(database: Database, *, rebuild: bool) -> int:
    async with database(get_settings()) as open_db, open_db() as db:
        if rebuild:
            await rollup.forget(db=db)
            await recent.forget(db=db)
        done = await job.run(db=db, now=utcnow())
    print(
        f"rolled up {done['days']} days and {done['hours']} article-hours; "
        f"open days kept from {done['recent_since']}"
    )
    return 0
