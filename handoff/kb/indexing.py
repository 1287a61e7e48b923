"""The live search index: building it from the published articles and swapping it in.

Each build goes to its own directory under index_dir/builds/; the live one is
recorded in the database (kb_index_builds.live) and linked as index_dir/current.
Every search checks the database for a newer live build, so that all service
processes switch together.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.database import utcnow
from kb_index import Document, Embedder, build_index

from . import service as kb_service
from .models import IndexBuild

log = logging.getLogger(__name__)
KEEP_BUILDS = 3


def content_digest(documents: list[Document]) -> str:
    """Return one hash over the content hashes of all documents."""
    joined = "\n".join(sorted(d.content_hash() for d in documents))
    return hashlib.sha256(joined.encode()).hexdigest()


async def live_build(session: AsyncSession) -> IndexBuild | None:
    """Return the build that is live now, if any."""
    return await session.scalar(
        select(IndexBuild)
        .where(IndexBuild.live.is_(True))
        .order_by(IndexBuild.activated_at.desc())
        .limit(1)
    )


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


@dataclass
class BuildOutcome:
    build: IndexBuild
    skipped: bool  # nothing changed since the live build


Progress = Callable[[float, str], None]


async def rebuild_live(
    *,
    sessions: async_sessionmaker[AsyncSession],
    index_dir: Path,
    embedder: Embedder,
    force: bool = False,
    requested_by: str = "system",
    progress: Progress | None = None,
) -> BuildOutcome:
    """Build an index of the published articles and make it live (unless unchanged)."""
    async with sessions() as session:
        documents = await kb_service.published_documents(session=session)
        current = await live_build(session)
    digest = content_digest(documents)
    if (
        not force
        and current is not None
        and current.details.get("content_digest") == digest
        and current.model_id == embedder.model_id
        and (Path(current.path) / "meta.json").exists()
    ):
        return BuildOutcome(current, skipped=True)
    build_id = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    path = index_dir / "builds" / build_id
    async with sessions() as session:
        build = IndexBuild(
            id=build_id,
            state="running",
            path=str(path),
            model_id=embedder.model_id,
            requested_by=requested_by,
            details={"content_digest": digest},
        )
        session.add(build)
        await session.commit()
    try:
        stats = await asyncio.to_thread(
            build_index,
            documents,
            path,
            embedder=embedder,
            previous=Path(current.path) if current else None,
            progress=progress,
            extra_meta={"build_id": build_id},
        )
    except Exception as exc:
        log.exception("index build failed", extra={"build_id": build_id})
        async with sessions() as session:
            await session.execute(
                update(IndexBuild)
                .where(IndexBuild.id == build_id)
                .values(state="failed", message=str(exc)[:2000], finished_at=utcnow())
            )
            await session.commit()
        shutil.rmtree(path, ignore_errors=True)
        raise
    async with sessions() as session:
        await activate(
            session=session,
            build_id=build_id,
            index_dir=index_dir,
            documents=stats.documents,
            embedded=stats.embedded,
        )
        build = await session.get_one(IndexBuild, build_id)
    return BuildOutcome(build, skipped=False)


async def activate(
    *, session: AsyncSession, build_id: str, index_dir: Path, documents: int, embedded: int
) -> None:
    """Make a finished build the live one, in the database and as index_dir/current."""
    build = await session.get_one(IndexBuild, build_id)
    await session.execute(update(IndexBuild).where(IndexBuild.live.is_(True)).values(live=False))
    now = utcnow()
    build.state, build.live, build.progress = "succeeded", True, 1.0
    build.finished_at, build.activated_at = build.finished_at or now, now
    build.documents, build.embedded = documents, embedded
    await session.commit()
    _link_current(index_dir, Path(build.path))
    with contextlib.suppress(OSError):
        _prune(index_dir, keep={build_id})
    log.info("index build is live", extra={"build_id": build_id, "documents": documents})


def rebuild_live_from_cli(*, force: bool = False) -> int:
    """`python -m kb_index build`: prepare the database and (re)build the live index."""
    import sys

    from handoff.cli_support import database
    from handoff.config import get_settings
    from kb_index.__main__ import _progress
    from kb_index.embedder import load_embedder

    settings = get_settings()

    async def run() -> BuildOutcome:
        async with database(settings) as sessions:
            from handoff import bootstrap

            await bootstrap.seed_articles(settings=settings, sessions=sessions)
            return await rebuild_live(
                sessions=sessions,
                index_dir=settings.index_dir,
                embedder=load_embedder(settings.embedding_model),
                force=force,
                requested_by="cli",
                progress=_progress,
            )

    outcome = asyncio.run(run())
    state = "unchanged, kept" if outcome.skipped else "built"
    print(
        f"live index {state}: build {outcome.build.id}, {outcome.build.documents} documents "
        f"at {settings.live_index_path}",
        file=sys.stderr,
    )
    return 0
