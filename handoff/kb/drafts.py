"""An index of the newest versions (drafts included), to try a question before publishing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kb_index import KbIndex, build_index

from . import indexing
from . import service as kb_service
from .search import LiveSearch


class DraftIndex:
    """Rebuilt on demand when the drafts changed; unchanged documents reuse live vectors."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], search: LiveSearch, path: Path
    ) -> None:
        self.sessions = sessions
        self.search = search
        self.path = path
        self._digest: str | None = None
        self._index: KbIndex | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> KbIndex:
        async with self.sessions() as session:
            documents = await kb_service.latest_documents(session=session)
            live = await indexing.live_build(session)
        digest = indexing.content_digest(documents)
        async with self._lock:
            if self._index is None or digest != self._digest:
                embedder = self.search.embedder
                await asyncio.to_thread(
                    build_index,
                    documents,
                    self.path,
                    embedder=embedder,
                    previous=Path(live.path) if live else None,
                )
                self._index = await asyncio.to_thread(KbIndex.load, self.path, embedder)
                self._digest = digest
            return self._index
