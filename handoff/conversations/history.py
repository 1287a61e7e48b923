"""An employee's conversations, as any of their devices shows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.tickets.models import Ticket

from . import store

TITLE_CHARS = 80


def _title(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


async def of_employee(*, db: AsyncSession, employee_id: str) -> list[dict[str, Any]]:
    """The employee's conversations, newest first, each with its title and tickets."""
    conversations = await store.list_for_employee(db=db, employee_id=employee_id)
    ids = [c.id for c in conversations]
    titles = await store.first_questions(db=db, conversation_ids=ids)
    tickets: dict[str, list[dict[str, Any]]] = {cid: [] for cid in ids}
    for ticket in await db.scalars(
        select(Ticket).where(Ticket.conversation_id.in_(ids)).order_by(Ticket.id)
    ):
        tickets[ticket.conversation_id or ""].append(
            {"number": ticket.number, "subject": ticket.subject, "status": ticket.status}
        )
    return [
        {
            "conversation_id": c.id,
            "state": c.state,
            "locale": c.locale,
            "created_at": c.created_at,
            "closed_at": c.closed_at,
            "title": _title(titles.get(c.id, "")),
            "tickets": tickets[c.id],
        }
        for c in conversations
    ]
