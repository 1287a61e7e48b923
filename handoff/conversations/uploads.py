"""Files in a chat: the employee's screenshots, the agent's files, kept with the ticket.

While the bot fills its ticket form it hears of an employee's file (the service's own
intent `attachment_added`), so that the form counts the file as part of the description;
otherwise (or when the bot has nothing to say about it) the service says where the file went.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.attachments import images
from handoff.attachments import service as attachment_service
from handoff.attachments.models import Attachment
from handoff.attachments.storage import Storage
from handoff.auth.employees import Employee
from handoff.tickets.models import format_number
from handoff.users.models import User

from . import ownership, store, texts
from .chat import ChatFlow
from .events import Events
from .models import Conversation, Message

FORM = "ticket_form"  # the bot's form that takes a file as part of the description
UPLOADS_AT_ONCE = 2  # uploads read, cleaned and stored at the same time (the rest wait)
# While the bot is answering chats, a new upload starts at most this often (seconds): a burst
# of screenshots is taken at about 19 MB/s, not as fast as the cores allow, so that it slows
# the chats answered meanwhile less; with no chat waiting, uploads start at once.
UPLOAD_SPACING = 0.1


class UploadGate:
    """At most `at_once` uploads at a time; while `busy()`, one start per `spacing` seconds."""

    def __init__(self, *, at_once: int, spacing: float, busy: Callable[[], bool]) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._turn = asyncio.Lock()  # the next upload in line waits for its start alone
        self._spacing = spacing
        self._busy = busy
        self._last = 0.0

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        try:
            async with self._turn:
                while self._busy() and (wait := self._last + self._spacing - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                self._last = time.monotonic()
        except BaseException:
            self._slots.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()


@dataclass(frozen=True)
class Upload:
    name: str
    source: BinaryIO
    size: int


class UploadFlow:
    """Check, keep and show one file; the bot hears of it while it has the chat."""

    def __init__(
        self,
        *,
        open_db: async_sessionmaker[AsyncSession],
        storage: Storage,
        limits: attachment_service.Limits,
        events: Events,
        public_url: str,
        chat: ChatFlow | None = None,
    ) -> None:
        self.open_db = open_db
        self.chat = chat
        self.cleaner = images.Cleaner(directory=storage.incoming)
        self.slots = UploadGate(
            at_once=UPLOADS_AT_ONCE,
            spacing=UPLOAD_SPACING,
            busy=lambda: chat is not None and chat.answering > 0,
        )
        self.storage = storage
        self.limits = limits
        self.events = events
        self.public_url = public_url

    def close(self) -> None:
        self.cleaner.close()

    async def from_employee(
        self, *, conversation_id: str, employee: Employee, upload: Upload
    ) -> Attachment:
        """The employee attaches a file (their own, open conversation).

        While the bot's ticket form asks, the form is told of the file after the commit
        (Rasa's actions call in); otherwise where the file went is said in the same
        transaction that keeps it (one commit for an upload, as most are).
        """
        async with self.open_db() as db:
            conversation = await store.get_for_employee(
                db=db, conversation_id=conversation_id, employee=employee
            )
            in_form = conversation.state == "bot" and await self._form_asks(conversation)
            row, shown = await self._attach(
                db,
                conversation,
                "employee",
                upload,
                author=None,
                acknowledged=conversation.state == "bot" and not in_form,
            )
            await db.commit()
        await self.events.messages(conversation, shown)
        if in_form:
            await self._tell_form(conversation, row)
        return row

    async def from_agent(self, *, conversation_id: str, agent: User, upload: Upload) -> Attachment:
        """The agent who owns the live chat sends a file."""
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            ownership.ensure_owner(conversation, agent)
            row, shown = await self._attach(
                db, conversation, ownership.actor_of(agent), upload, author=agent.display_name
            )
            await db.commit()
        await self.events.messages(conversation, shown)
        return row

    async def _attach(
        self,
        db: AsyncSession,
        conversation: Conversation,
        uploaded_by: str,
        upload: Upload,
        author: str | None,
        acknowledged: bool = False,
    ) -> tuple[Attachment, list[Message]]:
        """Keep the file and show it in the chat (not committed yet); `acknowledged`: the
        service says where it went in the same write."""
        if conversation.state == "closed":
            raise store.InvalidTransition("the conversation is closed")
        row = await attachment_service.save(
            db=db,
            storage=self.storage,
            limits=self.limits,
            cleaner=self.cleaner,
            conversation_id=conversation.id,
            uploaded_by=uploaded_by,
            name=upload.name,
            source=upload.source,
            size=upload.size,
        )
        if conversation.ticket_id is not None and conversation.state != "bot":
            row.ticket_id = conversation.ticket_id  # the ticket the people work on now
        messages = [
            Message(
                sender="agent" if author else "user",
                author=author,
                text=row.name,
                payload={"attachments": [attachment_service.attachment_json(row, self.public_url)]},
            )
        ]
        if acknowledged:
            messages.append(self._acknowledgement(conversation, row))
        shown = await store.add_messages(db=db, conversation=conversation, messages=messages)
        return row, shown

    async def _form_asks(self, conversation: Conversation) -> bool:
        """Is the bot's ticket form asking? Only a form can use a file: no Rasa turn for every
        screenshot of a chat."""
        return self.chat is not None and await self.chat.form_open(conversation) == FORM

    async def _tell_form(self, conversation: Conversation, row: Attachment) -> None:
        """The form hears of the file; if it says nothing, the service says where it went."""
        assert self.chat is not None
        said = await self.chat.tell_bot(
            conversation_id=conversation.id,
            intent="attachment_added",
            entities={"attachment_name": row.name},
        )
        if said:
            return
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation.id)
            row = await attachment_service.get(db=db, attachment_id=row.id)
            note = self._acknowledgement(conversation, row)
            notes = await store.add_messages(db=db, conversation=conversation, messages=[note])
            await db.commit()
        await self.events.messages(conversation, notes)

    def _acknowledgement(self, conversation: Conversation, row: Attachment) -> Message:
        """Where the file went: with the chat's ticket, or kept for the ticket to come.

        A file the bot's ticket form took stays unlinked: it goes with the ticket that opens.
        """
        if conversation.ticket_id is not None:
            row.ticket_id = conversation.ticket_id
            text = texts.text(
                "attachment_on_ticket",
                conversation.locale,
                ticket=format_number(conversation.ticket_id),
            )
        else:
            text = texts.text("attachment_kept", conversation.locale)
        return Message(sender="system", text=text, payload={"event": "attachment"})
