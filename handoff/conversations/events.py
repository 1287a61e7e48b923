"""What the live channels carry about conversations: every event is built and sent here."""

from __future__ import annotations

from typing import Any

from handoff.realtime import channels
from handoff.realtime.broker import Broker
from handoff.tickets.models import Ticket

from . import store
from .models import Conversation, Message


def state_event(conversation: Conversation, **extra: Any) -> dict[str, Any]:
    return {
        "type": "state",
        "conversation_id": conversation.id,
        "state": conversation.state,
        "agent": conversation.agent_name,
        "locale": conversation.locale,
        **extra,
    }


class Events:
    """Publishes stored facts; a subscriber that misses one catches up from the database."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    async def message(self, conversation: Conversation, message: Message) -> None:
        """Push a stored message: to the widget (and watching agents), notes to staff only."""
        event = {
            "type": "message",
            "conversation_id": conversation.id,
            "locale": conversation.locale,  # the language the message is shown in
            "message": store.message_json(message),
        }
        if message.internal:
            await self.broker.publish(channels.agent_conversation(conversation.id), event)
        else:
            await self.broker.publish(channels.conversation(conversation.id), event)

    async def messages(self, conversation: Conversation, messages: list[Message]) -> None:
        for message in messages:
            await self.message(conversation, message)

    async def state(self, conversation: Conversation, *, staff_too: bool = False) -> None:
        """Tell the widget (and, with staff_too, the agents watching) the new owner state."""
        await self.broker.publish(channels.conversation(conversation.id), state_event(conversation))
        if staff_too:
            await self.broker.publish(
                channels.agent_conversation(conversation.id), state_event(conversation)
            )

    async def moved(self, old_id: str, conversation: Conversation) -> None:
        """A message to a closed conversation opened this one: the widget follows."""
        await self.broker.publish(
            channels.conversation(old_id), state_event(conversation, moved_to=conversation.id)
        )

    async def queue_position(
        self,
        conversation_id: str,
        position: int,
        estimated_wait_minutes: int | None,
        desk: dict[str, Any],
    ) -> None:
        await self.broker.publish(
            channels.conversation(conversation_id),
            {
                "type": "queue",
                "conversation_id": conversation_id,
                "position": position,
                "estimated_wait_minutes": estimated_wait_minutes,
                "desk_open": desk["open"],
                "opens_at": desk["opens_at"],
                "desk_staffed": desk["staffed"],
            },
        )

    async def chat_waiting(self, conversation: Conversation) -> None:
        await self.broker.publish(
            channels.AGENTS,
            {
                "type": "chat_waiting",
                "conversation_id": conversation.id,
                "employee": conversation.employee_name,
                "reason": conversation.handoff_reason,
            },
        )

    async def queue_changed(self, waiting: int) -> None:
        await self.broker.publish(channels.AGENTS, {"type": "queue_changed", "waiting": waiting})

    async def presence(self, agents_online: int) -> None:
        await self.broker.publish(
            channels.AGENTS, {"type": "presence", "agents_online": agents_online}
        )

    async def ticket(self, employee_id: str, ticket: dict[str, Any], **extra: Any) -> None:
        """A ticket of this employee changed (or was answered): every widget of theirs hears it."""
        await self.broker.publish(
            channels.employee(employee_id), {"type": "ticket", "ticket": ticket, **extra}
        )

    async def ticket_reply(self, ticket: Ticket) -> None:
        """Tell the agents that a requester answered on a ticket (its assignee above all)."""
        await self.broker.publish(
            channels.AGENTS,
            {
                "type": "ticket_reply",
                "ticket": ticket.number,
                "subject": ticket.subject,
                "assignee_id": ticket.assignee_id,
                "conversation_id": ticket.conversation_id,
            },
        )

    async def typing(self, conversation_id: str, *, who: str) -> None:
        """The employee's typing goes to staff; the agent's to the widget."""
        event = {"type": "typing", "conversation_id": conversation_id, "who": who}
        if who == "employee":
            await self.broker.publish(channels.agent_conversation(conversation_id), event)
        else:
            await self.broker.publish(channels.conversation(conversation_id), event)
