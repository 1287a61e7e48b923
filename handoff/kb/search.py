"""The process's view of the live index: loaded once, swapped when a newer build is live."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kb_index import Embedder, IndexLoadError, KbIndex, SearchResult
from kb_index.query import MAX_K, check_options

from . import service as kb_service
from .indexing import live_build

log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """No usable index is loaded."""


# Searches are the chat's hot path: they get threads of their own, so that file uploads, index
# builds and password hashing (the loop's default executor) never make a chat answer wait.
SEARCH_THREADS = 2
# The live index may still hold articles archived or unpublished since its build: their hits
# are dropped at query time, and this many more are asked for so that k remain.
WITHDRAWN_SLACK = 5


class LiveSearch:
    """Searches the live index; a broken new build never replaces a working one."""

    def __init__(self, *, embedder: Embedder, open_db: async_sessionmaker[AsyncSession]) -> None:
        self._embedder = embedder
        self._open_db = open_db
        self._threads = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="kb-search")
        self._index: KbIndex | None = None
        self._build_id: str | None = None
        self._failed_build: str | None = None
        self._lock = asyncio.Lock()
        self.last_error: str | None = None

    @property
    def build_id(self) -> str | None:
        return self._build_id

    @property
    def index(self) -> KbIndex | None:
        return self._index

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    async def refresh(self) -> None:
        """Load the live build if it is not the one loaded (cheap when nothing changed)."""
        async with self._open_db() as db:
            build = await live_build(db=db)
        if build is None or build.id in (self._build_id, self._failed_build):
            return
        async with self._lock:
            if build.id in (self._build_id, self._failed_build):
                return
            try:
                index = await asyncio.to_thread(KbIndex.load, Path(build.path), self._embedder)
            except IndexLoadError as exc:
                self._failed_build, self.last_error = build.id, str(exc)
                log.error(
                    "cannot load live index; keeping the previous one",
                    extra={"build_id": build.id, "error": str(exc)},
                )
                return
            self._index, self._build_id, self.last_error = index, build.id, None
            log.info("loaded live index", extra={"build_id": build.id})

    def current(self) -> KbIndex:
        if self._index is None:
            raise IndexUnavailable(self.last_error or "the search index is not built yet")
        return self._index

    async def search(self, query: str, *, k: int = 5, lang: str | None = None) -> SearchResult:
        """Search the live index off the event loop, on the search threads.

        Only published articles come back, whatever the index holds: every caller (the
        search API, the bot, the agents' suggestions, tickets' categories, trying a
        question) gets the same filter.
        """
        check_options(k, lang)
        await self.refresh()
        index = self.current()
        call = functools.partial(index.search, query, k=min(k + WITHDRAWN_SLACK, MAX_K), lang=lang)
        result = await asyncio.get_running_loop().run_in_executor(self._threads, call)
        return await self._published_only(result, k=k)

    async def _published_only(self, result: SearchResult, *, k: int) -> SearchResult:
        """Drop hits of articles archived or unpublished since the build (one indexed query).

        Asked of the database, not of this process's memory: an editor's change in another
        helpdesk process counts at once. A withdrawn best hit makes the result not confident
        (the next hit was never judged as an answer); the rebuild the change started then
        drops the article from the index.
        """
        if not result.hits:
            return result
        async with self._open_db() as db:
            published = await kb_service.published_slugs(
                db=db, slugs=list({h.slug for h in result.hits})
            )
        hits = [h for h in result.hits if h.slug in published]
        confident = result.confident and result.hits[0].slug in published
        return dataclasses.replace(result, hits=hits[:k], confident=confident)

    def close(self) -> None:
        """Let the search threads go (the service's shutdown)."""
        self._threads.shutdown(wait=False, cancel_futures=True)
