"""The agent queue: who is told, what the employee is told, how long it may take."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.database import utcnow
from handoff.realtime.broker import Broker

from .availability import ServiceHours
from .models import Conversation

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
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.broker = broker
        self.hours = hours
        self._agents_online = agents_online
        self.now = now

    async def agents_online(self) -> int:
        return await self._agents_online()

    async def outcome(self, conversation: Conversation) -> str:
        """What the employee is told right after the handoff."""
        if not self.hours.is_open(self.now()):
            return "out_of_hours"
        if await self.agents_online() == 0:
            return "no_agents"
        return "queued"

    async def announce(self, conversation: Conversation) -> None:
        """Tell every agent console that the queue changed (a chat is waiting)."""
        await self.broker.publish(
            "agents",
            {
                "type": "queue",
                "conversation_id": conversation.id,
                "state": conversation.state,
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
