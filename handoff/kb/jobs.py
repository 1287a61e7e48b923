"""Editors' rebuild jobs: run in the background through the one pipeline, gate on."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from sqlalchemy import update

from handoff.database import utcnow

from . import indexing
from .models import IndexBuild
from .rebuild import Rebuilder
from .schemas import IndexRead, JobRead

log = logging.getLogger(__name__)


class NotOverridable(ValueError):
    """Only a build the quality gate rejected can be published by override."""


class RebuildJobs:
    """Starts editors' rebuilds in this process and reports on them."""

    def __init__(self, *, rebuilder: Rebuilder) -> None:
        self.rebuilder = rebuilder
        self.tasks: dict[str, asyncio.Task[IndexBuild]] = {}
        self.follow_ups: set[asyncio.Task[None]] = set()
        self._following: set[str] = set()  # the builds a follow-up already waits for

    async def request(self, *, requested_by: str) -> IndexBuild:
        """Start a rebuild, or return the one already queued or running (join it)."""
        build, _ = await self._start(requested_by)
        return build

    async def _start(self, requested_by: str) -> tuple[IndexBuild, bool]:
        build, started = await self.rebuilder.claim(requested_by=requested_by)
        if started:
            task = asyncio.create_task(self.rebuilder.run(build_id=build.id, quality_gate=True))
            self.tasks[build.id] = task
            task.add_done_callback(lambda _: self.tasks.pop(build.id, None))
        return build, started

    async def after_change(self, *, requested_by: str) -> IndexBuild:
        """Rebuild because published articles changed (archived, restored): like `request`.

        One rebuild at a time still: if one is already queued or running (in this process
        or another), this joins it, and when it has ended one more rebuild follows unless
        the live index then holds exactly the published articles (that rebuild may have read
        them before this change; several changes meanwhile share one follow-up). Until the
        new index is live, search filters at query time.
        """
        build, started = await self._start(requested_by)
        if not started and build.id not in self._following:
            self._following.add(build.id)
            follow_up = asyncio.create_task(self._follow_up(build.id, requested_by))
            self.follow_ups.add(follow_up)
            follow_up.add_done_callback(self.follow_ups.discard)
        return build

    async def _follow_up(self, build_id: str, requested_by: str) -> None:
        try:
            await self.rebuilder.wait(build_id=build_id)
            self._following.discard(build_id)
            await self.rebuilder.rebuild(requested_by=requested_by, quality_gate=True)
        except Exception:
            log.exception("the rebuild after a change failed", extra={"after": build_id})
        finally:
            self._following.discard(build_id)

    async def get(self, *, build_id: str) -> IndexBuild:
        """Return a job by id or raise JobNotFound."""
        return await self.rebuilder.get(build_id=build_id)

    async def overview(self) -> IndexRead:
        """Return the live build and the latest jobs."""
        async with self.rebuilder.open_db() as db:
            live = await indexing.live_build(db=db)
            recent = await indexing.recent_builds(db=db)
        return IndexRead(
            live=JobRead.of(live) if live else None, jobs=[JobRead.of(b) for b in recent]
        )

    async def override(self, *, build_id: str, admin: str, reason: str) -> IndexBuild:
        """Publish a build the quality gate rejected; who and why are kept with it."""
        build = await self.get(build_id=build_id)
        if build.state != "rejected" or not (Path(build.path) / "meta.json").exists():
            raise NotOverridable(f"build {build_id} is {build.state}")
        details = {
            **build.details,
            "override": {"by": admin, "reason": reason, "at": utcnow().isoformat()},
        }
        async with self.rebuilder.open_db() as db:
            await db.execute(
                update(IndexBuild).where(IndexBuild.id == build_id).values(details=details)
            )
            await db.commit()
            await indexing.activate(
                db=db,
                build_id=build_id,
                index_dir=self.rebuilder.settings.index_dir,
                message="live by override of the quality gate",
            )
        log.warning(
            "quality gate overridden", extra={"build_id": build_id, "by": admin, "reason": reason}
        )
        if self.rebuilder.search is not None:
            await self.rebuilder.search.refresh()
        return await self.get(build_id=build_id)
