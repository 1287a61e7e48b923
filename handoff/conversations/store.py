"""Data access for conversations: the transcript, bot turns, feedback (no rules, no I/O)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.auth.employees import Employee
from handoff.database import utcnow
from handoff.tickets.models import Ticket

from .models import BotTurn, Conversation, Message
from .rasa import BotMessage

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


class ConversationNotFound(LookupError):
    """No such conversation, or not this employee's."""


class MessageRejected(ValueError):
    """A message that cannot be accepted (empty or too long)."""


class InvalidTransition(ValueError):
    """The conversation is not in a state that allows this."""


# In an employee message's payload: the number of files sent as part of it, after its words.
WITH_FILES = "with_files"


def clean_text(text: str, *, limit: int) -> str:
    """Drop control characters, normalise line ends; refuse empty or over-long text."""
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not cleaned:
        raise MessageRejected("the message is empty")
    if len(cleaned) > limit:
        raise MessageRejected(f"the message is longer than {limit} characters")
    return cleaned


async def create(*, db: AsyncSession, employee: Employee, locale: str) -> Conversation:
    """Start a conversation owned by the bot."""
    conversation = Conversation(
        id=uuid.uuid4().hex,
        employee_id=employee.id,
        employee_name=employee.name,
        employee_email=employee.email,
        locale=locale,
        state="bot",
    )
    db.add(conversation)
    await db.flush()
    return conversation


async def get(*, db: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await db.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    return conversation


async def get_for_employee(
    *, db: AsyncSession, conversation_id: str, employee: Employee
) -> Conversation:
    """Return the employee's own conversation; someone else's looks like a missing one."""
    conversation = await db.get(Conversation, conversation_id)
    if conversation is None or conversation.employee_id != employee.id:
        raise ConversationNotFound(conversation_id)
    return conversation


async def add_message(
    *,
    db: AsyncSession,
    conversation: Conversation,
    sender: str,
    text: str,
    payload: dict[str, Any] | None = None,
    author: str | None = None,
    internal: bool = False,
    bot_status: str | None = None,
) -> Message:
    """Append a message with the conversation's next sequence number."""
    message = Message(
        sender=sender,
        text=text,
        payload=payload or {},
        author=author,
        internal=internal,
        bot_status=bot_status,
    )
    return (await add_messages(db=db, conversation=conversation, messages=[message]))[0]


async def add_messages(
    *, db: AsyncSession, conversation: Conversation, messages: list[Message]
) -> list[Message]:
    """Append messages (built without conversation or sequence number), in order.

    Their sequence numbers are taken with one statement, whatever their number, and they are
    written with one flush: a bot's reply of three messages costs two statements, not six.
    """
    if not messages:
        return []
    last = await db.scalar(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_seq=Conversation.last_seq + len(messages), updated_at=utcnow())
        .returning(Conversation.last_seq),
        execution_options={"synchronize_session": False},
    )
    first = int(last or 0) - len(messages) + 1
    for offset, message in enumerate(messages):
        message.conversation_id = conversation.id
        message.seq = first + offset
    db.add_all(messages)
    await db.flush()
    return messages


async def transcript(
    *, db: AsyncSession, conversation_id: str, after: int = 0, include_internal: bool = False
) -> list[Message]:
    """Return the messages after sequence number `after`, in order."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.seq > after)
    if not include_internal:
        query = query.where(Message.internal.is_(False))
    return list(await db.scalars(query.order_by(Message.seq)))


async def add_bot_messages(
    *, db: AsyncSession, conversation: Conversation, messages: list[BotMessage]
) -> list[Message]:
    """Append the bot's replies, in order."""
    return await add_messages(
        db=db,
        conversation=conversation,
        messages=[Message(sender="bot", text=m.text, payload=m.payload) for m in messages],
    )


async def mark_relayed(*, db: AsyncSession, conversation_id: str, seq: int, failed: bool) -> None:
    """Record whether the employee's message seq reached the bot."""
    await db.execute(
        update(Message)
        .where(Message.conversation_id == conversation_id, Message.seq == seq)
        .values(bot_status="failed" if failed else "answered")
        .execution_options(synchronize_session=False)
    )


async def ensure_offered(*, db: AsyncSession, conversation: Conversation, payload: str) -> None:
    """Accept a button payload only if the bot's latest turn offered it.

    The latest turn is every bot message after the employee's last message (all of them
    when the employee has written nothing yet): once the employee has written or clicked
    again, the buttons before that are spent, as the widget shows them (disabled).
    """
    last_own = await db.scalar(
        select(func.max(Message.seq)).where(
            Message.conversation_id == conversation.id, Message.sender == "user"
        )
    )
    latest = await db.scalars(
        select(Message).where(
            Message.conversation_id == conversation.id,
            Message.sender == "bot",
            Message.seq > (last_own or 0),
        )
    )
    offered = {b.get("payload") for m in latest for b in m.payload.get("buttons", [])}
    if payload not in offered:
        raise MessageRejected(
            "that button is not offered now: only the buttons of the assistant's latest "
            "answer can be used"
        )


