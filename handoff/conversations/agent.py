"""The agent's side of a chat: each action is one ownership change, stored, logged, pushed live."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.tickets.priority import Sla
from handoff.tickets.schemas import ticket_json
from handoff.users.models import User

from . import ownership, store, texts
from .chat import ChatFlow
from .models import Conversation, Message
from .queue import QueueFlow


async def _system(db: AsyncSession, conversation: Conversation, key: str, **values: Any) -> Message:
    return await store.add_message(
        db=db,
        conversation=conversation,
        sender="system",
        text=texts.text(key, conversation.locale, **values),
        payload={"event": key},
    )


class AgentFlow:
    """Claim, write, note, release, hand back, close, escalate."""

    def __init__(self, *, chat: ChatFlow, queue: QueueFlow, sla: Sla) -> None:
        self.chat = chat
        self.queue = queue
        self.open_db = chat.open_db
        self.events = chat.events
        self.sla = sla

    async def _announce(self, conversation: Conversation, message: Message) -> None:
        await self.events.message(conversation, message)
        await self.events.state(conversation, staff_too=True)
        await self.queue.announce_positions()

    async def claim(self, *, conversation_id: str, agent: User) -> Conversation:
        """Take a queued chat (AlreadyClaimed if another agent was faster)."""
        async with self.open_db() as db:
            conversation = await ownership.claim(
                db=db, conversation_id=conversation_id, agent=agent
            )
            joined = await _system(db, conversation, "agent_joined", agent=agent.display_name)
            await db.commit()
        await self._announce(conversation, joined)
        return conversation

    async def write(
        self, *, conversation_id: str, agent: User, text: str, internal: bool = False
    ) -> Message:
        """A reply to the employee, or an internal note (never shown to the employee)."""
        text = store.clean_text(text, limit=self.chat.max_chars)
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            message = await ownership.write(
                db=db, conversation=conversation, agent=agent, text=text, internal=internal
            )
            await db.commit()
        await self.events.message(conversation, message)
        return message

    async def release(self, *, conversation_id: str, agent: User) -> Conversation:
        """Put the chat back in the queue (to transfer it)."""
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            await ownership.release(db=db, conversation=conversation, agent=agent)
            left = await _system(db, conversation, "agent_left", agent=agent.display_name)
            await db.commit()
        await self.queue.announce(conversation)
        await self._announce(conversation, left)
        return conversation

    async def hand_back(self, *, conversation_id: str, agent: User) -> Conversation:
        """Give the chat to the bot, which greets the employee again."""
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            await ownership.hand_back(db=db, conversation=conversation, agent=agent)
            back = await _system(db, conversation, "handed_back", agent=agent.display_name)
            await db.commit()
        await self._announce(conversation, back)
        await self.chat.greet_again(conversation_id)
        return conversation

    async def close(
        self,
        *,
        conversation_id: str,
        agent: User,
        resolution: str,
        resolve_tickets: list[str] | None = None,
    ) -> Conversation:
        """End the chat; a resolution resolves the chosen tickets (by default the handoff's)."""
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            resolved = await ownership.close(
                db=db,
                conversation=conversation,
                agent=agent,
                resolution=resolution,
                resolve_tickets=resolve_tickets,
            )
            closed = await _system(db, conversation, "closed")
            await db.commit()
        await self._announce(conversation, closed)
        for ticket in resolved:  # "INC-…: resolved" in the widget and its ticket list
            await self.events.ticket(
                conversation.employee_id, ticket_json(ticket, conversation.locale)
            )
        return conversation

    async def escalate(self, *, conversation_id: str, agent: User, summary: str, level: int) -> str:
        """Pass to level 2 or 3 with a summary; return the ticket number."""
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            ticket = await ownership.escalate(
                db=db,
                conversation=conversation,
                agent=agent,
                summary=summary,
                level=level,
                sla=self.sla,
            )
            note = await _system(db, conversation, "escalated", ticket=ticket.number, level=level)
            await db.commit()
        await self._announce(conversation, note)
        return ticket.number
