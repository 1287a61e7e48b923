"""Rebuild jobs: one at a time, progress in the database, quality gate before going live."""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.config import Settings
from handoff.database import utcnow
from kb_index import KbIndex, build_index

from . import indexing, quality
from . import service as kb_service
from .models import IndexBuild
from .search import LiveSearch

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=3)  # a running job without heartbeat for this long died
FLUSH_SECONDS = 0.5


class JobNotFound(LookupError):
    """No rebuild job with that id."""


class NotOverridable(ValueError):
    """Only a build the quality gate rejected can be published by override."""


class RebuildJobs:
    """Starts, runs and reports index rebuilds of this service process."""

    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], settings: Settings, search: LiveSearch
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.search = search
        self.tasks: dict[str, asyncio.Task[None]] = {}

    async def request(self, *, requested_by: str) -> IndexBuild:
        """Start a rebuild, or return the one already queued or running (join it)."""
        for _ in range(3):
            build_id = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
            async with self.sessions() as session:
                build = IndexBuild(
                    id=build_id,
                    state="queued",
                    active_slot=1,
                    requested_by=requested_by,
                    heartbeat_at=utcnow(),
                    path=str(self.settings.index_dir / "builds" / build_id),
                    model_id=self.search.embedder.model_id,
                )
                session.add(build)
                try:
                    await session.commit()
                except IntegrityError:
                    await session.rollback()
                    running = await self._active(session)
                    if running is not None and not await self._reap_if_stale(session, running):
                        return running
                    continue
            self.tasks[build_id] = asyncio.create_task(self._run(build_id))
            return build
        raise RuntimeError("could not start a rebuild")

    async def _active(self, session: AsyncSession) -> IndexBuild | None:
        return await session.scalar(select(IndexBuild).where(IndexBuild.active_slot == 1))

    async def _reap_if_stale(self, session: AsyncSession, build: IndexBuild) -> bool:
        if build.heartbeat_at and build.heartbeat_at > utcnow() - STALE_AFTER:
            return False
        await session.execute(
            update(IndexBuild)
            .where(IndexBuild.id == build.id)
            .values(
                state="failed",
                active_slot=None,
                message="the process running it stopped",
                finished_at=utcnow(),
            )
        )
        await session.commit()
        return True

    async def get(self, build_id: str) -> IndexBuild:
        async with self.sessions() as session:
            build = await session.get(IndexBuild, build_id)
        if build is None:
            raise JobNotFound(build_id)
        return build

    async def _set(self, build_id: str, **values: Any) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(IndexBuild)
                .where(IndexBuild.id == build_id)
                .values(heartbeat_at=utcnow(), **values)
            )
            await session.commit()

    async def _run(self, build_id: str) -> None:
        progress = {"fraction": 0.0, "message": "starting"}

        def report(fraction: float, message: str) -> None:
            progress.update(fraction=0.9 * fraction, message=message)

        async def flush() -> None:
            while True:
                await asyncio.sleep(FLUSH_SECONDS)
                await self._set(
                    build_id, progress=progress["fraction"], message=progress["message"]
                )

        flusher = asyncio.create_task(flush())
        try:
            await self._set(build_id, state="running")
            await self._build_and_judge(build_id, report)
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
        finally:
            flusher.cancel()
            self.tasks.pop(build_id, None)

    async def _build_and_judge(self, build_id: str, report: indexing.Progress) -> None:
        async with self.sessions() as session:
            documents = await kb_service.published_documents(session=session)
            live = await indexing.live_build(session)
        path = self.settings.index_dir / "builds" / build_id
        embedder = self.search.embedder
        stats = await asyncio.to_thread(
            build_index,
            documents,
            path,
            embedder=embedder,
            previous=Path(live.path) if live else None,
            progress=report,
            extra_meta={"build_id": build_id},
        )
        await self._set(
            build_id,
            progress=0.92,
            message="checking quality",
            documents=stats.documents,
            embedded=stats.embedded,
        )
        candidate = await asyncio.to_thread(KbIndex.load, path, embedder)
        verdict = await asyncio.to_thread(
            quality.judge,
            candidate,
            self.search.index,
            self.settings.kb_eval_file,
            self.settings.quality_margin,
        )
        details = {
            "content_digest": indexing.content_digest(documents),
            "quality": verdict.to_json(),
        }
        if not verdict.passed:
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
        await self._set(build_id, details=details)
        async with self.sessions() as session:
            await indexing.activate(
                session=session,
                build_id=build_id,
                index_dir=self.settings.index_dir,
                documents=stats.documents,
                embedded=stats.embedded,
            )
            await session.execute(
                update(IndexBuild).where(IndexBuild.id == build_id).values(active_slot=None)
            )
            await session.commit()
        await self.search.refresh()

    async def override(self, build_id: str, *, admin: str, reason: str) -> IndexBuild:
        """Publish a build the quality gate rejected; who and why are kept with it."""
        build = await self.get(build_id)
        if build.state != "rejected" or not (Path(build.path) / "meta.json").exists():
            raise NotOverridable(f"build {build_id} is {build.state}")
        details = {
            **build.details,
            "override": {"by": admin, "reason": reason, "at": utcnow().isoformat()},
        }
        async with self.sessions() as session:
            await session.execute(
                update(IndexBuild).where(IndexBuild.id == build_id).values(details=details)
            )
            await session.commit()
            await indexing.activate(
                session=session,
                build_id=build_id,
                index_dir=self.settings.index_dir,
                documents=build.documents,
                embedded=build.embedded,
            )
        log.warning(
            "quality gate overridden", extra={"build_id": build_id, "by": admin, "reason": reason}
        )
        await self.search.refresh()
        return await self.get(build_id)
