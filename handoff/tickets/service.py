"""Creating, finding and changing tickets; every change goes to the activity log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.database import utcnow

from . import priority as prio
from .models import OPEN_STATUSES, STATUSES, Ticket, TicketActivity

# Strict: a sign is not a prefix ("-1" is no ticket), only "#", "INC-" or "ticket" are.
_NUMBER = re.compile(r"^\s*(?:#\s*|(?:inc|ticket)[\s\-#:]*)?0*(\d{1,9})\s*$", re.IGNORECASE)
SUMMARY_CHARS = 80
# A sentence ends at . ! ? before a capital letter, but not after a digit ("im 2. OG").
_SENTENCE_END = re.compile(r"(?<=[^\d\s][.!?])\s+(?=[A-ZÄÖÜ])")

# A lead-in that says nothing about the problem ("Hallo,", "Ok, anderes Thema:", "One more
# question -", "sorry, back to English:", "Ich möchte eine Störung melden:") is no subject:
# words of greeting, thanks, changing the subject or the language, or announcing a report.
_WORD = r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?"
_LEAD_IN = re.compile(rf"^({_WORD}(?:\s+{_WORD}){{0,6}})\s*[,:;!.?\u2013\u2014-]+\s*")
_FILLER = frozenset(
    """
    ok okay oki so also und and noch eine ein einen etwas andere anderes anderen neue neues
    weitere weiteres zweite frage thema sache übrigens btw by the way another other new
    second question topic one more thing hi hallo hello hey moin servus guten morgen tag
    good morning danke thanks thank you super gut prima great perfekt perfect dann then
    next now jetzt nächste nächstes ich hab habe i have bitte please liebes liebe dear team
    sorry entschuldigung back to zurück zu auf in english englisch german deutsch
    möchte würde gern gerne want would like i'd a report melden störung problem incident
    """.split()
)


def _without_lead_in(text: str) -> str:
    while (match := _LEAD_IN.match(text)) and match.end() < len(text):
        words = match.group(1).lower().replace("\u2019", "'").split()
        if any(word not in _FILLER for word in words):
            break
        text = text[match.end() :]
    return text


class TicketNotFound(LookupError):
    """No ticket with that number."""


class NotYourTicket(PermissionError):
    """The ticket belongs to another employee."""


class InvalidTransition(ValueError):
    """The requested change is not allowed in the ticket's state."""


@dataclass(frozen=True)
class Requester:
    id: str
    name: str
    email: str


def parse_number(text: str) -> int:
    """Turn "INC-000042", "inc42", "#42", "ticket 42" or "42" into 42."""
    match = _NUMBER.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise TicketNotFound(text)
    return int(match.group(1))


