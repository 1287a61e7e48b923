"""Agent console API: queue, chats with context, every live action, canned responses."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from handoff.audit.dependencies import AuditDep
from handoff.deps import DbDep
from handoff.kb.dependencies import SearchDep
from handoff.tickets import service as ticket_service
from handoff.users.dependencies import CurrentAdmin, CurrentAgent

from . import canned, context, ownership, store
from .dependencies import AgentFlowDep
from .schemas import (
    AgentConversation,
    AgentConversations,
    AgentMessage,
    ChatContext,
    Escalation,
    QueueRead,
)

router = APIRouter(prefix="/api/agent", tags=["agent console"])
T = TypeVar("T")


class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=8000)


class CloseBody(BaseModel):
    resolution: str = Field(default="", max_length=4000)
    resolve_tickets: list[str] | None = Field(
        default=None,
        max_length=20,
        description="tickets of this chat the resolution resolves (default: the handoff's)",
    )


class EscalateBody(BaseModel):
    summary: str = Field(min_length=1, max_length=4000)
    level: Annotated[int, Field(ge=2, le=3)] = 2


class CannedBody(BaseModel):
    title: str = Field(min_length=1, max_length=120)
    text_de: str = Field(default="", max_length=4000)
    text_en: str = Field(default="", max_length=4000)


class CannedRead(CannedBody):
    id: int


async def _act(action: Awaitable[T]) -> T:
    """Map the domain errors of an agent action to HTTP errors."""
    try:
        return await action
    except store.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
    except ownership.AlreadyClaimed as exc:
        raise HTTPException(409, "another agent has taken this chat, or it is not queued") from exc
    except ownership.NotYourConversation as exc:
        raise HTTPException(403, "this chat belongs to another agent") from exc
    except store.InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    except store.MessageRejected as exc:
        raise HTTPException(422, str(exc)) from exc
    except ticket_service.TicketNotFound as exc:
        raise HTTPException(422, f"unknown ticket {exc}") from exc


@router.get("/queue", response_model=QueueRead)
async def queue(agent: CurrentAgent, db: DbDep) -> dict[str, Any]:
    """Chats waiting for an agent, longest waiting first."""
    return {"queue": await context.queue(db=db)}


@router.get("/conversations", response_model=AgentConversations)
async def my_conversations(agent: CurrentAgent, db: DbDep) -> dict[str, Any]:
    """The caller's live chats."""
    return {"conversations": await context.live_chats_of(db=db, agent_id=agent.id)}


@router.get("/conversations/{conversation_id}", response_model=ChatContext)
async def conversation_context(
    conversation_id: str, agent: CurrentAgent, db: DbDep, search: SearchDep
) -> dict[str, Any]:
    """Everything about a chat: transcript with notes, what the bot understood, tickets."""
    return await _act(context.full(db=db, conversation_id=conversation_id, search=search))


@router.post("/conversations/{conversation_id}/claim", response_model=AgentConversation)
async def claim(
    conversation_id: str, agent: CurrentAgent, flow: AgentFlowDep, audit: AuditDep
) -> dict[str, Any]:
    """Take a queued chat (409 if another agent was faster)."""
    conversation = await _act(flow.claim(conversation_id=conversation_id, agent=agent))
    await audit(actor=f"user:{agent.username}", action="chat.claim", target=conversation_id)
    return context.summary(conversation)


@router.post("/conversations/{conversation_id}/messages", response_model=AgentMessage)
async def write(
    conversation_id: str, body: TextBody, agent: CurrentAgent, flow: AgentFlowDep
) -> dict[str, Any]:
    """Reply to the employee (only the owner of the chat)."""
    message = await _act(flow.write(conversation_id=conversation_id, agent=agent, text=body.text))
    return store.message_json(message)


