"""Ticket changes and replies reach the employee's chat widget, wherever it is open."""

from __future__ import annotations

from handoff.tickets.models import Ticket
from handoff.tickets.schemas import ticket_json
from handoff.users.models import User

from . import service
from .chat import ChatService


class TicketUpdates:
    """Pushes ticket events to ``employee:<id>``; replies also go into the chat transcript."""

    def __init__(self, *, chat: ChatService) -> None:
        self.chat = chat

    async def changed(self, ticket: Ticket) -> None:
        await self.chat.broker.publish(
            f"employee:{ticket.requester_id}", {"type": "ticket", "ticket": ticket_json(ticket)}
        )

    async def replied(self, ticket: Ticket, agent: User, text: str) -> None:
        """Append the reply to the ticket's conversation and push it to the employee."""
        message_json = None
        if ticket.conversation_id is not None:
            async with self.chat.sessions() as session:
                conversation = await service.get(
                    session=session, conversation_id=ticket.conversation_id
                )
                message = await service.add_message(
                    session=session,
                    conversation=conversation,
                    sender="agent",
                    text=text,
                    author=agent.display_name,
                    payload={"ticket": {"number": ticket.number, "subject": ticket.subject}},
                )
                await session.commit()
            message_json = service.message_json(message)
            await self.chat.publish_message(conversation, message)
        await self.chat.broker.publish(
            f"employee:{ticket.requester_id}",
            {"type": "ticket", "ticket": ticket_json(ticket), "reply": message_json},
        )
