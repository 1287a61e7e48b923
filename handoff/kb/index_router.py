"""Rebuilding the index and trying questions (role editor or admin)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from handoff.audit.dependencies import AuditDep
from handoff.users.dependencies import CurrentAdmin, CurrentEditor
from kb_index import QueryError

from . import drafts
from .dependencies import DraftIndexDep, RebuildJobsDep, SearchDep
from .jobs import NotOverridable
from .rebuild import JobNotFound
from .schemas import IndexRead, JobRead, OverrideBody, TryRead
from .search import IndexUnavailable

router = APIRouter(prefix="/api/kb", tags=["knowledge base editing"])


@router.post("/index/rebuild", status_code=202, response_model=JobRead)
async def rebuild(editor: CurrentEditor, jobs: RebuildJobsDep) -> JobRead:
    """Start a rebuild of the published articles (joins one that is already running)."""
    return JobRead.of(await jobs.request(requested_by=editor.username))


@router.get("/index/jobs/{job_id}", response_model=JobRead)
async def job(job_id: str, editor: CurrentEditor, jobs: RebuildJobsDep) -> JobRead:
    """State and progress (0..1) of a rebuild; `quality` tells the gate's verdict."""
    try:
        return JobRead.of(await jobs.get(build_id=job_id))
    except JobNotFound as exc:
        raise HTTPException(404, "no such rebuild job") from exc


@router.post("/index/jobs/{job_id}/override", response_model=JobRead)
async def override(
    job_id: str, body: OverrideBody, admin: CurrentAdmin, jobs: RebuildJobsDep, audit: AuditDep
) -> JobRead:
    """Publish a build the quality gate rejected (admins; the reason is kept)."""
    try:
        build = await jobs.override(build_id=job_id, admin=admin.username, reason=body.reason)
    except JobNotFound as exc:
        raise HTTPException(404, "no such rebuild job") from exc
    except NotOverridable as exc:
        raise HTTPException(409, str(exc)) from exc
    await audit(
        actor=f"user:{admin.username}", action="kb.override", target=job_id, reason=body.reason
    )
    return JobRead.of(build)


@router.get("/index", response_model=IndexRead)
async def index_state(editor: CurrentEditor, jobs: RebuildJobsDep) -> IndexRead:
    """The live build and the latest jobs."""
    return await jobs.overview()


@router.get("/try", response_model=TryRead)
async def try_question(
    editor: CurrentEditor,
    search: SearchDep,
    draft_index: DraftIndexDep,
    q: Annotated[str, Query()],
    lang: Annotated[Literal["de", "en"] | None, Query()] = None,
) -> TryRead:
    """Ranked hits with scores and the confident decision, live and with the drafts."""
    try:
        return await drafts.try_question(search=search, drafts=draft_index, query=q, lang=lang)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    except IndexUnavailable as exc:
        raise HTTPException(503, f"search is unavailable: {exc}") from exc
