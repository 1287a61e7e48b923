"""The employee's side of a chat: store first, then relay to the bot (or wait for the agent)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff import limits
from handoff.auth.employees import Employee
from handoff.database import utcnow
from handoff.tickets import service as ticket_service
from handoff.tickets.models import Ticket
from handoff.tickets.schemas import ticket_json
from kb_index import is_clearly

from . import ownership, store, texts, ticketing
from .events import Events
from .models import BotTurn, Conversation, Message
from .rasa import ActionServerProbe, BotMessage, BotUnavailable, ParseInfo, RasaClient

log = logging.getLogger(__name__)


def decide_locale(text: str, current: str) -> str:
    """The conversation's language holds unless the employee clearly writes in the other."""
    other = "en" if current == "de" else "de"
    return other if is_clearly(text, other) else current


def as_plain_text(text: str) -> str:
    """Text the employee typed is text: Rasa would read a leading "/" as an intent command.

    Rasa strips the text (Python's str.strip) before it looks for the "/", so slashes and
    whitespace are removed in turns until neither leads: " /x", "/ /x", "//x" and
    "\u00a0/x" all reach the bot as "x". Text of nothing but slashes and whitespace is ""
    (ChatFlow.post refuses such a message as empty: the bot gets nothing to read).
    """
    plain = text.strip()
    while plain.startswith("/"):
        plain = plain.lstrip("/").strip()
    return plain


@dataclass
class ChatResult:
    conversation: Conversation
    replies: list[Message] = field(default_factory=list)
    queue_position: int | None = None
    new_conversation: bool = False
    to_ticket: str | None = None  # the message answered this ticket instead of going to the bot


@dataclass
class BotAnswer:
    """What Rasa did with one message (or why it could not)."""

    messages: list[BotMessage] = field(default_factory=list)
    info: ParseInfo = field(default_factory=ParseInfo)
    error: str | None = None
    latency_ms: float = 0.0


