"""Chat API for employees (bearer: the intranet's signed token).

The public paths say "sessions" (the contract); inside the code a chat is a conversation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.auth.dependencies import CurrentEmployee
from handoff.deps import DbDep
from handoff.tickets.models import format_number

from . import history, store, ticketing
from .dependencies import ChatDep, EmployeeConversation, QueueDep
from .models import Conversation
from .queue import QueueFlow
from .schemas import (
    ChatReply,
    ConversationCreate,
    ConversationList,
    ConversationRead,
    ConversationUpdate,
    MessageCreate,
    Transcript,
)

router = APIRouter(prefix="/api/chat", tags=["chat"])
MAX_SEQ = 2**31 - 1  # sequence numbers are database integers


async def _agents_if_waiting(conversation: Conversation, queue: QueueFlow) -> int | None:
    """Agents online, asked only while the chat waits for one (the header says so)."""
    return await queue.agents_online() if conversation.state == "queued" else None


async def _read(db: AsyncSession, conversation: Conversation, queue: QueueFlow) -> dict[str, Any]:
    awaiting = await ticketing.awaiting_reply(db=db, conversation_id=conversation.id)
    return {
        "conversation_id": conversation.id,
        "state": conversation.state,
        "locale": conversation.locale,
        "agent": conversation.agent_name,
        "queue_position": await store.queue_position(db=db, conversation=conversation),
        "ticket_number": format_number(conversation.ticket_id) if conversation.ticket_id else None,
        "created_at": conversation.created_at,
        "last_seq": conversation.last_seq,
        "awaiting_reply": (
            {"number": awaiting.number, "subject": awaiting.subject} if awaiting else None
        ),
        "desk": queue.desk(await _agents_if_waiting(conversation, queue)),
    }


@router.post("/sessions", response_model=ConversationRead, status_code=201)
async def start_conversation(
    employee: CurrentEmployee, db: DbDep, queue: QueueDep, body: ConversationCreate | None = None
) -> dict[str, Any]:
    """Start a conversation with the assistant."""
    locale = (body or ConversationCreate()).locale
    conversation = await store.create(db=db, employee=employee, locale=locale)
    await db.commit()
    return await _read(db, conversation, queue)


@router.get("/conversations", response_model=ConversationList)
async def my_conversations(employee: CurrentEmployee, db: DbDep) -> dict[str, Any]:
    """The caller's conversations, newest first, with their tickets (on any device)."""
    return {"conversations": await history.of_employee(db=db, employee_id=employee.id)}


@router.get("/sessions/{conversation_id}", response_model=ConversationRead)
async def read_conversation(
    conversation: EmployeeConversation, db: DbDep, queue: QueueDep
) -> dict[str, Any]:
    """State of a conversation: owner, queue position, ticket."""
    return await _read(db, conversation, queue)


@router.patch("/sessions/{conversation_id}", response_model=ConversationRead)
async def update_conversation(
    conversation: EmployeeConversation, body: ConversationUpdate, db: DbDep, queue: QueueDep
) -> dict[str, Any]:
    """Switch the conversation's language."""
    conversation.locale = body.locale
    await db.commit()
    return await _read(db, conversation, queue)


@router.post("/sessions/{conversation_id}/messages", response_model=ChatReply)
async def post_message(
    conversation_id: str,
    body: MessageCreate,
    employee: CurrentEmployee,
    chat: ChatDep,
    queue: QueueDep,
) -> dict[str, Any]:
    """Send a message; the bot's replies to it come back in this response."""
    try:
        result = await chat.post(
            conversation_id=conversation_id,
            employee=employee,
            text=body.text,
            payload=body.payload,
            files=body.files,
        )
    except store.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
    except store.MessageRejected as exc:
        raise HTTPException(422, str(exc)) from exc
    return {
        "conversation_id": result.conversation.id,
        "state": result.conversation.state,
        "locale": result.conversation.locale,
        "messages": [store.message_json(m) for m in result.replies],
        "queue_position": result.queue_position,
        "new_conversation": result.new_conversation,
        "to_ticket": result.to_ticket,
        "desk": queue.desk(await _agents_if_waiting(result.conversation, queue)),
    }


@router.get("/sessions/{conversation_id}/messages", response_model=Transcript)
async def read_messages(
    conversation: EmployeeConversation,
    db: DbDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="only messages after this seq")] = 0,
) -> dict[str, Any]:
    """The transcript (without agents' internal notes)."""
    messages = await store.transcript(db=db, conversation_id=conversation.id, after=after)
    return {
        "conversation_id": conversation.id,
        "state": conversation.state,
        "messages": [store.message_json(m) for m in messages],
    }
