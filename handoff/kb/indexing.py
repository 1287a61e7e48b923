"""Index builds on disk and in the database: ids, the live build, and swapping one in.

Each build goes to its own directory under index_dir/builds/; the live one is
recorded in the database (kb_index_builds.live) and linked as index_dir/current.
Every search checks the database for a newer live build, so that all service
processes switch together. How a build is made: `rebuild.py`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow
from kb_index import Document

from .models import IndexBuild

log = logging.getLogger(__name__)
KEEP_BUILDS = 3


def new_build_id() -> str:
    """Return a fresh build id: its start time, then a random part."""
    return f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def content_digest(documents: Sequence[Document]) -> str:
    """Return one hash over the content hashes of all documents."""
    joined = "\n".join(sorted(d.content_hash() for d in documents))
    return hashlib.sha256(joined.encode()).hexdigest()


async def live_build(*, db: AsyncSession) -> IndexBuild | None:
    """Return the build that is live now, if any."""
    return await db.scalar(
        select(IndexBuild)
        .where(IndexBuild.live.is_(True))
        .order_by(IndexBuild.activated_at.desc())
        .limit(1)
    )


async def recent_builds(*, db: AsyncSession, limit: int = 10) -> list[IndexBuild]:
    """Return the newest builds, newest first."""
    rows = await db.scalars(select(IndexBuild).order_by(IndexBuild.created_at.desc()).limit(limit))
    return list(rows)


def _link_current(index_dir: Path, target: Path) -> None:
    """Point index_dir/current at target in one atomic rename."""
    tmp = index_dir / f".current-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.symlink_to(target.relative_to(index_dir), target_is_directory=True)
    os.replace(tmp, index_dir / "current")


def _prune(index_dir: Path, keep: set[str]) -> None:
    builds = sorted((index_dir / "builds").glob("*"), key=lambda p: p.stat().st_mtime)
    for old in builds[:-KEEP_BUILDS]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


async def activate(
    *, db: AsyncSession, build_id: str, index_dir: Path, message: str = "live"
) -> IndexBuild:
    """Make a finished build the live one, in the database and as index_dir/current."""
    build = await db.get_one(IndexBuild, build_id)
    await db.execute(update(IndexBuild).where(IndexBuild.live.is_(True)).values(live=False))
    now = utcnow()
    build.state, build.live, build.progress, build.active_slot = "succeeded", True, 1.0, None
    build.finished_at, build.activated_at, build.message = build.finished_at or now, now, message
    await db.commit()
    _link_current(index_dir, Path(build.path))
    with contextlib.suppress(OSError):
        _prune(index_dir, keep={build_id})
    log.info("index build is live", extra={"build_id": build_id, "documents": build.documents})
    return build