def propose_summary(description: str) -> str:
    """Propose a subject from the description: its first sentence, shortened, without a
    lead-in ("Ok, anderes Thema: wie richte ich den Drucker ein" → "Wie richte ich …")."""
    text = _without_lead_in(" ".join(description.split()))
    first = _SENTENCE_END.split(text, maxsplit=1)[0].rstrip(".!? ")
    if len(first) > SUMMARY_CHARS:
        first = first[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return first[:1].upper() + first[1:] if first else "IT request"


async def log(
    *,
    db: AsyncSession,
    ticket: Ticket,
    actor: str,
    kind: str,
    text: str = "",
    public: bool = False,
    **detail: Any,
) -> TicketActivity:
    """Append an entry to the ticket's activity log and touch the ticket."""
    entry = TicketActivity(
        ticket_id=ticket.id, actor=actor, kind=kind, text=text, detail=detail, public=public
    )
    db.add(entry)
    ticket.updated_at = utcnow()
    return entry


async def create(
    *,
    db: AsyncSession,
    requester: Requester,
    description: str,
    impact: str,
    urgency: str,
    category: str,
    summary: str | None = None,
    since: str = "",
    conversation_id: str | None = None,
    transcript: list[dict[str, Any]] | None = None,
    sla: prio.Sla,
    actor: str = "bot",
) -> Ticket:
    """Open a ticket with a derived priority and SLA due times."""
    priority = prio.priority_of(impact, urgency)
    now = utcnow()
    first_due, resolve_due = sla.due_times(priority, now)
    ticket = Ticket(
        requester_id=requester.id,
        requester_name=requester.name,
        requester_email=requester.email,
        subject=(summary or propose_summary(description))[:200],
        description=description,
        since=since[:200],
        category=category,
        impact=impact,
        urgency=urgency,
        priority=priority,
        conversation_id=conversation_id,
        transcript=transcript or [],
        first_response_due=first_due,
        resolution_due=resolve_due,
        created_at=now,
        updated_at=now,
    )
    db.add(ticket)
    await db.flush()
    await log(
        db=db,
        ticket=ticket,
        actor=actor,
        kind="created",
        public=True,
        text=ticket.subject,
        priority=priority,
        category=category,
    )
    return ticket


async def get(*, db: AsyncSession, number: str | int) -> Ticket:
    """Return the ticket with that number (loose forms accepted) or raise TicketNotFound."""
    ticket_id = number if isinstance(number, int) else parse_number(number)
    ticket = await db.get(Ticket, ticket_id)
    if ticket is None:
        raise TicketNotFound(str(number))
    return ticket


async def get_for_requester(*, db: AsyncSession, number: str, requester_id: str) -> Ticket:
    """Return the requester's own ticket; raise NotYourTicket for someone else's."""
    ticket = await get(db=db, number=number)
    if ticket.requester_id != requester_id:
        raise NotYourTicket(ticket.number)
    return ticket


async def list_for_requester(
    *, db: AsyncSession, requester_id: str, open_only: bool = False, limit: int = 50
) -> list[Ticket]:
    """Return the requester's tickets, newest first."""
    query = select(Ticket).where(Ticket.requester_id == requester_id)
    if open_only:
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    rows = await db.scalars(query.order_by(Ticket.id.desc()).limit(limit))
    return list(rows)


async def activities(
    *, db: AsyncSession, ticket: Ticket, public_only: bool
) -> list[TicketActivity]:
    query = select(TicketActivity).where(TicketActivity.ticket_id == ticket.id)
    if public_only:
        query = query.where(TicketActivity.public.is_(True))
    return list(await db.scalars(query.order_by(TicketActivity.id)))


async def set_status(
    *, db: AsyncSession, ticket: Ticket, status: str, actor: str, resolution: str = ""
) -> None:
    """Change the status (logged); resolving needs a resolution text."""
    if status not in STATUSES:
        raise InvalidTransition(f"unknown status {status!r}")
    if status == ticket.status:
        return
    if ticket.status in ("closed", "cancelled"):
        raise InvalidTransition(f"ticket {ticket.number} is {ticket.status}")
    if status == "resolved" and not (resolution or ticket.resolution).strip():
        raise InvalidTransition("resolving a ticket needs a resolution")
    old, ticket.status = ticket.status, status
    if resolution:
        ticket.resolution = resolution
    if status == "resolved":
        ticket.resolved_at = utcnow()
    await log(
        db=db,
        ticket=ticket,
        actor=actor,
        kind="status",
        public=True,
        text=resolution,
        old=old,
        new=status,
    )


async def reopen(*, db: AsyncSession, ticket: Ticket, actor: str) -> None:
    """A resolved ticket its requester needs help with again goes back to work (logged).

    The resolution that did not hold stays in the activity log, not on the ticket.
    """
    await set_status(db=db, ticket=ticket, status="in_progress", actor=actor)
    ticket.resolution, ticket.resolved_at = "", None


async def classify(
    *,
    db: AsyncSession,
    ticket: Ticket,
    actor: str,
    category: str | None = None,
    impact: str | None = None,
    urgency: str | None = None,
    sla: prio.Sla,
) -> None:
    """Change category, impact or urgency; the priority and due times follow (logged)."""
    changes: dict[str, Any] = {}
    for field, value in (("category", category), ("impact", impact), ("urgency", urgency)):
        if value is not None and value != getattr(ticket, field):
            changes[field] = [getattr(ticket, field), value]
            setattr(ticket, field, value)
    new_priority = prio.priority_of(ticket.impact, ticket.urgency)
    if new_priority != ticket.priority:
        changes["priority"] = [ticket.priority, new_priority]
        ticket.priority = new_priority
        ticket.first_response_due, ticket.resolution_due = sla.due_times(
            new_priority, ticket.created_at
        )
    if changes:
        await log(db=db, ticket=ticket, actor=actor, kind="classified", public=False, **changes)


def mark_first_response(ticket: Ticket) -> None:
    if ticket.first_responded_at is None:
        ticket.first_responded_at = utcnow()
    if ticket.status == "new":
        ticket.status = "in_progress"


async def search(
    *,
    db: AsyncSession,
    status: str | None = None,
    level: int | None = None,
    assignee_id: int | None = None,
    limit: int = 100,
) -> list[Ticket]:
    """Return tickets, newest first; status is one of STATUSES or "open"."""
    query = select(Ticket)
    if status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif status:
        query = query.where(Ticket.status == status)
    if level:
        query = query.where(Ticket.level == level)
    if assignee_id is not None:
        query = query.where(Ticket.assignee_id == assignee_id)
    return list(await db.scalars(query.order_by(Ticket.id.desc()).limit(limit)))


async def reply(*, db: AsyncSession, ticket: Ticket, actor: str, text: str) -> None:
    """Answer the requester on the ticket (public, counts as the first response)."""
    await log(db=db, ticket=ticket, actor=actor, kind="reply", text=text, public=True)
    mark_first_response(ticket)


async def requester_replied(*, db: AsyncSession, ticket: Ticket, text: str) -> None:
    """The requester answered a question on the ticket: it is back with the desk."""
    await log(
        db=db, ticket=ticket, actor="requester", kind="requester_reply", text=text, public=True
    )
    if ticket.status == "on_hold":
        await set_status(db=db, ticket=ticket, status="in_progress", actor="requester")


async def note(*, db: AsyncSession, ticket: Ticket, actor: str, text: str) -> None:
    """Add an internal note (never shown to the requester)."""
    await log(db=db, ticket=ticket, actor=actor, kind="note", text=text, public=False)


async def change(
    *,
    db: AsyncSession,
    ticket: Ticket,
    actor: str,
    sla: prio.Sla,
    category: str | None = None,
    impact: str | None = None,
    urgency: str | None = None,
    status: str | None = None,
    resolution: str = "",
) -> None:
    """Reclassify and/or change the status in one step (each part logged)."""
    await classify(
        db=db,
        ticket=ticket,
        actor=actor,
        category=category,
        impact=impact,
        urgency=urgency,
        sla=sla,
    )
    if status:
        await set_status(db=db, ticket=ticket, status=status, actor=actor, resolution=resolution)
