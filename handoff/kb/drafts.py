"""An index of the newest versions (drafts included), to try a question before publishing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kb_index import KbIndex, build_index

from . import documents as kb_documents
from . import indexing
from .schemas import TryRead
from .search import LiveSearch


class DraftIndex:
    """Rebuilt on demand when the drafts changed; unchanged documents reuse live vectors."""

    def __init__(
        self, *, open_db: async_sessionmaker[AsyncSession], search: LiveSearch, path: Path
    ) -> None:
        self.open_db = open_db
        self.search = search
        self.path = path
        self._digest: str | None = None
        self._index: KbIndex | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> KbIndex:
        """Return the index of the newest versions, rebuilt first if they changed."""
        async with self.open_db() as db:
            documents = await kb_documents.latest_documents(db=db)
            live = await indexing.live_build(db=db)
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


async def try_question(
    *, search: LiveSearch, drafts: DraftIndex, query: str, lang: str | None
) -> TryRead:
    """Search the live index and the draft index with one question, with all scores."""
    live = await search.search(query, k=5, lang=lang)
    draft_index = await drafts.current()
    draft = await asyncio.to_thread(draft_index.search, query, k=5, lang=lang)
    return TryRead.model_validate(
        {"live": live.to_json(detail=True), "draft": draft.to_json(detail=True)}
    )
