"""Rebuilding the index, trying questions, and the knowledge gaps (role editor or admin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from handoff.audit.dependencies import Auditor
from handoff.conversations import store as conversation_service
from handoff.deps import SearchDep, SessionDep
from handoff.users.dependencies import CurrentAdmin, CurrentEditor
from kb_index import QueryError

from . import gaps, indexing, service
from .jobs import JobNotFound, NotOverridable, RebuildJobs
from .models import IndexBuild
from .schemas import ArticleContent, ArticleCreate, Translation

router = APIRouter(prefix="/api/kb", tags=["knowledge base editing"])


class OverrideBody(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class GapDraft(BaseModel):
    slug: str = Field(min_length=2, max_length=80)
    category: str
    lang: Literal["de", "en"]
    title: str = Field(min_length=1, max_length=200)
    questions: list[str] = Field(min_length=1, max_length=50)


class GapAttach(BaseModel):
    slug: str
    lang: Literal["de", "en"]
    questions: list[str] = Field(min_length=1, max_length=50)


DRAFT_BODY = {
    "de": "Kurz: worum es geht.\n\n## Zuerst prüfen\n- …\n\n## Schritte\n1. …\n\n"
    "## Klappt es nicht?\nTicket im IT-Portal oder Anruf bei 4357.",
    "en": "In short: what this is about.\n\n## Check first\n- …\n\n## Steps\n1. …\n\n"
    "## Still not working?\nOpen a ticket in the IT-Portal or call 4357.",
}


def jobs(request: Request) -> RebuildJobs:
    rebuild_jobs: RebuildJobs = request.app.state.rebuild_jobs
    return rebuild_jobs


def job_json(build: IndexBuild) -> dict[str, Any]:
    return {
        "id": build.id,
        "state": build.state,
        "progress": round(build.progress, 3),
        "message": build.message,
        "documents": build.documents,
        "embedded": build.embedded,
        "live": build.live,
        "requested_by": build.requested_by,
        "quality": build.details.get("quality"),
        "override": build.details.get("override"),
        "created_at": build.created_at.isoformat(),
        "finished_at": build.finished_at.isoformat() if build.finished_at else None,
    }


@router.post("/index/rebuild", status_code=202)
async def rebuild(editor: CurrentEditor, request: Request) -> dict[str, Any]:
    """Start a rebuild of the published articles (joins one that is already running)."""
    return job_json(await jobs(request).request(requested_by=editor.username))


@router.get("/index/jobs/{job_id}")
async def job(job_id: str, editor: CurrentEditor, request: Request) -> dict[str, Any]:
    """State and progress (0..1) of a rebuild; `quality` tells the gate's verdict."""
    try:
        return job_json(await jobs(request).get(job_id))
    except JobNotFound as exc:
        raise HTTPException(404, "no such rebuild job") from exc


@router.post("/index/jobs/{job_id}/override")
async def override(
    job_id: str, body: OverrideBody, admin: CurrentAdmin, request: Request
) -> dict[str, Any]:
    """Publish a build the quality gate rejected (admins; the reason is kept)."""
    try:
        build = await jobs(request).override(job_id, admin=admin.username, reason=body.reason)
    except JobNotFound as exc:
        raise HTTPException(404, "no such rebuild job") from exc
    except NotOverridable as exc:
        raise HTTPException(409, str(exc)) from exc
    await Auditor(request.app.state.open_db)(
        actor=f"user:{admin.username}", action="kb.override", target=job_id, reason=body.reason
    )
    return job_json(build)


@router.get("/index")
async def index_state(editor: CurrentEditor, session: SessionDep) -> dict[str, Any]:
    """The live build and the latest jobs."""
    from sqlalchemy import select

    live = await indexing.live_build(session)
    recent = await session.scalars(
        select(IndexBuild).order_by(IndexBuild.created_at.desc()).limit(10)
    )
    return {"live": job_json(live) if live else None, "jobs": [job_json(b) for b in recent]}


@router.get("/try")
async def try_question(
    editor: CurrentEditor,
    search: SearchDep,
    request: Request,
    q: Annotated[str, Query()],
    lang: Annotated[Literal["de", "en"] | None, Query()] = None,
) -> dict[str, Any]:
    """Ranked hits with scores and the confident decision, live and with the drafts."""
    try:
        live = await search.search(q, k=5, lang=lang)
        draft_index = await request.app.state.draft_index.current()
        import asyncio

        draft = await asyncio.to_thread(draft_index.search, q, k=5, lang=lang)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"live": live.to_json(detail=True), "draft": draft.to_json(detail=True)}


@router.get("/gaps")
async def list_gaps(
    editor: CurrentEditor, session: SessionDep, search: SearchDep
) -> dict[str, Any]:
    """Unanswered questions, "didn't help" and handoffs, grouped by meaning, biggest first."""
    return {"groups": await gaps.gap_groups(session=session, embedder=search.embedder)}


@router.post("/gaps/draft", status_code=201)
async def gap_to_draft(
    body: GapDraft, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    """Turn a group into a new draft article whose example questions are the group's."""
    try:
        article = ArticleCreate(
            slug=body.slug,
            category=body.category,
            translations={
                body.lang: Translation(
                    title=body.title, body=DRAFT_BODY[body.lang], questions=body.questions
                )
            },
        )
        await service.create_article(
            session=session, article=article, author=editor.username, note="from knowledge gaps"
        )
    except service.ArticleExists as exc:
        raise HTTPException(409, f"an article {body.slug!r} exists already") from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    await gaps.resolve(
        session=session, texts=body.questions, slug=body.slug, action="draft", by=editor.username
    )
    await session.commit()
    return {"slug": body.slug, "status": "draft"}


@router.post("/gaps/attach")
async def gap_to_article(
    body: GapAttach, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    """Add a group's questions to an existing article (a new version, a draft)."""
    try:
        article = await service.get_article(session=session, slug=body.slug)
        latest = await service.get_version(
            session=session, article=article, number=article.latest_version
        )
    except service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {body.slug!r}") from exc
    translations = dict(latest.translations)
    if body.lang not in translations:
        raise HTTPException(422, f"the article has no {body.lang} text to attach to")
    text = dict(translations[body.lang])
    known = set(text.get("questions") or [])
    text["questions"] = [
        *(text.get("questions") or []),
        *(q for q in body.questions if q not in known),
    ]
    translations[body.lang] = text
    content = ArticleContent(category=latest.category, tags=latest.tags, translations=translations)
    await service.add_version(
        session=session,
        article=article,
        content=content,
        author=editor.username,
        note="questions from knowledge gaps",
    )
    await gaps.resolve(
        session=session, texts=body.questions, slug=body.slug, action="attached", by=editor.username
    )
    await session.commit()
    return {"slug": body.slug, "version": article.latest_version}


@router.get("/transcripts/{conversation_id}")
async def transcript(
    conversation_id: str, editor: CurrentEditor, session: SessionDep
) -> dict[str, Any]:
    """A conversation behind a knowledge gap (without agents' internal notes)."""
    try:
        conversation = await conversation_service.get(db=session, conversation_id=conversation_id)
    except conversation_service.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
    messages = await conversation_service.transcript(db=session, conversation_id=conversation.id)
    return {
        "conversation_id": conversation.id,
        "locale": conversation.locale,
        "messages": [conversation_service.message_json(m) for m in messages],
    }
