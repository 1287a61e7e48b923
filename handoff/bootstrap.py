"""Preparing data before serving: migrations, seed articles, the live index."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import migrate
from handoff.config import Settings
from handoff.conversations import canned
from handoff.kb import service as kb_service
from handoff.kb import source
from handoff.kb.rebuild import Rebuilder, RebuildOutcome
from kb_index import Progress

log = logging.getLogger(__name__)


async def migrate_database(settings: Settings) -> None:
    """Bring the schema to the newest migration."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate.upgrade, settings.database_url)


async def seed_articles(*, settings: Settings, open_db: async_sessionmaker[AsyncSession]) -> int:
    """Import the repository's articles into an empty knowledge base; return how many."""
    async with open_db() as db:
        if await kb_service.count_articles(db=db):
            return 0
        articles = source.read_all(settings.kb_seed_dir)
        report = await kb_service.import_articles(db=db, articles=articles, author="seed")
    log.info("seeded the knowledge base", extra={"articles": report.created})
    return report.created


async def prepare(
    *,
    settings: Settings,
    open_db: async_sessionmaker[AsyncSession],
    rebuilder: Rebuilder | None,
    progress: Progress | None = None,
) -> RebuildOutcome | None:
    """Migrate, seed an empty knowledge base, and rebuild the index if the articles changed.

    Start-up publishes what is published: the quality gate is for editors' changes.
    """
    await migrate_database(settings)
    await seed_articles(settings=settings, open_db=open_db)
    async with open_db() as db:
        await canned.seed_defaults(db=db)
    if rebuilder is None:
        return None
    return await rebuilder.rebuild(requested_by="startup", quality_gate=False, progress=progress)
