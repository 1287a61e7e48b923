"""Agent console API: queue, chats with context, and every live action (role agent)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from handoff.deps import SessionDep
from handoff.users.dependencies import CurrentAdmin, CurrentAgent

from . import context, handoff, service
from .agent import AgentActions
from .models import CannedResponse, Conversation

router = APIRouter(prefix="/api/agent", tags=["agent console"])


class TextBody(BaseModel):
    text: str = Field(min_length=1, max_length=8000)


class CloseBody(BaseModel):
    resolution: str = Field(default="", max_length=4000)


class EscalateBody(BaseModel):
    summary: str = Field(min_length=1, max_length=4000)
    level: Annotated[int, Field(ge=2, le=3)] = 2


class CannedBody(BaseModel):
    title: str = Field(min_length=1, max_length=120)
    text_de: str = Field(default="", max_length=4000)
    text_en: str = Field(default="", max_length=4000)


def actions(request: Request) -> AgentActions:
    agent_actions: AgentActions = request.app.state.agent_actions
    return agent_actions


async def _act(coro: Any) -> Any:
    """Map domain errors of an agent action to HTTP errors."""
    try:
        return await coro
    except service.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
    except handoff.AlreadyClaimed as exc:
        raise HTTPException(409, "another agent has taken this chat, or it is not queued") from exc
    except handoff.NotYourConversation as exc:
        raise HTTPException(403, "this chat belongs to another agent") from exc
    except (service.InvalidTransition, service.MessageRejected) as exc:
        raise HTTPException(
            409 if isinstance(exc, service.InvalidTransition) else 422, str(exc)
        ) from exc


@router.get("/queue")
async def queue(agent: CurrentAgent, session: SessionDep) -> dict[str, Any]:
    """Chats waiting for an agent, longest waiting first."""
    return {"queue": await context.queue(session=session)}


@router.get("/conversations")
async def my_conversations(agent: CurrentAgent, session: SessionDep) -> dict[str, Any]:
    """The caller's live chats."""
    rows = await session.scalars(
        select(Conversation)
        .where(Conversation.state == "agent", Conversation.agent_id == agent.id)
        .order_by(Conversation.claimed_at)
    )
    return {"conversations": [context.summary(c) for c in rows]}


@router.get("/conversations/{conversation_id}")
async def conversation_context(
    conversation_id: str, agent: CurrentAgent, session: SessionDep, request: Request
) -> dict[str, Any]:
    """Everything about a chat: transcript with notes, what the bot understood, tickets."""
    return await _act(
        context.full(
            session=session, conversation_id=conversation_id, search=request.app.state.search
        )
    )


@router.post("/conversations/{conversation_id}/claim")
async def claim(conversation_id: str, agent: CurrentAgent, request: Request) -> dict[str, Any]:
    """Take a queued chat (409 if another agent was faster)."""
    conversation = await _act(actions(request).claim(conversation_id, agent))
    return context.summary(conversation)


@router.post("/conversations/{conversation_id}/messages")
async def write(
    conversation_id: str, body: TextBody, agent: CurrentAgent, request: Request
) -> dict[str, Any]:
    """Reply to the employee (only the owner of the chat)."""
    message = await _act(actions(request).write(conversation_id, agent, body.text))
    return service.message_json(message)


@router.post("/conversations/{conversation_id}/notes")
async def note(
    conversation_id: str, body: TextBody, agent: CurrentAgent, request: Request
) -> dict[str, Any]:
    """An internal note: in the console and on the ticket, never shown to the employee."""
    message = await _act(actions(request).write(conversation_id, agent, body.text, internal=True))
    return service.message_json(message)


@router.post("/conversations/{conversation_id}/release")
async def release(conversation_id: str, agent: CurrentAgent, request: Request) -> dict[str, Any]:
    """Put the chat back in the queue (to transfer it)."""
    return context.summary(await _act(actions(request).release(conversation_id, agent)))


@router.post("/conversations/{conversation_id}/handback")
async def hand_back(conversation_id: str, agent: CurrentAgent, request: Request) -> dict[str, Any]:
    """Give the chat back to the bot, which greets the employee again."""
    return context.summary(await _act(actions(request).hand_back(conversation_id, agent)))


@router.post("/conversations/{conversation_id}/close")
async def close(
    conversation_id: str, agent: CurrentAgent, request: Request, body: CloseBody | None = None
) -> dict[str, Any]:
    """End the chat; a resolution resolves the ticket."""
    resolution = (body or CloseBody()).resolution
    return context.summary(await _act(actions(request).close(conversation_id, agent, resolution)))


@router.post("/conversations/{conversation_id}/escalate")
async def escalate(
    conversation_id: str, body: EscalateBody, agent: CurrentAgent, request: Request
) -> dict[str, Any]:
    """Pass to level 2 (or 3) with a summary; the ticket carries it, the chat ends."""
    number = await _act(actions(request).escalate(conversation_id, agent, body.summary, body.level))
    return {"ticket_number": number, "level": body.level}


@router.get("/canned")
async def canned(agent: CurrentAgent, session: SessionDep) -> dict[str, Any]:
    rows = await session.scalars(select(CannedResponse).order_by(CannedResponse.title))
    return {
        "canned": [
            {"id": c.id, "title": c.title, "text_de": c.text_de, "text_en": c.text_en} for c in rows
        ]
    }


@router.post("/canned", status_code=201)
async def add_canned(body: CannedBody, admin: CurrentAdmin, session: SessionDep) -> dict[str, Any]:
    """Add a canned response (admins)."""
    row = CannedResponse(**body.model_dump())
    session.add(row)
    await session.commit()
    return {"id": row.id, **body.model_dump()}


@router.put("/canned/{canned_id}")
async def edit_canned(
    canned_id: int, body: CannedBody, admin: CurrentAdmin, session: SessionDep
) -> dict[str, Any]:
    """Change a canned response (admins)."""
    row = await session.get(CannedResponse, canned_id)
    if row is None:
        raise HTTPException(404, "no such canned response")
    for key, value in body.model_dump().items():
        setattr(row, key, value)
    await session.commit()
    return {"id": row.id, **body.model_dump()}


@router.delete("/canned/{canned_id}", status_code=204)
async def delete_canned(canned_id: int, admin: CurrentAdmin, session: SessionDep) -> None:
    row = await session.get(CannedResponse, canned_id)
    if row is None:
        raise HTTPException(404, "no such canned response")
    await session.delete(row)
    await session.commit()
