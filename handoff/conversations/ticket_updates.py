"""Ticket changes and replies reach the employee's chat widget, wherever it is open."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.tickets.models import Ticket
from handoff.tickets.schemas import ticket_json

from . import store
from .events import Events


class TicketUpdates:
    """The tickets' listener: events to ``employee:<id>``; replies also go into the chat."""

    def __init__(self, *, open_db: async_sessionmaker[AsyncSession], events: Events) -> None:
        self.open_db = open_db
        self.events = events

    async def changed(self, ticket: Ticket) -> None:
        await self.events.ticket(ticket.requester_id, ticket_json(ticket))

    async def replied(self, ticket: Ticket, author: str, text: str) -> None:
        """Append the reply to the ticket's conversation and push it to the employee."""
        reply = None
        if ticket.conversation_id is not None:
            async with self.open_db() as db:
                conversation = await store.get(db=db, conversation_id=ticket.conversation_id)
                message = await store.add_message(
                    db=db,
                    conversation=conversation,
                    sender="agent",
                    text=text,
                    author=author,
                    payload={"ticket": {"number": ticket.number, "subject": ticket.subject}},
                )
                await db.commit()
            reply = store.message_json(message)
            await self.events.message(conversation, message)
        await self.events.ticket(ticket.requester_id, ticket_json(ticket), reply=reply)
