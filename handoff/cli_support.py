"""Helpers for command-line entry points that need the database outside the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import bootstrap
from handoff.config import Settings
from handoff.database import create_engine, create_sessionmaker


@asynccontextmanager
async def database(
    settings: Settings, *, migrate: bool = True
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Yield a sessionmaker on a migrated database; dispose of the engine afterwards."""
    if migrate:
        await bootstrap.migrate_database(settings)
    engine = create_engine(settings.database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()
