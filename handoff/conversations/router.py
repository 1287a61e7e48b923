"""Chat API for employees (bearer: the intranet's signed token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from handoff.auth.dependencies import CurrentEmployee
from handoff.deps import SessionDep
from handoff.tickets.models import format_number

from . import service
from .chat import ChatService
from .schemas import ChatReply, MessageCreate, SessionCreate, SessionRead, SessionUpdate, Transcript

router = APIRouter(prefix="/api/chat", tags=["chat"])


def chat_service(request: Request) -> ChatService:
    chat: ChatService = request.app.state.chat
    return chat


async def session_read(session: Any, conversation: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "state": conversation.state,
        "locale": conversation.locale,
        "agent": conversation.agent_name,
        "queue_position": await service.queue_position(session=session, conversation=conversation),
        "ticket_number": format_number(conversation.ticket_id) if conversation.ticket_id else None,
        "created_at": conversation.created_at,
        "last_seq": conversation.last_seq,
    }


async def _load(session: Any, conversation_id: str, employee: Any) -> Any:
    try:
        return await service.get_for_employee(
            session=session, conversation_id=conversation_id, employee=employee
        )
    except service.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc


@router.post("/sessions", response_model=SessionRead, status_code=201)
async def create_session(
    employee: CurrentEmployee, session: SessionDep, body: SessionCreate | None = None
) -> dict[str, Any]:
    """Start a conversation with the assistant."""
    conversation = await service.create(
        session=session, employee=employee, locale=(body or SessionCreate()).locale
    )
    await session.commit()
    return await session_read(session, conversation)


@router.get("/sessions/{conversation_id}", response_model=SessionRead)
async def read_session(
    conversation_id: str, employee: CurrentEmployee, session: SessionDep
) -> dict[str, Any]:
    """State of a conversation: owner, queue position, ticket."""
    return await session_read(session, await _load(session, conversation_id, employee))


@router.patch("/sessions/{conversation_id}", response_model=SessionRead)
async def update_session(
    conversation_id: str, body: SessionUpdate, employee: CurrentEmployee, session: SessionDep
) -> dict[str, Any]:
    """Switch the conversation's language."""
    conversation = await _load(session, conversation_id, employee)
    conversation.locale = body.locale
    await session.commit()
    return await session_read(session, conversation)


@router.post("/sessions/{conversation_id}/messages", response_model=ChatReply)
async def post_message(
    conversation_id: str, body: MessageCreate, employee: CurrentEmployee, request: Request
) -> dict[str, Any]:
    """Send a message; the bot's replies to it come back in this response."""
    try:
        result = await chat_service(request).post(
            conversation_id=conversation_id,
            employee=employee,
            text=body.text,
            payload=body.payload,
        )
    except service.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
    except service.MessageRejected as exc:
        raise HTTPException(422, str(exc)) from exc
    return {
        "conversation_id": result.conversation.id,
        "state": result.conversation.state,
        "messages": [service.message_json(m) for m in result.replies],
        "queue_position": result.queue_position,
        "new_conversation": result.new_conversation,
    }


@router.get("/sessions/{conversation_id}/messages", response_model=Transcript)
async def read_messages(
    conversation_id: str,
    employee: CurrentEmployee,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, description="only messages after this seq")] = 0,
) -> dict[str, Any]:
    """The transcript (without agents' internal notes)."""
    conversation = await _load(session, conversation_id, employee)
    messages = await service.transcript(
        session=session, conversation_id=conversation.id, after=after
    )
    return {
        "conversation_id": conversation.id,
        "state": conversation.state,
        "messages": [service.message_json(m) for m in messages],
    }
