"""The one rebuild pipeline: a slot, a build id, the build, the quality gate, the swap.

Start-up (`bootstrap.prepare`), the command line (`python -m handoff kb rebuild`) and
editors' jobs (`jobs.RebuildJobs`) all build through `Rebuilder`: one rebuild at a
time across processes (the unique `kb_index_builds.active_slot`), progress and a
heartbeat in the build's row, and the old index serving until the new one is live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.config import Settings
from handoff.database import utcnow
from kb_index import BuildStats, Embedder, IndexLoadError, KbIndex, Progress, build_index

from . import documents as kb_documents
from . import indexing, quality
from .models import IndexBuild
from .owners import owner_gone, process_owner
from .search import LiveSearch

log = logging.getLogger(__name__)
# A build without heartbeat for this long died (on another machine: there is no other sign).
STALE_AFTER = timedelta(minutes=3)
HEARTBEAT_SECONDS = 0.5
FINISHED = ("succeeded", "failed", "rejected")


class JobNotFound(LookupError):
    """No rebuild job with that id."""


@dataclass(frozen=True)
class RebuildOutcome:
    build: IndexBuild
    skipped: bool = False  # the published articles had not changed since the live build
    joined: bool = False  # another rebuild held the slot; this is how it ended


class Rebuilder:
    """Builds the index of the published articles and makes it live if it passes."""

    def __init__(
        self,
        *,
        open_db: async_sessionmaker[AsyncSession],
        settings: Settings,
        embedder: Embedder,
        search: LiveSearch | None = None,
    ) -> None:
        self.open_db = open_db
        self.settings = settings
        self.embedder = embedder
        self.search = search  # told to load the new build; its index is the gate's baseline

    async def rebuild(
        self,
        *,
        requested_by: str,
        quality_gate: bool,
        force: bool = False,
        progress: Progress | None = None,
    ) -> RebuildOutcome:
        """Rebuild unless nothing changed; join a rebuild in progress rather than start one."""
        if not force:
            unchanged = await self._unchanged_live()
            if unchanged is not None:
                return RebuildOutcome(unchanged, skipped=True)
        build, started = await self.claim(requested_by=requested_by)
        if not started:
            log.info("joining a rebuild in progress", extra={"build_id": build.id})
            return RebuildOutcome(await self.wait(build_id=build.id), joined=True)
        finished = await self.run(build_id=build.id, quality_gate=quality_gate, progress=progress)
        return RebuildOutcome(finished)

    async def _unchanged_live(self) -> IndexBuild | None:
        async with self.open_db() as db:
            documents = await kb_documents.published_documents(db=db)
            live = await indexing.live_build(db=db)
        if (
            live is not None
            and live.details.get("content_digest") == indexing.content_digest(documents)
            and live.model_id == self.embedder.model_id
            and (Path(live.path) / "meta.json").exists()
        ):
            return live
        return None

    async def claim(self, *, requested_by: str) -> tuple[IndexBuild, bool]:
        """Take the slot for a new build (True), or return the build that holds it (False)."""
        for _ in range(3):
            build_id = indexing.new_build_id()
            async with self.open_db() as db:
                db.add(
                    IndexBuild(
                        id=build_id,
                        state="queued",
                        active_slot=1,
                        requested_by=requested_by,
                        heartbeat_at=utcnow(),
                        path=str(self.settings.index_dir / "builds" / build_id),
                        model_id=self.embedder.model_id,
                        details={"owner": process_owner()},
                    )
                )
                try:
                    await db.commit()
                except IntegrityError:
                    await db.rollback()
                    holder = await self._holder(db)
                    if holder is not None and not await self._reap_if_stale(db, holder):
                        return holder, False
                    continue
                return await db.get_one(IndexBuild, build_id), True
        raise RuntimeError("could not take the rebuild slot")

    async def _holder(self, db: AsyncSession) -> IndexBuild | None:
        return await db.scalar(select(IndexBuild).where(IndexBuild.active_slot == 1))

    async def reap_orphans(self) -> list[str]:
        """Fail at once the build whose process died (at start-up); return the ids failed."""
        async with self.open_db() as db:
            holder = await self._holder(db)
            if holder is not None and await self._reap_if_stale(db, holder):
                return [holder.id]
        return []

    async def _reap_if_stale(self, db: AsyncSession, build: IndexBuild) -> bool:
        """Fail a build whose process is gone (this host) or silent too long; drop its files."""
        fresh = build.heartbeat_at and build.heartbeat_at > utcnow() - STALE_AFTER
        if fresh and not owner_gone(build.details.get("owner")):
            return False
        log.warning("failing a rebuild whose process stopped", extra={"build_id": build.id})
        shutil.rmtree(self.settings.index_dir / "builds" / build.id, ignore_errors=True)
        await db.execute(
            update(IndexBuild)
            .where(IndexBuild.id == build.id, IndexBuild.active_slot == 1)
            .values(
                state="failed",
                active_slot=None,
                message="the process running it stopped",
                finished_at=utcnow(),
            )
        )
        await db.commit()
        return True

    async def get(self, *, build_id: str) -> IndexBuild:
        """Return a build by id or raise JobNotFound."""
        async with self.open_db() as db:
            build = await db.get(IndexBuild, build_id)
        if build is None:
            raise JobNotFound(build_id)
        return build

    async def wait(self, *, build_id: str) -> IndexBuild:
        """Wait until a build has finished, or its process is found dead."""
        build = await self.get(build_id=build_id)
        while build.state not in FINISHED:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            async with self.open_db() as db:
                await self._reap_if_stale(db, build)
            build = await self.get(build_id=build_id)
        return build

    async def _set(self, build_id: str, **values: Any) -> None:
        async with self.open_db() as db:
            await db.execute(
                update(IndexBuild)
                .where(IndexBuild.id == build_id)
                .values(heartbeat_at=utcnow(), **values)
            )
            await db.commit()

    @contextlib.asynccontextmanager
    async def _heartbeat(self, build_id: str, state: dict[str, Any]) -> AsyncIterator[None]:
        """Write progress and a heartbeat into the build's row while the block runs."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(HEARTBEAT_SECONDS)
                await self._set(build_id, progress=state["fraction"], message=state["message"])

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(
        self, *, build_id: str, quality_gate: bool, progress: Progress | None = None
    ) -> IndexBuild:
        """Build a claimed build, judge it, make it live if it passes; return how it ended."""
        state: dict[str, Any] = {"fraction": 0.0, "message": "starting"}
        try:
            await self._set(build_id, state="running")
            async with self._heartbeat(build_id, state):
                stats, details = await self._build_and_judge(
                    build_id, quality_gate, state, progress
                )
            await self._finish(build_id, stats, details, quality_gate)
        except Exception as exc:
            log.exception(
                "rebuild failed; the live index keeps serving", extra={"build_id": build_id}
            )
            shutil.rmtree(self.settings.index_dir / "builds" / build_id, ignore_errors=True)
            await self._set(
                build_id,
                state="failed",
                active_slot=None,
                message=str(exc)[:2000],
                finished_at=utcnow(),
            )
        if self.search is not None:
            await self.search.refresh()
        return await self.get(build_id=build_id)

    async def _build_and_judge(
        self, build_id: str, quality_gate: bool, state: dict[str, Any], progress: Progress | None
    ) -> tuple[BuildStats, dict[str, Any]]:
        def report(fraction: float, message: str) -> None:
            state.update(fraction=0.9 * fraction, message=message)
            if progress is not None:
                progress(fraction, message)

        async with self.open_db() as db:
            documents = await kb_documents.published_documents(db=db)
            live = await indexing.live_build(db=db)
        path = self.settings.index_dir / "builds" / build_id
        stats = await asyncio.to_thread(
            build_index,
            documents,
            path,
            embedder=self.embedder,
            previous=Path(live.path) if live else None,
            progress=report,
            extra_meta={"build_id": build_id},
        )
        details: dict[str, Any] = {
            "owner": process_owner(),
            "content_digest": indexing.content_digest(documents),
        }
        await self._set(
            build_id, documents=stats.documents, embedded=stats.embedded, details=details
        )
        if quality_gate:
            state.update(fraction=0.92, message="checking quality")
            published = {doc.id for doc in documents}  # a document's id is its article's slug
            details["quality"] = (await self._judge(path, live, published)).to_json()
        return stats, details

    async def _judge(
        self, path: Path, live: IndexBuild | None, published: set[str]
    ) -> quality.Verdict:
        candidate = await asyncio.to_thread(KbIndex.load, path, self.embedder)
        return await asyncio.to_thread(
            quality.judge,
            candidate=candidate,
            baseline=await self._baseline(live),
            questions_file=self.settings.kb_eval_file,
            margin=self.settings.quality_margin,
            published=published,
        )

    async def _baseline(self, live: IndexBuild | None) -> KbIndex | None:
        """The live index to compare with: the one loaded for searching, else from disk."""
        if live is None:
            return None
        if self.search is not None and self.search.build_id == live.id:
            return self.search.index
        try:
            return await asyncio.to_thread(KbIndex.load, Path(live.path), self.embedder)
        except IndexLoadError:
            return None

    async def _finish(
        self, build_id: str, stats: BuildStats, details: dict[str, Any], quality_gate: bool
    ) -> None:
        verdict = details.get("quality")
        if verdict is not None and not verdict["passed"]:
            await self._set(
                build_id,
                state="rejected",
                active_slot=None,
                progress=1.0,
                details=details,
                finished_at=utcnow(),
                message="the evaluation set got worse; not published",
            )
            return
        if not quality_gate:
            message = "live (published without the quality gate)"
        else:
            message = f"live ({verdict['note']})" if verdict and verdict["note"] else "live"
        await self._set(build_id, details=details)
        async with self.open_db() as db:
            await indexing.activate(
                db=db,
                build_id=build_id,
                index_dir=self.settings.index_dir,
                message=message,
            )
        log.info("rebuilt the index", extra={"build_id": build_id, "embedded": stats.embedded})
