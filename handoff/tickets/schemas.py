"""Wire shapes of tickets."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from . import priority as prio
from .models import Ticket, TicketActivity

Level = Literal["low", "medium", "high"]


class TicketDraft(BaseModel):
    conversation_id: str
    description: str = Field(min_length=1, max_length=4000)
    since: str = Field(default="", max_length=200)
    impact: Level
    urgency: Level
    summary: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=40)


class SlaRead(BaseModel):
    first_response_due: str
    resolution_due: str


class TicketRead(BaseModel):
    """A ticket as lists show it (times are ISO 8601 strings)."""

    number: str = Field(examples=["INC-000042"])
    subject: str
    status: str
    priority: int
    priority_label: str
    category: str
    impact: str
    urgency: str
    level: int
    assignee: str | None
    conversation_id: str | None
    created_at: str
    updated_at: str
    sla: SlaRead


class TicketDetailRead(TicketRead):
    description: str
    since: str
    resolution: str
    requester: str
    transcript: list[dict[str, Any]]


class ActivityRead(BaseModel):
    """One entry of a ticket's log; actor, detail and public only for staff."""

    at: str
    kind: str
    text: str
    actor: str | None = None
    detail: dict[str, Any] | None = None
    public: bool | None = None


class TicketList(BaseModel):
    tickets: list[TicketRead]


def ticket_json(ticket: Ticket, lang: str = "en", *, detail: bool = False) -> dict[str, Any]:
    """The wire shape of a ticket; detail adds description and transcript."""
    data: dict[str, Any] = {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "priority_label": prio.label(ticket.priority, lang),
        "category": ticket.category,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "level": ticket.level,
        "assignee": ticket.assignee_name,
        "conversation_id": ticket.conversation_id,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "sla": {
            "first_response_due": ticket.first_response_due.isoformat(),
            "resolution_due": ticket.resolution_due.isoformat(),
        },
    }
    if detail:
        data.update(
            description=ticket.description,
            since=ticket.since,
            resolution=ticket.resolution,
            requester=ticket.requester_name,
            transcript=ticket.transcript,
        )
    return data


INTERNAL_TEXT = {"escalated"}


def activity_json(activity: TicketActivity, *, staff: bool = True) -> dict[str, Any]:
    """An activity log entry; employees see only when, what and the public text."""
    data: dict[str, Any] = {
        "at": activity.created_at.isoformat(),
        "kind": activity.kind,
        "text": activity.text,
    }
    if staff:
        data.update(actor=activity.actor, detail=activity.detail, public=activity.public)
    elif activity.kind in INTERNAL_TEXT:
        # The escalation summary is written for the specialists: employees see the step only.
        data["text"] = ""
    return data
