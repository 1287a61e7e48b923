"""Where the employee's tickets stand."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.common import is_payload, language_of, latest_text, say_unavailable
from bot.actions.kb import ActionAnswerFromKb
from bot.actions.labels import format_when, level_label, priority_label, status_label

MAX_LISTED = 10
# "Wie ist der Stand?" with no open ticket: the latest one, if it ended this recently.
RECENT_DAYS = 7
# Without a ticket number, a question about tickets says so ("wie ist der Stand?", "any
# news on my request?"); "Wann ist die Weihnachtsfeier?" read as ticket_status is searched.
_ABOUT_TICKETS = re.compile(
    r"ticket|\binc\b|inc-?\d|stand\b|status|meldung|anfrage|störung|bearbeit|erledigt"
    r"|neuigkeit|request|case\b|news|update|progress|fortschritt",
    re.IGNORECASE,
)


def normalise_number(raw: str | None) -> str | None:
    """'INC42', 'inc-000042', '#42', '42' -> 'INC-000042'."""
    digits = re.search(r"\d+", raw or "")
    return f"INC-{int(digits.group()):06d}" if digits else None


def _tell_ticket(dispatcher: CollectingDispatcher, ticket: dict[str, Any], lang: str) -> None:
    details = {
        "ticket_number": ticket.get("number"),
        "subject": ticket.get("subject") or "–",
        "status": status_label(ticket.get("status"), lang),
        "priority_label": priority_label(
            ticket.get("priority"), lang, ticket.get("priority_label")
        ),
        "level": level_label(ticket.get("level"), lang),
        "updated_at": format_when(ticket.get("updated_at"), lang) or "–",
    }
    if ticket.get("assignee"):
        dispatcher.utter_message(
            response="utter_ticket_status_assigned", assignee=ticket["assignee"], **details
        )
    else:
        dispatcher.utter_message(response="utter_ticket_status_unassigned", **details)


def _ticket_lines(tickets: list[dict[str, Any]], lang: str) -> str:
    return "\n".join(
        f"• {t.get('number')} – {t.get('subject') or '–'} ({status_label(t.get('status'), lang)})"
        for t in tickets[:MAX_LISTED]
    )


def _ended_lately(ticket: dict[str, Any]) -> bool:
    """Whether the ticket ended (resolved, closed) in the last RECENT_DAYS."""
    if ticket.get("status") not in ("resolved", "closed"):
        return False
    try:
        updated = datetime.fromisoformat(str(ticket.get("updated_at")))
    except ValueError:
        return False
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - updated <= timedelta(days=RECENT_DAYS)


class ActionTicketStatus(Action):
    """One ticket by number, or the employee's open tickets."""

    def name(self) -> str:
        return "action_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language_of(tracker)
        number = normalise_number(next(tracker.get_latest_entity_values("ticket_number"), None))
        text = latest_text(tracker)
        latest: dict[str, Any] | None = None
        if not number and not is_payload(text) and not _ABOUT_TICKETS.search(text):
            return await ActionAnswerFromKb().run(dispatcher, tracker, domain)
        try:
            async with clients.make_client() as api:
                if number:
                    ticket = await api.ticket(number=number, conversation_id=tracker.sender_id)
                else:
                    tickets = await api.open_tickets(conversation_id=tracker.sender_id)
                    if not tickets:  # the latest one may have been resolved just now
                        done = await api.tickets(conversation_id=tracker.sender_id, open_only=False)
                        latest = done[0] if done and _ended_lately(done[0]) else None
        except clients.NotFound as error:
            if not number:  # the helpdesk does not know this conversation
                return say_unavailable(dispatcher, error)
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_number=number)
            return []
        except clients.Forbidden:
            # Someone else's ticket: say so, and nothing about it.
            dispatcher.utter_message(response="utter_ticket_not_yours", ticket_number=number)
            return []
        except clients.HelpdeskError as error:
            return say_unavailable(dispatcher, error)

        if number:
            _tell_ticket(dispatcher, ticket, lang)
        elif tickets:
            dispatcher.utter_message(
                response="utter_open_tickets", tickets=_ticket_lines(tickets, lang)
            )
        elif latest is not None:
            dispatcher.utter_message(
                response="utter_no_open_tickets_latest",
                ticket_number=latest.get("number"),
                subject=latest.get("subject") or "–",
                status=status_label(latest.get("status"), lang),
                updated_at=format_when(latest.get("updated_at"), lang) or "–",
            )
        else:
            dispatcher.utter_message(response="utter_no_open_tickets")
        return []
