"""The agent's side of a chat: every action is stored, logged on the ticket and pushed live."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.tickets import service as ticket_service
from handoff.tickets.models import format_number
from handoff.users.models import User

from . import handoff, service, texts
from .bot import BotUnavailable
from .chat import ChatService, conversation_event
from .models import Conversation, Message
from .queue import QueueService

log = logging.getLogger(__name__)


class AgentActions:
    """Claim, write, note, release, hand back, close, escalate."""

    def __init__(self, *, chat: ChatService, queue: QueueService) -> None:
        self.chat = chat
        self.queue = queue

    async def _system(
        self, session: AsyncSession, conversation: Conversation, key: str, **values: Any
    ) -> Message:
        return await service.add_message(
            session=session,
            conversation=conversation,
            sender="system",
            text=texts.text(key, conversation.locale, **values),
            payload={"event": key},
        )

    async def _publish(self, conversation: Conversation, *messages: Message) -> None:
        for message in messages:
            await self.chat.publish_message(conversation, message)
        await self.chat.broker.publish(
            f"conversation:{conversation.id}", conversation_event(conversation)
        )
        await self.chat.broker.publish(
            f"agent-conversation:{conversation.id}", conversation_event(conversation)
        )
        await self.queue.announce_positions()

    async def claim(self, conversation_id: str, agent: User) -> Conversation:
        async with self.chat.sessions() as session:
            conversation = await handoff.claim(
                session=session, conversation_id=conversation_id, agent=agent
            )
            joined = await self._system(
                session, conversation, "agent_joined", agent=agent.display_name
            )
            await session.commit()
        await self._publish(conversation, joined)
        return conversation

    async def write(
        self, conversation_id: str, agent: User, text: str, internal: bool = False
    ) -> Message:
        """A reply to the employee, or an internal note (never shown to the employee)."""
        text = service.clean_text(text, limit=self.chat.max_chars)
        async with self.chat.sessions() as session:
            conversation = await service.get(session=session, conversation_id=conversation_id)
            if not internal:
                handoff.ensure_owner(conversation, agent)
            message = await service.add_message(
                session=session,
                conversation=conversation,
                sender="agent",
                text=text,
                author=agent.display_name,
                internal=internal,
            )
            if conversation.ticket_id is not None:
                ticket = await ticket_service.get(session=session, number=conversation.ticket_id)
                if not internal:
                    ticket_service.mark_first_response(ticket)
                await ticket_service.log(
                    session=session,
                    ticket=ticket,
                    actor=handoff.actor_of(agent),
                    kind="note" if internal else "chat_reply",
                    text=text,
                    public=not internal,
                )
            await session.commit()
        await self.chat.publish_message(conversation, message)
        return message

    async def release(self, conversation_id: str, agent: User) -> Conversation:
        async with self.chat.sessions() as session:
            conversation = await service.get(session=session, conversation_id=conversation_id)
            await handoff.release(session=session, conversation=conversation, agent=agent)
            left = await self._system(session, conversation, "agent_left", agent=agent.display_name)
            await session.commit()
        await self.queue.announce(conversation)
        await self._publish(conversation, left)
        return conversation

    async def hand_back(self, conversation_id: str, agent: User) -> Conversation:
        """Give the chat to the bot, which greets the employee again."""
        async with self.chat.sessions() as session:
            conversation = await service.get(session=session, conversation_id=conversation_id)
            await handoff.hand_back(session=session, conversation=conversation, agent=agent)
            back = await self._system(
                session, conversation, "handed_back", agent=agent.display_name
            )
            await session.commit()
        await self._publish(conversation, back)
        greeting: list[Message] = []
        if self.chat.bot is not None:
            try:
                if conversation.bot_locale != conversation.locale:
                    await self.chat.bot.set_slot(conversation.id, "language", conversation.locale)
                replies = await self.chat.bot.trigger_intent(conversation.id, "EXTERNAL_handback")
            except BotUnavailable as exc:
                log.warning("bot did not greet after hand-back", extra={"error": str(exc)})
                replies = []
            async with self.chat.sessions() as session:
                conversation = await service.get(session=session, conversation_id=conversation_id)
                for reply in replies:
                    greeting.append(
                        await service.add_message(
                            session=session,
                            conversation=conversation,
                            sender="bot",
                            text=reply.text,
                            payload=reply.payload,
                        )
                    )
                await session.commit()
        for message in greeting:
            await self.chat.publish_message(conversation, message)
        return conversation

    async def close(self, conversation_id: str, agent: User, resolution: str) -> Conversation:
        async with self.chat.sessions() as session:
            conversation = await service.get(session=session, conversation_id=conversation_id)
            await handoff.close(
                session=session, conversation=conversation, agent=agent, resolution=resolution
            )
            closed = await self._system(session, conversation, "closed")
            await session.commit()
        await self._publish(conversation, closed)
        return conversation

    async def escalate(self, conversation_id: str, agent: User, summary: str, level: int) -> str:
        async with self.chat.sessions() as session:
            conversation = await service.get(session=session, conversation_id=conversation_id)
            ticket = await handoff.escalate(
                session=session,
                conversation=conversation,
                agent=agent,
                summary=summary,
                level=level,
            )
            number = format_number(ticket.id)
            note = await self._system(
                session, conversation, "escalated", ticket=number, level=level
            )
            await session.commit()
        await self._publish(conversation, note)
        return number
