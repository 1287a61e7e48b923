"""The internal API the Rasa action server calls (service token): one route, one flow call."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from handoff.auth.dependencies import ServiceOnly
from handoff.deps import DbDep
from handoff.kb import service as kb_service
from handoff.kb.search import IndexUnavailable
from handoff.tickets import service as ticket_service
from handoff.tickets.schemas import TicketDraft, TicketList, TicketRead, ticket_json
from kb_index import QueryError

from . import store
from .dependencies import AssistantDep, ConversationOr404, conversation_or_404
from .schemas import (
    AnswerRead,
    ArticleParts,
    FailuresRead,
    FeedbackCreate,
    HandoffRead,
    HandoffRequest,
    TicketPreview,
)

router = APIRouter(
    prefix="/api/internal", tags=["internal (action server)"], dependencies=ServiceOnly
)
Lang = Annotated[Literal["de", "en"], Query()]


@router.get("/kb/answer", response_model=AnswerRead)
async def kb_answer(
    conversation: ConversationOr404,
    db: DbDep,
    assistant: AssistantDep,
    q: Annotated[str, Query()],
    lang: Lang = "de",
    off_topic: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Search for the employee's question; the article comes along when confident.

    `off_topic`: the bot's NLU read the message as not about IT; an answer must then match
    by meaning, not only by a word it shares with an article."""
    try:
        answer = await assistant.answer(
            db=db, conversation=conversation, query=q, lang=lang, off_topic=off_topic
        )
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    except IndexUnavailable as exc:
        raise HTTPException(503, f"search is unavailable: {exc}") from exc
    return asdict(answer)


@router.get("/kb/articles/{slug}", response_model=ArticleParts)
async def kb_article(
    slug: str, db: DbDep, assistant: AssistantDep, lang: Lang = "de"
) -> dict[str, Any]:
    """A published article, in lang if it exists."""
    try:
        return await assistant.article(db=db, slug=slug, lang=lang)
    except kb_service.ArticleNotFound as exc:
        raise HTTPException(404, "unknown article") from exc


@router.post("/conversations/{conversation_id}/feedback", response_model=FailuresRead)
async def feedback(
    conversation: ConversationOr404, body: FeedbackCreate, db: DbDep, assistant: AssistantDep
) -> dict[str, Any]:
    """Record "did this help?"; returns how many failures in a row this conversation had."""
    failures = await assistant.feedback(
        db=db, conversation=conversation, helpful=body.helpful, slug=body.slug
    )
    return {"consecutive_failures": failures}


@router.post("/conversations/{conversation_id}/handoff", response_model=HandoffRead)
async def handoff(
    conversation: ConversationOr404, body: HandoffRequest, db: DbDep, assistant: AssistantDep
) -> dict[str, Any]:
    """Queue the conversation for a live agent, with a ticket that keeps the transcript."""
    try:
        return await assistant.hand_off(db=db, conversation=conversation, reason=body.reason)
    except store.InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc


@router.post("/tickets/preview", response_model=TicketPreview)
async def preview(draft: TicketDraft, db: DbDep, assistant: AssistantDep) -> dict[str, Any]:
    """What the ticket would look like: summary, category, priority (nothing stored)."""
    conversation = await conversation_or_404(draft.conversation_id, db)
    return await assistant.preview_ticket(db=db, conversation=conversation, draft=draft)


@router.post("/tickets", status_code=201, response_model=TicketRead)
async def create_ticket(draft: TicketDraft, db: DbDep, assistant: AssistantDep) -> dict[str, Any]:
    """Open the ticket with the transcript so far, linked to the conversation."""
    conversation = await conversation_or_404(draft.conversation_id, db)
    ticket = await assistant.open_ticket(db=db, conversation=conversation, draft=draft)
    return ticket_json(ticket, conversation.locale)


@router.get("/tickets/{number}", response_model=TicketRead)
async def ticket_status(
    number: str, conversation: ConversationOr404, db: DbDep, assistant: AssistantDep
) -> dict[str, Any]:
    """A ticket of the conversation's employee (403 for someone else's, 404 unknown)."""
    try:
        return await assistant.ticket(db=db, conversation=conversation, number=number)
    except ticket_service.TicketNotFound as exc:
        raise HTTPException(404, "no ticket with that number") from exc
    except ticket_service.NotYourTicket as exc:
        raise HTTPException(403, "this ticket belongs to someone else") from exc


@router.get("/tickets", response_model=TicketList)
async def employee_tickets(
    conversation: ConversationOr404,
    db: DbDep,
    assistant: AssistantDep,
    open_only: Annotated[int, Query(alias="open", ge=0, le=1, description="1: only open")] = 1,
) -> dict[str, Any]:
    """The conversation's employee's tickets (open ones by default)."""
    tickets = await assistant.tickets(db=db, conversation=conversation, open_only=bool(open_only))
    return {"tickets": tickets}
