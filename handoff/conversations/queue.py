"""The agent queue: who is told, what the employee is told, how long it may take."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.database import utcnow
from handoff.servicehours import ServiceHours
from handoff.tickets.models import format_number
from handoff.users import service as user_service

from . import store, texts
from .events import Events
from .models import Conversation

log = logging.getLogger(__name__)

DEFAULT_MINUTES_PER_CHAT = 5
RECENT_CLAIMS = 20


class QueueFlow:
    """Answers "is anybody there?" and announces queue changes to agents and employees."""

    def __init__(
        self,
        *,
        open_db: async_sessionmaker[AsyncSession],
        events: Events,
        hours: ServiceHours,
        timeout_minutes: float = 10.0,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.open_db = open_db
        self.events = events
        self.hours = hours
        self.timeout_minutes = timeout_minutes
        self.now = now

    async def agents_online(self) -> int:
        async with self.open_db() as db:
            return await user_service.agents_online(db=db)

    async def presence_changed(self) -> None:
        """An agent's console came or went: the consoles' count, and every waiting employee's
        header (the first agent online turns "nobody online" into a place in line)."""
        await self.events.presence(await self.agents_online())
        await self.announce_positions()

    async def notify_unattended(self) -> int:
        """Tell employees waiting longer than the limit that the ticket keeps their request."""
        limit = self.now() - timedelta(minutes=self.timeout_minutes)
        async with self.open_db() as db:
            waiting = list(
                await db.scalars(
                    select(Conversation.id).where(
                        Conversation.state == "queued",
                        Conversation.queued_at < limit,
                        Conversation.notified_unattended.is_(False),
                    )
                )
            )
        told = 0
        for conversation_id in waiting:
            told += await self._tell_unattended(conversation_id)
        return told

    async def _tell_unattended(self, conversation_id: str) -> int:
        async with self.open_db() as db:
            won = await db.execute(
                update(Conversation)
                .where(
                    Conversation.id == conversation_id,
                    Conversation.notified_unattended.is_(False),
                )
                .values(notified_unattended=True)
                .execution_options(synchronize_session=False)
            )
            if getattr(won, "rowcount", 0) != 1:
                return 0  # another service process told this one
            conversation = await db.get_one(Conversation, conversation_id)
            message = await store.add_message(
                db=db,
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
            await db.commit()
        await self.events.message(conversation, message)
        return 1

    async def watch_unattended(self, every_seconds: float = 15) -> None:
        """Background loop of notify_unattended (one per service process)."""
        while True:
            try:
                await self.notify_unattended()
            except Exception:
                log.exception("unattended check failed")
            await asyncio.sleep(every_seconds)

    def outcome(self, agents: int) -> str:
        """What the employee is told right after the handoff (`agents`: how many are online)."""
        if not self.hours.is_open(self.now()):
            return "out_of_hours"
        if agents == 0:
            return "no_agents"
        return "queued"

    async def announce(self, conversation: Conversation) -> None:
        """Tell every agent console at once that a chat is waiting, and the queue its places."""
        await self.events.chat_waiting(conversation)
        await self.events.state(conversation)
        await self.announce_positions()

    def desk(self, agents: int | None) -> dict[str, Any]:
        """Whether the service desk is open now, when it next opens, and whether an agent is
        online in the console now (`staffed`, from `agents`; None when that was not asked)."""
        now = self.now()
        if self.hours.is_open(now):
            return {
                "open": True,
                "opens_at": None,
                "staffed": None if agents is None else agents > 0,
            }
        opens = self.hours.next_opening(now)
        return {"open": False, "opens_at": opens.isoformat() if opens else None, "staffed": False}

    def opening_text(self, lang: str) -> str | None:
        """When the desk next opens, in words (None while it is open)."""
        now = self.now()
        opens = None if self.hours.is_open(now) else self.hours.next_opening(now)
        return texts.opening(opens, self.hours.timezone, lang) if opens else None

    async def announce_positions(self) -> None:
        """Tell every waiting employee their current place in the queue."""
        async with self.open_db() as db:
            waiting = await store.queue_order(db=db)
        if waiting:  # who is online and the minutes per chat, asked once for the whole queue
            agents = await self.agents_online()
            desk = self.desk(agents)
            per_chat = await self.minutes_per_chat() if agents else None  # no estimate at all
            for position, conversation_id in enumerate(waiting, start=1):
                wait = await self.estimated_wait(position, agents, per_chat)
                await self.events.queue_position(conversation_id, position, wait, desk)
        await self.events.queue_changed(len(waiting))

    async def estimated_wait(
        self, position: int | None, agents: int, per_chat: float | None = None
    ) -> int | None:
        """Minutes until one of `agents` online takes the chat, from recent claims (or
        `per_chat`, minutes per chat, where the caller has them).

        None when not queued, outside service hours (no estimate then, only when the
        desk opens) and while no agent is online (the employee is told so, and a figure
        would be a promise nobody is there to keep).
        """
        if position is None or not self.hours.is_open(self.now()) or agents == 0:
            return None
        if per_chat is None:
            per_chat = await self.minutes_per_chat()
        return max(1, round(per_chat * position / agents))

    async def minutes_per_chat(self) -> float:
        """How long a waiting chat took to be claimed, over the recent claims."""
        async with self.open_db() as db:
            rows = await db.execute(
                select(Conversation.queued_at, Conversation.claimed_at)
                .where(Conversation.claimed_at.is_not(None), Conversation.queued_at.is_not(None))
                .order_by(Conversation.claimed_at.desc())
                .limit(RECENT_CLAIMS)
            )
            waits = [(c - q).total_seconds() / 60 for q, c in rows if c and q]
        return sum(waits) / len(waits) if waits else DEFAULT_MINUTES_PER_CHAT