class ChatFlow:
    """One employee message across the transcript, the bot and the live channels."""

    def __init__(
        self,
        *,
        open_db: async_sessionmaker[AsyncSession],
        bot: RasaClient | None,
        events: Events,
        max_chars: int,
        reopen_minutes: float = 30.0,
        actions: ActionServerProbe | None = None,
    ) -> None:
        self.open_db = open_db
        self.bot = bot
        self.actions = actions
        self.events = events
        self.max_chars = max_chars
        self.reopen_within = timedelta(minutes=reopen_minutes)
        self.answering = 0  # employee messages the bot is answering now (uploads make way)

    async def post(
        self,
        *,
        conversation_id: str,
        employee: Employee,
        text: str,
        payload: str | None = None,
        files: int = 0,
    ) -> ChatResult:
        """Store the employee's message; then answer a waiting ticket, or ask the bot.

        `files`: that many files follow as part of this message (words typed with them).
        """
        text = store.clean_text(limits.clean_text(text), limit=self.max_chars)
        if payload is None and not as_plain_text(text):
            raise store.MessageRejected("the message is empty: it has nothing but slashes")
        async with self.open_db() as db:
            conversation = await store.get_for_employee(
                db=db, conversation_id=conversation_id, employee=employee
            )
            awaiting = (
                None
                if payload
                else await ticketing.awaiting_reply(db=db, conversation_id=conversation.id)
            )
            if awaiting is not None:
                return await self._reply_to_ticket(db, conversation, awaiting, text)
            conversation, new = await self._continue_or_start(db, conversation, employee)
            if payload is not None:
                await store.ensure_offered(db=db, conversation=conversation, payload=payload)
            else:
                conversation.locale = decide_locale(text, conversation.locale)
            message = await self._store_employee_message(db, conversation, text, files)
            await db.commit()
        await self.events.message(conversation, message)
        if new:
            await self.events.moved(conversation_id, conversation)
        if conversation.state != "bot":
            async with self.open_db() as db:
                position = await store.queue_position(db=db, conversation=conversation)
            return ChatResult(conversation, [], position, new)
        self.answering += 1
        try:
            answer = await self._ask_bot(conversation, payload or as_plain_text(text))
        finally:
            self.answering -= 1
        result = await self._store_answer(conversation.id, message.seq, answer)
        result.new_conversation = new
        return result

    async def _continue_or_start(
        self, db: AsyncSession, conversation: Conversation, employee: Employee
    ) -> tuple[Conversation, bool]:
        """A closed chat is continued shortly after its end, else a new one starts."""
        if conversation.state != "closed":
            return conversation, False
        closed_at = conversation.closed_at or utcnow()
        if utcnow() - closed_at <= self.reopen_within:
            ownership.reopen(conversation)
            return conversation, False
        return await store.create(db=db, employee=employee, locale=conversation.locale), True

    async def _reply_to_ticket(
        self, db: AsyncSession, conversation: Conversation, ticket: Ticket, text: str
    ) -> ChatResult:
        """The employee answers the agent's question on a ticket: it goes there, not to the bot."""
        message = await store.add_message(
            db=db,
            conversation=conversation,
            sender="user",
            text=text,
            payload={"ticket": {"number": ticket.number, "subject": ticket.subject}},
        )
        await ticket_service.requester_replied(db=db, ticket=ticket, text=text)
        notice = await store.add_message(
            db=db,
            conversation=conversation,
            sender="system",
            # With the agent in the chat now, "they will get back to you here" is no news.
            text=texts.text(
                "reply_on_ticket_live" if conversation.state == "agent" else "reply_on_ticket",
                conversation.locale,
                ticket=ticket.number,
            ),
            payload={"event": "reply_on_ticket", "ticket": {"number": ticket.number}},
        )
        await db.commit()
        await self.events.messages(conversation, [message, notice])
        await self.events.ticket(conversation.employee_id, ticket_json(ticket, conversation.locale))
        await self.events.ticket_reply(ticket)
        return ChatResult(conversation, [notice], None, to_ticket=ticket.number)

    async def _store_employee_message(
        self, db: AsyncSession, conversation: Conversation, text: str, files: int = 0
    ) -> Message:
        to_bot = conversation.state == "bot"
        message = await store.add_message(
            db=db,
            conversation=conversation,
            sender="user",
            text=text,
            payload={store.WITH_FILES: files} if files else None,
            bot_status="pending" if to_bot else None,
        )
        if to_bot:
            db.add(
                BotTurn(
                    conversation_id=conversation.id,
                    message_seq=message.seq,
                    text=text,
                    locale=conversation.locale,
                )
            )
        return message

    async def _ask_bot(self, conversation: Conversation, text: str) -> BotAnswer:
        started = time.perf_counter()
        answer = BotAnswer()
        try:
            if self.bot is None:
                raise BotUnavailable("no bot configured")
            # The chat's locale goes with the message (metadata); the bot's slot mapping
            # (action_detect_language) sets its language from it before it answers.
            # With its action server away Rasa answers nothing, or its fallback ("not
            # understood") where an action failed: neither is an answer. The action
            # server is asked while Rasa works, so this adds no wait.
            probe = asyncio.ensure_future(self.actions.ready()) if self.actions else None
            try:
                reply = await self.bot.send(conversation.id, text, _metadata(conversation))
            finally:
                actions_up = await probe if probe is not None else True
            if not actions_up:
                raise BotUnavailable("Rasa's action server is unreachable")
            answer.messages, answer.info = reply.messages, reply.info
        except BotUnavailable as exc:
            answer.error = str(exc)
            log.warning(
                "bot unavailable", extra={"conversation_id": conversation.id, "error": answer.error}
            )
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    async def _sync_locale(self, conversation: Conversation) -> None:
        """For requests without a message (and so without metadata): the bot's language."""
        if self.bot is not None and conversation.bot_locale != conversation.locale:
            await self.bot.set_slot(conversation.id, "language", conversation.locale)

    async def _store_answer(self, conversation_id: str, seq: int, answer: BotAnswer) -> ChatResult:
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            # What the service itself said while the bot worked (a known problem's notice).
            meanwhile = await store.transcript(db=db, conversation_id=conversation_id, after=seq)
            if answer.error is None:
                conversation.bot_locale = conversation.locale
                conversation.bot_form = answer.info.form
                replies = await store.add_bot_messages(
                    db=db, conversation=conversation, messages=answer.messages
                )
            else:
                replies = [
                    await store.add_message(
                        db=db,
                        conversation=conversation,
                        sender="system",
                        text=texts.text("bot_unavailable", conversation.locale),
                        payload={"error": "bot_unavailable"},
                    )
                ]
            await store.mark_relayed(
                db=db, conversation_id=conversation_id, seq=seq, failed=answer.error is not None
            )
            turn = await store.pending_turn(db=db, conversation_id=conversation_id)
            if turn is not None:
                _finish_turn(turn, conversation, answer)
            position = await store.queue_position(db=db, conversation=conversation)
            await db.commit()
        await self.events.messages(conversation, replies)
        return ChatResult(conversation, meanwhile + replies, position)

    async def form_open(self, conversation: Conversation) -> str | None:
        """The form the bot is filling in this chat; None if none, before its first answer, or
        when Rasa cannot be reached.

        As the bot's channel said after its last turn; Rasa is asked only when that is not
        known (a tracker request costs Rasa about 6 ms of CPU, and the upload waits for it).
        """
        if self.bot is None or conversation.bot_locale is None:
            return None
        if conversation.bot_form is not None:
            return conversation.bot_form or None
        try:
            return await self.bot.active_loop(conversation.id)
        except BotUnavailable:
            return None

    async def tell_bot(
        self, *, conversation_id: str, intent: str, entities: dict[str, str]
    ) -> list[Message]:
        """Tell the bot of something the service saw; store and return what it says to that.

        Only the service builds such an intent payload: what employees type is relayed as
        text (as_plain_text) and a button payload must have been offered (ensure_offered).
        Nothing is said (an empty list) when the bot has nothing to say or is unreachable.
        """
        if self.bot is None:
            return []
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
        payload = f"/{intent}{json.dumps(entities, ensure_ascii=False)}"
        try:
            reply = await self.bot.send(conversation.id, payload, _metadata(conversation))
        except BotUnavailable as exc:
            log.warning("bot not told", extra={"intent": intent, "error": str(exc)})
            return []
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            conversation.bot_form = reply.info.form
            replies: list[Message] = []
            if reply.messages and conversation.state == "bot":  # not if an agent took over
                conversation.bot_locale = conversation.locale
                replies = await store.add_bot_messages(
                    db=db, conversation=conversation, messages=reply.messages
                )
            await db.commit()
        await self.events.messages(conversation, replies)
        return replies

    async def greet_again(self, conversation_id: str) -> list[Message]:
        """After a hand-back: the bot greets the employee (nothing if Rasa is away)."""
        if self.bot is None:
            return []
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
        try:
            await self._sync_locale(conversation)
            replies = await self.bot.trigger_intent(conversation.id, "EXTERNAL_handback")
        except BotUnavailable as exc:
            log.warning("bot did not greet after hand-back", extra={"error": str(exc)})
            return []
        async with self.open_db() as db:
            conversation = await store.get(db=db, conversation_id=conversation_id)
            conversation.bot_form = None  # the greeting's turn does not say: ask when it matters
            greeting = await store.add_bot_messages(
                db=db, conversation=conversation, messages=replies
            )
            await db.commit()
        await self.events.messages(conversation, greeting)
        return greeting


def _metadata(conversation: Conversation) -> dict[str, object]:
    return {
        "locale": conversation.locale,
        "employee": {
            "id": conversation.employee_id,
            "name": conversation.employee_name,
            "email": conversation.employee_email,
        },
    }


def _finish_turn(turn: BotTurn, conversation: Conversation, answer: BotAnswer) -> None:
    info = answer.info
    turn.intent, turn.confidence, turn.entities = info.intent, info.confidence, info.entities
    turn.action, turn.error = info.action, answer.error
    turn.latency_ms = round(answer.latency_ms, 1)
    if answer.error:
        turn.outcome = "bot_unavailable"
    elif conversation.state == "queued":
        turn.outcome = "handoff"
    elif turn.kb_confident is True:
        turn.outcome = "answered"
    elif turn.kb_confident is False:
        # A question that found nothing close opened no topic: the bot called it off-topic.
        turn.outcome = "candidates" if turn.topic_id is not None else "off_topic"
    elif info.intent == "nlu_fallback":
        turn.outcome = "fallback"
    else:
        turn.outcome = "handled"