def message_json(message: Message) -> dict[str, Any]:
    """The wire shape of a message (REST and WebSocket)."""
    data: dict[str, Any] = {
        "id": message.id,
        "seq": message.seq,
        "sender": message.sender,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }
    if message.author:
        data["author"] = message.author
    if message.internal:
        data["internal"] = True
    for key in ("buttons", "kb_article", "ticket", "attachments"):
        if key in message.payload:
            data[key] = message.payload[key]
    return data


def transcript_snapshot(messages: list[Message]) -> list[dict[str, Any]]:
    """A copy of the transcript to keep with a ticket."""
    return [
        {
            "seq": m.seq,
            "sender": m.sender,
            "author": m.author,
            "text": m.text,
            "at": m.created_at.isoformat(),
        }
        for m in messages
        if not m.internal
    ]


async def queue_order(*, db: AsyncSession) -> list[str]:
    """Queued conversations in the order agents take them: ticket priority, then waiting time."""
    rows = await db.execute(
        select(Conversation.id)
        .outerjoin(Ticket, Ticket.id == Conversation.ticket_id)
        .where(Conversation.state == "queued")
        .order_by(func.coalesce(Ticket.priority, 5), Conversation.queued_at)
    )
    return [row[0] for row in rows]


async def queue_position(*, db: AsyncSession, conversation: Conversation) -> int | None:
    """1-based place in the queue, or None when not queued."""
    if conversation.state != "queued":
        return None
    order = await queue_order(db=db)
    return order.index(conversation.id) + 1 if conversation.id in order else None


async def list_for_employee(
    *, db: AsyncSession, employee_id: str, limit: int = 20
) -> list[Conversation]:
    """The employee's conversations, newest first."""
    rows = await db.scalars(
        select(Conversation)
        .where(Conversation.employee_id == employee_id)
        .order_by(Conversation.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def first_questions(*, db: AsyncSession, conversation_ids: list[str]) -> dict[str, str]:
    """The first thing the employee wrote in each conversation."""
    first = (
        select(Message.conversation_id, func.min(Message.seq).label("seq"))
        .where(Message.conversation_id.in_(conversation_ids), Message.sender == "user")
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = await db.execute(
        select(Message.conversation_id, Message.text).join(
            first,
            (Message.conversation_id == first.c.conversation_id) & (Message.seq == first.c.seq),
        )
    )
    return {row[0]: row[1] for row in rows}


async def pending_turn(*, db: AsyncSession, conversation_id: str) -> BotTurn | None:
    """The bot turn being processed for this conversation (the newest pending one)."""
    return await db.scalar(
        select(BotTurn)
        .where(BotTurn.conversation_id == conversation_id, BotTurn.outcome == "pending")
        .order_by(BotTurn.id.desc())
        .limit(1)
    )


async def last_kb_query(*, db: AsyncSession, conversation_id: str) -> str | None:
    """The newest question of this conversation that went to the knowledge base."""
    return await db.scalar(
        select(BotTurn.kb_query)
        .where(BotTurn.conversation_id == conversation_id, BotTurn.kb_query.is_not(None))
        .order_by(BotTurn.id.desc())
        .limit(1)
    )


async def about_files(
    *, db: AsyncSession, conversation_id: str, seq: int, within: timedelta
) -> bool:
    """Are the employee's words `seq` said about files: typed with files that follow them (the
    widget sends the words first), or sent less than `within` after a file of theirs?"""
    recent = list(
        await db.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.sender == "user",
                Message.seq <= seq,
            )
            .order_by(Message.seq.desc())
            .limit(2)
        )
    )
    words = next((m for m in recent if m.seq == seq), None)
    if words is not None and words.payload.get(WITH_FILES):
        return True
    before = next((m for m in recent if m.seq < seq), None)
    return (
        before is not None
        and bool(before.payload.get("attachments"))
        and before.created_at >= utcnow() - within
    )


async def turn_topics(*, db: AsyncSession, conversation_id: str) -> dict[int, int | None]:
    """The topic (id) each employee message the bot searched for was about, by message seq."""
    rows = await db.execute(
        select(BotTurn.message_seq, BotTurn.topic_id).where(
            BotTurn.conversation_id == conversation_id
        )
    )
    return dict(rows.tuples().all())


async def employee_messages(*, db: AsyncSession, conversation_id: str) -> list[str]:
    rows = await db.scalars(
        select(Message.text)
        .where(Message.conversation_id == conversation_id, Message.sender == "user")
        .order_by(Message.seq)
    )
    return [t for t in rows if not t.startswith("/")]
