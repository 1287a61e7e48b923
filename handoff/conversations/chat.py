"""The employee's side of a chat: store first, then relay to the bot or to the agent."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.auth.employees import Employee
from handoff.realtime.broker import Broker
from kb_index import is_clearly

from . import service, texts
from .bot import BotMessage, BotUnavailable, ParseInfo, RasaClient
from .models import BotTurn, Conversation, Message

log = logging.getLogger(__name__)
OTHER = {"de": "en", "en": "de"}


@dataclass
class ChatResult:
    conversation: Conversation
    replies: list[Message] = field(default_factory=list)
    queue_position: int | None = None
    new_conversation: bool = False


def conversation_event(conversation: Conversation, **extra: Any) -> dict[str, Any]:
    return {
        "type": "state",
        "conversation_id": conversation.id,
        "state": conversation.state,
        "agent": conversation.agent_name,
        "locale": conversation.locale,
        **extra,
    }


class ChatService:
    """Orchestrates one employee message across the transcript, the bot and live events."""

    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        bot: RasaClient | None,
        broker: Broker,
        max_chars: int,
        after_commit: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.sessions = sessions
        self.bot = bot
        self.broker = broker
        self.max_chars = max_chars
        self.after_commit = after_commit

    async def publish_message(self, conversation: Conversation, message: Message) -> None:
        """Push a stored message: to the widget (and watching agents), notes to agents only."""
        event = {
            "type": "message",
            "conversation_id": conversation.id,
            "message": service.message_json(message),
        }
        channel = "agent-conversation" if message.internal else "conversation"
        await self.broker.publish(f"{channel}:{conversation.id}", event)

    async def post(
        self, *, conversation_id: str, employee: Employee, text: str, payload: str | None = None
    ) -> ChatResult:
        """Store the employee's message; in state bot, relay it and store the replies."""
        text = service.clean_text(text, limit=self.max_chars)
        async with self.sessions() as session:
            conversation = await service.get_for_employee(
                session=session, conversation_id=conversation_id, employee=employee
            )
            new = conversation.state == "closed"
            if new:
                conversation = await service.create(
                    session=session, employee=employee, locale=conversation.locale
                )
            if payload is not None:
                payload = await self._offered_payload(session, conversation, payload)
            elif is_clearly(text, OTHER.get(conversation.locale, "en")):
                conversation.locale = OTHER[conversation.locale]
            to_bot = conversation.state == "bot"
            message = await service.add_message(
                session=session,
                conversation=conversation,
                sender="user",
                text=text,
                bot_status="pending" if to_bot else None,
            )
            if to_bot:
                session.add(
                    BotTurn(
                        conversation_id=conversation.id,
                        message_seq=message.seq,
                        text=text,
                        locale=conversation.locale,
                    )
                )
            await session.commit()
        await self.publish_message(conversation, message)
        if new:
            await self.broker.publish(
                f"conversation:{conversation_id}",
                conversation_event(conversation, moved_to=conversation.id),
            )
        if not to_bot:
            async with self.sessions() as session:
                position = await service.queue_position(session=session, conversation=conversation)
            return ChatResult(conversation, [], position, new)
        result = await self._relay(conversation, message, payload or text)
        result.new_conversation = new
        return result

    async def _offered_payload(
        self, session: AsyncSession, conversation: Conversation, payload: str
    ) -> str:
        """Accept a button payload only if the bot offered it in this conversation."""
        recent = await service.transcript(
            session=session,
            conversation_id=conversation.id,
            after=max(conversation.last_seq - 20, 0),
        )
        offered = {b.get("payload") for m in recent for b in m.payload.get("buttons", [])}
        if payload not in offered:
            raise service.MessageRejected("that button is not offered in this conversation")
        return payload

    async def _relay(self, conversation: Conversation, message: Message, text: str) -> ChatResult:
        started = time.perf_counter()
        bot_messages: list[BotMessage] = []
        info, error = ParseInfo(), None
        try:
            if self.bot is None:
                raise BotUnavailable("no bot configured")
            if conversation.bot_locale != conversation.locale:
                await self.bot.set_slot(conversation.id, "language", conversation.locale)
            bot_messages = await self.bot.send(
                conversation.id,
                text,
                {
                    "locale": conversation.locale,
                    "employee": {
                        "id": conversation.employee_id,
                        "name": conversation.employee_name,
                        "email": conversation.employee_email,
                    },
                },
            )
            try:
                info = await self.bot.parse_info(conversation.id)
            except BotUnavailable as exc:
                log.warning("no parse info from the bot", extra={"error": str(exc)})
        except BotUnavailable as exc:
            error = str(exc)
            log.warning(
                "bot unavailable", extra={"conversation_id": conversation.id, "error": error}
            )
        latency = (time.perf_counter() - started) * 1000
        return await self._store_replies(
            conversation.id, message.seq, bot_messages, info, error, latency
        )

    async def _store_replies(
        self,
        conversation_id: str,
        seq: int,
        bot_messages: list[BotMessage],
        info: ParseInfo,
        error: str | None,
        latency: float,
    ) -> ChatResult:
        async with self.sessions() as session:
            conversation = await service.get(session=session, conversation_id=conversation_id)
            message = await session.scalar(
                select(Message).where(
                    Message.conversation_id == conversation_id, Message.seq == seq
                )
            )
            turn = await service.pending_turn(session=session, conversation_id=conversation_id)
            replies = []
            if error is None:
                conversation.bot_locale = conversation.locale
                for bot_message in bot_messages:
                    replies.append(
                        await service.add_message(
                            session=session,
                            conversation=conversation,
                            sender="bot",
                            text=bot_message.text,
                            payload=bot_message.payload,
                        )
                    )
            else:
                replies.append(
                    await service.add_message(
                        session=session,
                        conversation=conversation,
                        sender="system",
                        text=texts.text("bot_unavailable", conversation.locale),
                        payload={"error": "bot_unavailable"},
                    )
                )
            if message is not None:
                message.bot_status = "failed" if error else "answered"
            if turn is not None:
                _finish_turn(turn, conversation, info, error, latency)
            position = await service.queue_position(session=session, conversation=conversation)
            await session.commit()
        for reply in replies:
            await self.publish_message(conversation, reply)
        return ChatResult(conversation, replies, position)


def _finish_turn(
    turn: BotTurn,
    conversation: Conversation,
    info: ParseInfo,
    error: str | None,
    latency: float,
) -> None:
    turn.intent, turn.confidence, turn.entities = info.intent, info.confidence, info.entities
    turn.action, turn.latency_ms, turn.error = info.action, round(latency, 1), error
    if error:
        turn.outcome = "bot_unavailable"
    elif conversation.state == "queued":
        turn.outcome = "handoff"
    elif turn.kb_confident is True:
        turn.outcome = "answered"
    elif turn.kb_confident is False:
        turn.outcome = "candidates" if turn.kb_hits else "no_answer"
    elif info.intent == "nlu_fallback":
        turn.outcome = "fallback"
    else:
        turn.outcome = "handled"
