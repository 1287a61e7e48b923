"""Knowledge gaps and suggested example questions for editors (accept, reject, dismiss)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from handoff.audit.dependencies import AuditDep
from handoff.conversations.store import ConversationNotFound
from handoff.deps import DbDep
from handoff.kb import service as kb_service
from handoff.kb.dependencies import EmbedderDep
from handoff.users.dependencies import CurrentEditor

from . import service, suggestions
from .schemas import (
    DraftCreated,
    GapAttach,
    GapDismiss,
    GapDraft,
    GapList,
    GapsDismissed,
    QuestionsAttached,
    SuggestionAccepted,
    SuggestionChoice,
    SuggestionList,
    TranscriptRead,
)

router = APIRouter(prefix="/api/kb", tags=["knowledge base editing"])


@router.get("/gaps", response_model=GapList)
async def list_gaps(editor: CurrentEditor, db: DbDep, embedder: EmbedderDep) -> GapList:
    """Unanswered questions, "didn't help" and handoffs, grouped by meaning, biggest first."""
    return await service.list_gaps(db=db, embedder=embedder)


@router.post("/gaps/draft", status_code=201, response_model=DraftCreated)
async def gap_to_draft(body: GapDraft, editor: CurrentEditor, db: DbDep) -> DraftCreated:
    """Turn a group into a new draft article whose example questions are the group's."""
    try:
        return await service.draft_from_gap(db=db, gap=body, author=editor.username)
    except kb_service.ArticleExists as exc:
        raise HTTPException(409, f"an article {body.slug!r} exists already") from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/gaps/attach", response_model=QuestionsAttached)
async def gap_to_article(body: GapAttach, editor: CurrentEditor, db: DbDep) -> QuestionsAttached:
    """Add a group's questions to an existing article (a new version, a draft)."""
    try:
        return await service.attach_to_article(db=db, gap=body, author=editor.username)
    except kb_service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {body.slug!r}") from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/gaps/dismiss", response_model=GapsDismissed)
async def dismiss_gaps(body: GapDismiss, editor: CurrentEditor, db: DbDep) -> GapsDismissed:
    """Remove questions that are no gap: not an IT question, or a request for a person."""
    return await service.dismiss_gaps(db=db, gap=body, by=editor.username)


@router.get("/suggestions", response_model=SuggestionList)
async def list_suggestions(editor: CurrentEditor, db: DbDep) -> SuggestionList:
    """Questions an article demonstrably answered, offered as its example questions."""
    return SuggestionList(suggestions=await suggestions.suggestions(db=db))


@router.post("/suggestions/accept", response_model=SuggestionAccepted)
async def accept_suggestion(
    body: SuggestionChoice, editor: CurrentEditor, db: DbDep, audit: AuditDep
) -> SuggestionAccepted:
    """Add the question to the article's example questions in its language."""
    try:
        accepted = await suggestions.accept(db=db, choice=body, by=editor.username)
    except kb_service.ArticleNotFound as exc:
        raise HTTPException(404, f"no article {body.slug!r}") from exc
    except kb_service.NoTranslation as exc:
        raise HTTPException(422, str(exc)) from exc
    await audit(actor=f"user:{editor.username}", action="kb.suggestion.accept", target=body.slug)
    return accepted


@router.post("/suggestions/reject", status_code=204)
async def reject_suggestion(body: SuggestionChoice, editor: CurrentEditor, db: DbDep) -> None:
    """Do not offer this question for this article again."""
    await suggestions.reject(db=db, choice=body, by=editor.username)


@router.get("/transcripts/{conversation_id}", response_model=TranscriptRead)
async def transcript(conversation_id: str, editor: CurrentEditor, db: DbDep) -> TranscriptRead:
    """A conversation behind a knowledge gap (without agents' internal notes)."""
    try:
        return await service.transcript(db=db, conversation_id=conversation_id)
    except ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
