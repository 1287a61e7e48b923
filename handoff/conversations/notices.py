"""Known problems in the chat: the notice when a question concerns one, the note when it ends.

A flow: it opens the database (or uses the one it is given), calls the problems' and
tickets' services, commits, then publishes through `events`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.problems import service as problem_service
from handoff.problems.models import Problem, ProblemNotice
from handoff.tickets import service as ticket_service
from handoff.tickets.models import OPEN_STATUSES, Ticket
from handoff.tickets.schemas import ticket_json
from handoff.users.models import User

from . import store
from .events import Events
from .models import Conversation, Message


@dataclass
class Resolution:
    problem: Problem
    conversations: int  # told the note
    tickets: list[str]  # resolved with the problem


def _text(texts: dict[str, Any], lang: str) -> str:
    return str(texts.get(lang) or texts.get("en") or texts.get("de") or "")


class NoticeFlow:
    """Tells employees about known problems and about their end."""

    def __init__(self, *, open_db: async_sessionmaker[AsyncSession], events: Events) -> None:
        self.open_db = open_db
        self.events = events

    async def after_search(
        self, *, db: AsyncSession, conversation: Conversation, hits: list[dict[str, Any]], lang: str
    ) -> Message | None:
        """When the best hit is an open problem's article, add its notice (once per chat)."""
        slug = hits[0].get("slug") if hits else None
        problem = await problem_service.open_for_article(db=db, slug=slug) if slug else None
        if problem is None:
            return None
        shown = await problem_service.record_shown(
            db=db,
            problem=problem,
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
            lang=lang,
        )
        if not shown:
            return None
        message = await store.add_message(
            db=db,
            conversation=conversation,
            sender="system",
            text=_text(problem.notice, lang),
            payload={"problem": {"id": problem.id, "title": problem.title, "kind": "notice"}},
        )
        await db.commit()
        await self.events.message(conversation, message)
        return message

    async def resolve(self, *, problem_id: int, note: dict[str, str], actor: User) -> Resolution:
        """Close the problem, tell every conversation shown its notice, resolve linked tickets."""
        async with self.open_db() as db:
            problem = await problem_service.get(db=db, problem_id=problem_id)
            problem_service.mark_resolved(problem, note=note, actor=actor.display_name)
            shown = await problem_service.notices(db=db, problem=problem)
            await self._link_later_tickets(db, problem, shown, actor)
            tickets = await self._resolve_tickets(db, problem, note, actor)
            told = await self._tell(db, problem, shown, note)
            await db.commit()
        for conversation, message in told:
            await self.events.message(conversation, message)
        for ticket in tickets:
            await self.events.ticket(ticket.requester_id, ticket_json(ticket))
        return Resolution(problem, len(told), [t.number for t in tickets])

    async def _link_later_tickets(
        self, db: AsyncSession, problem: Problem, shown: list[ProblemNotice], actor: User
    ) -> None:
        """Tickets opened in a conversation after it was shown the notice belong to it."""
        for notice in shown:
            later = await db.scalars(
                select(Ticket.id).where(
                    Ticket.conversation_id == notice.conversation_id,
                    Ticket.created_at >= notice.shown_at,
                )
            )
            for ticket_id in later:
                await problem_service.link_ticket(
                    db=db, problem=problem, ticket_id=ticket_id, actor=actor.display_name
                )

    async def _resolve_tickets(
        self, db: AsyncSession, problem: Problem, note: dict[str, str], actor: User
    ) -> list[Ticket]:
        resolved = []
        for ticket_id in await problem_service.linked_tickets(db=db, problem=problem):
            ticket = await db.get(Ticket, ticket_id)
            if ticket is None or ticket.status not in OPEN_STATUSES:
                continue
            lang = await self._language_of(db, ticket)
            await ticket_service.set_status(
                db=db,
                ticket=ticket,
                status="resolved",
                actor=actor.display_name,
                resolution=f"{problem.title}: {_text(note, lang)}",
            )
            resolved.append(ticket)
        return resolved

    async def _language_of(self, db: AsyncSession, ticket: Ticket) -> str:
        if ticket.conversation_id is None:
            return "de"
        conversation = await db.get(Conversation, ticket.conversation_id)
        return conversation.locale if conversation is not None else "de"

    async def _tell(
        self, db: AsyncSession, problem: Problem, shown: list[ProblemNotice], note: dict[str, str]
    ) -> list[tuple[Conversation, Message]]:
        told = []
        for notice in shown:
            conversation = await db.get(Conversation, notice.conversation_id)
            if conversation is None:  # erased meanwhile
                continue
            message = await store.add_message(
                db=db,
                conversation=conversation,
                sender="system",
                text=_text(note, notice.lang),
                payload={"problem": {"id": problem.id, "title": problem.title, "kind": "resolved"}},
            )
            told.append((conversation, message))
        return told
