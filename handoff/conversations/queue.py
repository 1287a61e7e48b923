"""The agent queue: who is told, what the employee is told, how long it may take."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.database import utcnow
from handoff.realtime.broker import Broker
from handoff.tickets.models import format_number

from . import service, texts
from .availability import ServiceHours
from .chat import ChatService
from .models import Conversation

log = logging.getLogger(__name__)

DEFAULT_MINUTES_PER_CHAT = 5
RECENT_CLAIMS = 20


class QueueService:
    """Answers "is anybody there?" and announces queue changes to the agents."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        broker: Broker,
        hours: ServiceHours,
        agents_online: Callable[[], Awaitable[int]],
        timeout_minutes: float = 10.0,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.timeout_minutes = timeout_minutes
        self.sessions = sessions
        self.broker = broker
        self.hours = hours
        self._agents_online = agents_online
        self.now = now

    async def agents_online(self) -> int:
        return await self._agents_online()

    async def presence_changed(self) -> None:
        await self.broker.publish(
            "agents", {"type": "presence", "agents_online": await self.agents_online()}
        )

    async def notify_unattended(self, chat: ChatService) -> int:
        """Tell employees waiting longer than the limit that the ticket keeps their request."""
        limit = utcnow() - timedelta(minutes=self.timeout_minutes)
        told = 0
        async with self.sessions() as session:
            waiting = list(
                await session.scalars(
                    select(Conversation.id).where(
                        Conversation.state == "queued",
                        Conversation.queued_at < limit,
                        Conversation.notified_unattended.is_(False),
                    )
                )
            )
        for conversation_id in waiting:
            async with self.sessions() as session:
                won = await session.execute(
                    update(Conversation)
                    .where(
                        Conversation.id == conversation_id,
                        Conversation.notified_unattended.is_(False),
                    )
                    .values(notified_unattended=True)
                    .execution_options(synchronize_session=False)
                )
                if getattr(won, "rowcount", 0) != 1:
                    continue  # another service process told this one
                conversation = await session.get_one(Conversation, conversation_id)
                message = await service.add_message(
                    session=session,
                    conversation=conversation,
                    sender="system",
                    text=texts.text(
                        "unattended",
                        conversation.locale,
                        reason=texts.reason("timeout", conversation.locale),
                        ticket=format_number(conversation.ticket_id or 0),
                    ),
                    payload={"event": "unattended"},
                )
                await session.commit()
            await chat.publish_message(conversation, message)
            told += 1
        return told

    async def watch_unattended(self, chat: ChatService, every_seconds: float = 15) -> None:
        """Background loop of notify_unattended (one per service process)."""
        while True:
            try:
                await self.notify_unattended(chat)
            except Exception:
                log.exception("unattended check failed")
            await asyncio.sleep(every_seconds)

    async def outcome(self, conversation: Conversation) -> str:
        """What the employee is told right after the handoff."""
        if not self.hours.is_open(self.now()):
            return "out_of_hours"
        if await self.agents_online() == 0:
            return "no_agents"
        return "queued"

    async def announce(self, conversation: Conversation) -> None:
        """Tell every agent console at once that a chat is waiting, and the queue its places."""
        await self.broker.publish(
            "agents",
            {
                "type": "chat_waiting",
                "conversation_id": conversation.id,
                "employee": conversation.employee_name,
                "reason": conversation.handoff_reason,
            },
        )
        await self.broker.publish(
            f"conversation:{conversation.id}",
            {
                "type": "state",
                "conversation_id": conversation.id,
                "state": conversation.state,
                "agent": conversation.agent_name,
            },
        )
        await self.announce_positions()

    async def announce_positions(self) -> None:
        """Tell every waiting employee their current place in the queue."""
        async with self.sessions() as session:
            waiting = list(
                await session.scalars(
                    select(Conversation.id)
                    .where(Conversation.state == "queued")
                    .order_by(Conversation.queued_at)
                )
            )
        for position, conversation_id in enumerate(waiting, start=1):
            await self.broker.publish(
                f"conversation:{conversation_id}",
                {
                    "type": "queue",
                    "conversation_id": conversation_id,
                    "position": position,
                    "estimated_wait_minutes": await self.estimated_wait(position),
                },
            )
        await self.broker.publish("agents", {"type": "queue_changed", "waiting": len(waiting)})

    async def estimated_wait(self, position: int | None) -> int | None:
        """Minutes until an agent takes the chat, from recent claims (None if not queued)."""
        if position is None:
            return None
        async with self.sessions() as session:
            rows = await session.execute(
                select(Conversation.queued_at, Conversation.claimed_at)
                .where(Conversation.claimed_at.is_not(None), Conversation.queued_at.is_not(None))
                .order_by(Conversation.claimed_at.desc())
                .limit(RECENT_CLAIMS)
            )
            waits = [(c - q).total_seconds() / 60 for q, c in rows if c and q]
        per_chat = sum(waits) / len(waits) if waits else DEFAULT_MINUTES_PER_CHAT
        agents = max(await self.agents_online(), 1)
        return max(1, round(per_chat * position / agents))
