"""Turning the collected draft into a ticket: preview, confirm, cancel."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.common import language_of, say_unavailable
from bot.actions.labels import category_label, format_when, priority_label
from bot.actions.ticket_form import DRAFT_SLOTS, LEVELS


def draft_from(tracker: Tracker) -> dict[str, Any] | None:
    """The TicketDraft of docs/internal-api.md, or None while incomplete."""
    description = tracker.get_slot("problem_description")
    impact = tracker.get_slot("problem_impact")
    urgency = tracker.get_slot("problem_urgency")
    if not description or impact not in LEVELS or urgency not in LEVELS:
        return None
    draft = {
        "conversation_id": tracker.sender_id,
        "description": description,
        "impact": impact,
        "urgency": urgency,
    }
    for field, slot in (("since", "problem_since"), ("summary", "ticket_summary"),
                        ("category", "ticket_category")):  # fmt: skip
        if tracker.get_slot(slot):
            draft[field] = tracker.get_slot(slot)
    return draft


def _cleared_draft() -> list[EventType]:
    return [SlotSet(slot, None) for slot in DRAFT_SLOTS] + [SlotSet("pending", None)]


class ActionTicketPreview(Action):
    """Show the proposed summary, category and priority and ask to confirm."""

    def name(self) -> str:
        return "action_ticket_preview"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        draft = draft_from(tracker)
        if draft is None:
            dispatcher.utter_message(response="utter_no_ticket_draft")
            return [SlotSet("pending", None)]
        try:
            async with clients.make_client() as api:
                preview = await api.ticket_preview(draft)
        except clients.HelpdeskError as error:
            return say_unavailable(dispatcher, error) + [SlotSet("pending", None)]
        lang = language_of(tracker)
        summary = preview.get("summary") or draft["description"]
        dispatcher.utter_message(
            response="utter_ticket_preview",
            summary=summary,
            category=category_label(preview.get("category"), lang),
            priority_label=priority_label(
                preview.get("priority"), lang, preview.get("priority_label")
            ),
        )
        return [
            SlotSet("ticket_summary", summary),
            SlotSet("ticket_category", preview.get("category")),
            SlotSet("pending", "confirm_ticket"),
        ]


class ActionCreateTicket(Action):
    """The employee confirmed: create the ticket and give them its number."""

    def name(self) -> str:
        return "action_create_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        draft = draft_from(tracker)
        if draft is None:
            dispatcher.utter_message(response="utter_no_ticket_draft")
            return [SlotSet("pending", None)]
        try:
            async with clients.make_client() as api:
                ticket = await api.create_ticket(draft)
        except clients.HelpdeskError as error:
            # The draft and the question stay: confirming again retries.
            return say_unavailable(dispatcher, error) + [SlotSet("pending", "confirm_ticket")]
        lang = language_of(tracker)
        due = format_when((ticket.get("sla") or {}).get("first_response_due"), lang)
        dispatcher.utter_message(
            response="utter_ticket_created" if due else "utter_ticket_created_nosla",
            ticket_number=ticket.get("number"),
            priority_label=priority_label(
                ticket.get("priority"), lang, ticket.get("priority_label")
            ),
            first_response_due=due,
        )
        return _cleared_draft() + [SlotSet("failure_streak", 0)]


class ActionCancelTicket(Action):
    """No ticket after all: drop the draft."""

    def name(self) -> str:
        return "action_cancel_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_ticket_cancelled")
        return _cleared_draft()
