"""Dependencies of the conversation routes: the flows, and loading a conversation or 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from handoff.auth.dependencies import CurrentEmployee
from handoff.deps import DbDep

from . import store
from .agent import AgentFlow
from .assistant import AssistantFlow
from .chat import ChatFlow
from .models import Conversation
from .queue import QueueFlow
from .uploads import UploadFlow


def get_chat(request: Request) -> ChatFlow:
    flow: ChatFlow = request.app.state.chat
    return flow


def get_agent_flow(request: Request) -> AgentFlow:
    flow: AgentFlow = request.app.state.agent_flow
    return flow


def get_queue(request: Request) -> QueueFlow:
    flow: QueueFlow = request.app.state.queue
    return flow


def get_uploads(request: Request) -> UploadFlow:
    flow: UploadFlow = request.app.state.uploads
    return flow


def get_assistant(request: Request) -> AssistantFlow:
    flow: AssistantFlow = request.app.state.assistant
    return flow


async def conversation_of_employee(
    conversation_id: str, employee: CurrentEmployee, db: DbDep
) -> Conversation:
    """The caller's own conversation; someone else's is as missing as an unknown one (404)."""
    try:
        return await store.get_for_employee(
            db=db, conversation_id=conversation_id, employee=employee
        )
    except store.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc


async def conversation_or_404(conversation_id: str, db: DbDep) -> Conversation:
    try:
        return await store.get(db=db, conversation_id=conversation_id)
    except store.ConversationNotFound as exc:
        raise HTTPException(404, "unknown conversation") from exc


ChatDep = Annotated[ChatFlow, Depends(get_chat)]
AgentFlowDep = Annotated[AgentFlow, Depends(get_agent_flow)]
QueueDep = Annotated[QueueFlow, Depends(get_queue)]
AssistantDep = Annotated[AssistantFlow, Depends(get_assistant)]
UploadsDep = Annotated[UploadFlow, Depends(get_uploads)]
EmployeeConversation = Annotated[Conversation, Depends(conversation_of_employee)]
ConversationOr404 = Annotated[Conversation, Depends(conversation_or_404)]
