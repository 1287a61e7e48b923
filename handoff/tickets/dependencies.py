"""Dependencies of the ticket routes: who hears about changes, and load-or-404."""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request

from handoff.deps import DbDep

from . import service
from .models import Ticket


class TicketListener(Protocol):
    """Told after a ticket change is committed (the chat side pushes it to the employee)."""

    async def changed(self, ticket: Ticket) -> None: ...

    async def replied(self, ticket: Ticket, author: str, text: str) -> None: ...


def get_listener(request: Request) -> TicketListener:
    listener: TicketListener = request.app.state.ticket_listener
    return listener


async def ticket_or_404(number: str, db: DbDep) -> Ticket:
    try:
        return await service.get(db=db, number=number)
    except service.TicketNotFound as exc:
        raise HTTPException(404, "no ticket with that number") from exc


TicketListenerDep = Annotated[TicketListener, Depends(get_listener)]
TicketOr404 = Annotated[Ticket, Depends(ticket_or_404)]
