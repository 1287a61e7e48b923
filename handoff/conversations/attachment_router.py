"""Attachments: upload by the employee or the agent, download by that employee and by staff."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from handoff.attachments import service as attachment_service
from handoff.attachments.sniff import Refused
from handoff.auth.dependencies import CurrentEmployee, bearer, employee_from_token
from handoff.auth.employees import InvalidEmployeeToken
from handoff.deps import DbDep, SettingsDep
from handoff.tickets import service as ticket_service
from handoff.users import service as user_service
from handoff.users.dependencies import SESSION_COOKIE, CurrentAgent

from . import ownership, store
from .dependencies import UploadsDep
from .models import Conversation
from .schemas import AttachmentRead
from .uploads import Upload, UploadFlow

router = APIRouter(tags=["attachments"])


async def _keep(action: Any) -> Any:
    """Map the reasons a file is refused to HTTP errors."""
    try:
        return await action
    except store.ConversationNotFound as exc:
        raise HTTPException(404, "conversation not found") from exc
    except attachment_service.TooLarge as exc:
        raise HTTPException(413, str(exc)) from exc
    except Refused as exc:
        raise HTTPException(415, f"this kind of file is not accepted: {exc}") from exc
    except attachment_service.EmptyFile as exc:
        raise HTTPException(422, str(exc)) from exc
    except ownership.NotYourConversation as exc:
        raise HTTPException(403, "this chat belongs to another agent") from exc
    except store.InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc


def _disposition(name: str, *, inline: bool) -> str:
    """inline for images, attachment for the rest; the name survives any alphabet (RFC 6266)."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return (
        f'{"inline" if inline else "attachment"}; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(name)}"
    )


# The body is read in the handler, not by FastAPI before it, so that it is read only when the
# upload's turn has come (UploadFlow.slots); the schema is the one `file: UploadFile` gives.
MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@asynccontextmanager
async def _received(request: Request, uploads: UploadFlow) -> AsyncIterator[Upload]:
    """The multipart field `file`, read when the upload gate lets it in.

    Fifty screenshots sent at once are then parsed, cleaned and stored two at a time, and
    spaced while the bot is answering chats, their bytes held back by their connections
    meanwhile, instead of all at once at the cost of every chat answered in the same seconds.
    """
    async with uploads.slots:
        try:
            form = await request.form(max_files=1, max_fields=10)
        except MultiPartException as exc:
            raise HTTPException(400, f"not a readable multipart body: {exc.message}") from exc
        try:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise HTTPException(422, "send the file as the multipart field `file`")
            yield Upload(name=file.filename or "file", source=file.file, size=file.size or 0)
        finally:
            await form.close()


@router.post(
    "/api/chat/sessions/{conversation_id}/attachments",
    status_code=201,
    openapi_extra=MULTIPART_FILE,
)
async def attach(
    conversation_id: str,
    request: Request,
    employee: CurrentEmployee,
    uploads: UploadsDep,
    settings: SettingsDep,
) -> AttachmentRead:
    """Attach a screenshot or file (images, PDF, text and log files) to the chat."""
    async with _received(request, uploads) as upload:
        row = await _keep(
            uploads.from_employee(conversation_id=conversation_id, employee=employee, upload=upload)
        )
    return AttachmentRead(**attachment_service.attachment_json(row, settings.public_url))


@router.post(
    "/api/agent/conversations/{conversation_id}/attachments",
    status_code=201,
    openapi_extra=MULTIPART_FILE,
)
async def agent_attach(
    conversation_id: str,
    request: Request,
    agent: CurrentAgent,
    uploads: UploadsDep,
    settings: SettingsDep,
) -> AttachmentRead:
    """Send the employee a file in the live chat (only the owner of the chat)."""
    async with _received(request, uploads) as upload:
        row = await _keep(
            uploads.from_agent(conversation_id=conversation_id, agent=agent, upload=upload)
        )
    return AttachmentRead(**attachment_service.attachment_json(row, settings.public_url))


async def _may_see(request: Request, db: Any, settings: Any, conversation_id: str) -> bool:
    """The conversation's employee (bearer token) or an agent or admin (bearer or cookie)."""
    credentials: HTTPAuthorizationCredentials | None = await bearer(request)
    if credentials is not None:
        try:
            employee = employee_from_token(credentials.credentials, settings)
        except InvalidEmployeeToken:
            found = await user_service.session_user(db=db, token=credentials.credentials)
            return found is not None and found[0].can("agent")
        conversation = await db.get(Conversation, conversation_id)
        return conversation is not None and conversation.employee_id == employee.id
    cookie = request.cookies.get(SESSION_COOKIE)
    found = await user_service.session_user(db=db, token=cookie, kind="cookie") if cookie else None
    return found is not None and found[0].can("agent")


@router.get("/api/attachments/{attachment_id}")
async def download(
    attachment_id: str, request: Request, db: DbDep, settings: SettingsDep, uploads: UploadsDep
) -> StreamingResponse:
    """The file itself: for the chat's employee and for staff; anyone else gets 404."""
    try:
        row = await attachment_service.get(db=db, attachment_id=attachment_id)
    except attachment_service.AttachmentNotFound as exc:
        raise HTTPException(404, "no such attachment") from exc
    if not await _may_see(request, db, settings, row.conversation_id):
        raise HTTPException(404, "no such attachment")
    inline = row.content_type.startswith("image/")
    return StreamingResponse(
        uploads.storage.chunks(row.storage_key),
        media_type=row.content_type,
        headers={
            "Content-Length": str(row.size),
            "Content-Disposition": _disposition(row.name, inline=inline),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300",
        },
    )


@router.get("/api/agent/attachments")
async def list_attachments(
    agent: CurrentAgent,
    db: DbDep,
    settings: SettingsDep,
    ticket: Annotated[str, Query(description="a ticket number")],
) -> dict[str, list[AttachmentRead]]:
    """The files that go with a ticket."""
    try:
        found = await ticket_service.get(db=db, number=ticket)
    except ticket_service.TicketNotFound as exc:
        raise HTTPException(404, "no ticket with that number") from exc
    rows = await attachment_service.of_ticket(db=db, ticket_id=found.id)
    return {
        "attachments": [
            AttachmentRead(**attachment_service.attachment_json(r, settings.public_url))
            for r in rows
        ]
    }
