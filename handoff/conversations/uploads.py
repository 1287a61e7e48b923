"""Files in a chat: a screenshot from the employee or a file from the agent, kept with its ticket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.attachments import service as attachment_service
from handoff.attachments.models import Attachment
from handoff.attachments.storage import Storage
from handoff.auth.employees import Employee
from handoff.tickets.models import format_number
from handoff.users.models import User

from . import ownership, store, texts
from .events import Events
from .models import Conversation, Message


@dataclass(frozen=True)
class Upload:
    name: str
    source: BinaryIO
    size: int


class UploadFlow:
    """Check, keep and show one file; the bot acknowledges it while it has the chat."""

    def __init__(
        self,
        *,
        open_db: async_sessionmaker[AsyncSession],
        storage: Storage,
        limits: attachment_service.Limits,
        events: Events,
        public_url: str,
    ) -> None:
        self.open_db = open_db
        self.storage = storage
        self.limits = limits
        self.events = events
        self.public_url = public_url

    async def from_employee(
        self, *, conversation_id: str, employee: Employee, upload: Upload
    ) -> Attachment:
        """The employee attaches a file (their own, open conversation)."""
        async with self.open_db() as db:
            conversation = await store.get_for_employee(
                db=db, conversation_id=conversation_id, employee=employee
            )
            return await self._attach(db, conversation, "employee", upload, author=None)

    async def from_agent(self, *, conversation_id: str, agent: User, upload: Upload) -> Attachment:
        """The agent who owns the live chat sends a file."""
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            ownership.ensure_owner(conversation, agent)
            return await self._attach(
                db, conversation, ownership.actor_of(agent), upload, author=agent.display_name
            )

    async def _attach(
        self,
        db: AsyncSession,
        conversation: Conversation,
        uploaded_by: str,
        upload: Upload,
        author: str | None,
    ) -> Attachment:
        if conversation.state == "closed":
            raise store.InvalidTransition("the conversation is closed")
        row = await attachment_service.save(
            db=db,
            storage=self.storage,
            limits=self.limits,
            conversation_id=conversation.id,
            uploaded_by=uploaded_by,
            name=upload.name,
            source=upload.source,
            size=upload.size,
        )
        if conversation.ticket_id is not None and conversation.state != "bot":
            row.ticket_id = conversation.ticket_id  # the ticket the people work on now
        shown = [
            await store.add_message(
                db=db,
                conversation=conversation,
                sender="agent" if author else "user",
                author=author,
                text=row.name,
                payload={"attachments": [attachment_service.attachment_json(row, self.public_url)]},
            )
        ]
        if author is None and conversation.state == "bot":
            shown.append(await self._acknowledge(db, conversation))
        await db.commit()
        await self.events.messages(conversation, shown)
        return row

    async def _acknowledge(self, db: AsyncSession, conversation: Conversation) -> Message:
        """While the bot has the chat, the service says where the file went."""
        if conversation.ticket_id is not None:
            await attachment_service.link_to_ticket(
                db=db, conversation_id=conversation.id, ticket_id=conversation.ticket_id
            )
            text = texts.text(
                "attachment_on_ticket",
                conversation.locale,
                ticket=format_number(conversation.ticket_id),
            )
        else:
            text = texts.text("attachment_kept", conversation.locale)
        return await store.add_message(
            db=db,
            conversation=conversation,
            sender="system",
            text=text,
            payload={"event": "attachment"},
        )
