"""Internal API for the Rasa action server (service token): KB answers, feedback, handoff."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.deps import SearchDep, SessionDep, SettingsDep
from handoff.kb import service as kb_service
from handoff.kb.search import IndexUnavailable
from handoff.kb.sections import split_sections
from handoff.tickets.classify import derive_category
from handoff.tickets.models import format_number
from kb_index import QueryError

from . import handoff as handoff_service
from . import service
from .models import Conversation, Feedback
from .schemas import FeedbackCreate, HandoffRequest

router = APIRouter(prefix="/api/internal", tags=["internal (action server)"])
ANSWER_HITS = 3


async def _conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    try:
        return await service.get(session=session, conversation_id=conversation_id)
    except service.ConversationNotFound as exc:
        raise HTTPException(404, "unknown conversation") from exc


def _article_json(text: kb_service.PublishedText, public_url: str) -> dict[str, Any]:
    parts = split_sections(text.body)
    return {
        "slug": text.slug,
        "title": text.title,
        "lang": text.lang,
        "intro": parts["intro"],
        "check_first": parts["check_first"],
        "steps": parts["steps"],
        "still_not_working": parts["still_not_working"],
        "url": f"{public_url}/kb/{text.slug}?lang={text.lang}",
    }


@router.get("/kb/answer")
async def kb_answer(
    session: SessionDep,
    search: SearchDep,
    settings: SettingsDep,
    q: Annotated[str, Query()],
    conversation_id: Annotated[str, Query()],
    lang: Annotated[Literal["de", "en"], Query()] = "de",
) -> dict[str, Any]:
    """Search for the employee's question; the article comes along when confident."""
    conversation = await _conversation(session, conversation_id)
    try:
        result = await search.search(q, k=ANSWER_HITS, lang=lang)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    except IndexUnavailable as exc:
        raise HTTPException(503, f"search is unavailable: {exc}") from exc
    article = None
    if result.confident:
        text = await kb_service.published_text(session=session, slug=result.hits[0].slug, lang=lang)
        article = _article_json(text, settings.public_url)
    turn = await service.pending_turn(session=session, conversation_id=conversation.id)
    if turn is not None:
        turn.kb_query, turn.kb_confident = q, result.confident
        turn.kb_hits = [h.to_json() for h in result.hits]
    conversation.kb_failures = 0 if result.confident else conversation.kb_failures + 1
    await session.commit()
    return {
        "confident": result.confident,
        "lang": lang,
        "article": article,
        "hits": [h.to_json() for h in result.hits],
        "consecutive_failures": conversation.kb_failures,
    }


@router.get("/kb/articles/{slug}")
async def kb_article(
    slug: str,
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[Literal["de", "en"], Query()] = "de",
) -> dict[str, Any]:
    """A published article, in lang if it exists."""
    try:
        text = await kb_service.published_text(session=session, slug=slug, lang=lang)
    except kb_service.ArticleNotFound as exc:
        raise HTTPException(404, "unknown article") from exc
    return _article_json(text, settings.public_url)


@router.post("/conversations/{conversation_id}/feedback")
async def feedback(
    conversation_id: str, body: FeedbackCreate, session: SessionDep
) -> dict[str, Any]:
    """Record "did this help?"; returns how many failures in a row this conversation had."""
    conversation = await _conversation(session, conversation_id)
    # The feedback is about the last question the knowledge base was asked.
    query = await service.last_kb_query(session=session, conversation_id=conversation_id)
    session.add(
        Feedback(conversation_id=conversation_id, slug=body.slug, helpful=body.helpful, query=query)
    )
    conversation.kb_failures = 0 if body.helpful else conversation.kb_failures + 1
    await session.commit()
    return {"consecutive_failures": conversation.kb_failures}


@router.post("/conversations/{conversation_id}/handoff")
async def handoff(
    conversation_id: str,
    body: HandoffRequest,
    session: SessionDep,
    search: SearchDep,
    request: Request,
) -> dict[str, Any]:
    """Queue the conversation for a live agent, with a ticket that keeps the transcript."""
    conversation = await _conversation(session, conversation_id)
    said = await service.employee_messages(session=session, conversation_id=conversation_id)
    category = await derive_category(
        session=session, search=search, text=" ".join(said)[-500:] or "help"
    )
    try:
        result = await handoff_service.to_queue(
            session=session, conversation=conversation, reason=body.reason, category=category
        )
    except service.InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    await session.commit()
    queue = request.app.state.queue
    if result.changed:
        await queue.announce(conversation)
    outcome = await queue.outcome(conversation) if result.changed else "already_queued"
    if outcome in ("no_agents", "out_of_hours"):
        # The bot tells the employee now; the waiting-too-long notice would repeat it.
        conversation.notified_unattended = True
        await session.commit()
    position = await service.queue_position(session=session, conversation=conversation)
    return {
        "state": conversation.state,
        "outcome": outcome,
        "ticket_number": format_number(result.ticket.id),
        "queue_position": position,
        "agents_online": await queue.agents_online(),
        "estimated_wait_minutes": await queue.estimated_wait(position),
    }