@router.post("/conversations/{conversation_id}/notes", response_model=AgentMessage)
async def note(
    conversation_id: str, body: TextBody, agent: CurrentAgent, flow: AgentFlowDep
) -> dict[str, Any]:
    """An internal note: in the console and on the ticket, never shown to the employee."""
    message = await _act(
        flow.write(conversation_id=conversation_id, agent=agent, text=body.text, internal=True)
    )
    return store.message_json(message)


@router.post("/conversations/{conversation_id}/release", response_model=AgentConversation)
async def release(conversation_id: str, agent: CurrentAgent, flow: AgentFlowDep) -> dict[str, Any]:
    """Put the chat back in the queue (to transfer it)."""
    conversation = await _act(flow.release(conversation_id=conversation_id, agent=agent))
    return context.summary(conversation)


@router.post("/conversations/{conversation_id}/handback", response_model=AgentConversation)
async def hand_back(
    conversation_id: str, agent: CurrentAgent, flow: AgentFlowDep
) -> dict[str, Any]:
    """Give the chat back to the bot, which greets the employee again."""
    conversation = await _act(flow.hand_back(conversation_id=conversation_id, agent=agent))
    return context.summary(conversation)


@router.post("/conversations/{conversation_id}/close", response_model=AgentConversation)
async def close(
    conversation_id: str,
    agent: CurrentAgent,
    flow: AgentFlowDep,
    audit: AuditDep,
    body: CloseBody | None = None,
) -> dict[str, Any]:
    """End the chat; a resolution resolves the ticket."""
    body = body or CloseBody()
    conversation = await _act(
        flow.close(
            conversation_id=conversation_id,
            agent=agent,
            resolution=body.resolution,
            resolve_tickets=body.resolve_tickets,
        )
    )
    await audit(actor=f"user:{agent.username}", action="chat.close", target=conversation_id)
    return context.summary(conversation)


@router.post("/conversations/{conversation_id}/escalate", response_model=Escalation)
async def escalate(
    conversation_id: str,
    body: EscalateBody,
    agent: CurrentAgent,
    flow: AgentFlowDep,
    audit: AuditDep,
) -> dict[str, Any]:
    """Pass to level 2 (or 3) with a summary; the ticket carries it, the chat ends."""
    number = await _act(
        flow.escalate(
            conversation_id=conversation_id, agent=agent, summary=body.summary, level=body.level
        )
    )
    await audit(actor=f"user:{agent.username}", action="chat.escalate", target=number)
    return {"ticket_number": number, "level": body.level}


@router.get("/canned")
async def list_canned(agent: CurrentAgent, db: DbDep) -> dict[str, list[CannedRead]]:
    """Canned responses, by title."""
    rows = await canned.list_all(db=db)
    return {"canned": [CannedRead.model_validate(r, from_attributes=True) for r in rows]}


@router.post("/canned", status_code=201)
async def add_canned(body: CannedBody, admin: CurrentAdmin, db: DbDep) -> CannedRead:
    """Add a canned response (admins)."""
    row = await canned.add(db=db, **body.model_dump())
    await db.commit()
    return CannedRead.model_validate(row, from_attributes=True)


@router.put("/canned/{canned_id}")
async def edit_canned(
    canned_id: int, body: CannedBody, admin: CurrentAdmin, db: DbDep
) -> CannedRead:
    """Change a canned response (admins)."""
    try:
        row = await canned.edit(db=db, canned_id=canned_id, **body.model_dump())
    except canned.CannedNotFound as exc:
        raise HTTPException(404, "no such canned response") from exc
    await db.commit()
    return CannedRead.model_validate(row, from_attributes=True)


@router.delete("/canned/{canned_id}", status_code=204)
async def delete_canned(canned_id: int, admin: CurrentAdmin, db: DbDep) -> None:
    """Delete a canned response (admins)."""
    try:
        await canned.remove(db=db, canned_id=canned_id)
    except canned.CannedNotFound as exc:
        raise HTTPException(404, "no such canned response") from exc
    await db.commit()
