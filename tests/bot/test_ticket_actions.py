"""The ticket form: prefill, typed answers, preview, creation, cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from fakes import CONVERSATION, responses, run, slot_events, tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.ticket_form import (
    ActionPrefillTicket,
    ValidateTicketForm,
    has_problem_details,
    parse_impact,
    parse_urgency,
)
from bot.actions.tickets import ActionCancelTicket, ActionCreateTicket, ActionTicketPreview

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
FILLED = {
    "problem_description": "Outlook stürzt beim Start ab",
    "problem_since": "seit gestern",
    "problem_impact": "low",
    "problem_urgency": "high",
}


def _user(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ich möchte ein Ticket aufmachen", False),
        ("open a ticket please", False),
        ("kannst du das als ticket weitergeben?", False),
        ("ich brauche ein ticket, der drucker im 3. og ist kaputt", True),
        ("please open an incident, the scanner in the warehouse is broken", True),
    ],
)
def test_ticket_request_with_or_without_details(text: str, expected: bool) -> None:
    assert has_problem_details(text) is expected


def test_prefill_from_a_request_that_describes_the_problem() -> None:
    text = "Ticket bitte: Outlook stürzt seit dem Update ständig ab"
    _, events = run(ActionPrefillTicket(), tracker(text, "open_ticket", slots=FILLED))
    slots = slot_events(events)
    assert slots["problem_description"] == text
    assert slots["problem_since"] is None and slots["problem_impact"] is None


def test_prefill_from_the_message_the_bot_just_tried_to_answer() -> None:
    events = [
        _user("drucker im 2. og druckt nicht", "it_problem"),
        {"event": "action", "name": "action_answer_from_kb"},
        _user("/feedback_negative", "feedback_negative"),
        {"event": "action", "name": "action_feedback"},
        _user("/open_ticket", "open_ticket"),
    ]
    track = tracker("/open_ticket", "open_ticket", slots={"pending": "offer"}, events=events)
    _, result = run(ActionPrefillTicket(), track)
    assert slot_events(result)["problem_description"] == "drucker im 2. og druckt nicht"


def test_no_prefill_for_a_bare_request() -> None:
    events = [_user("vpn geht nicht", "it_problem"), _user("ticket bitte", "open_ticket")]
    _, result = run(ActionPrefillTicket(), tracker("ticket bitte", "open_ticket", events=events))
    assert "problem_description" not in [e["name"] for e in result if e["value"] is not None]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("low", "low"),
        ("nur ich", "low"),
        ("only me I think", "low"),
        ("the whole team", "medium"),
        ("alle in meinem Team", "medium"),
        ("5 Leute", "medium"),
        ("die ganze Abteilung", "high"),
        ("everyone at the Leipzig plant", "high"),
        ("keine Ahnung", None),
        ('/inform{"impact":"low"}', None),
    ],
)
def test_typed_impact(text: str, level: str | None) -> None:
    assert parse_impact(text) == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("ich kann gar nicht arbeiten", "high"),
        ("I can't work at all", "high"),
        ("ich kann kaum arbeiten", "high"),
        ("I can barely work", "high"),
        ("nicht dringend", "low"),
        ("it can wait, there's a workaround", "low"),
        ("es nervt, aber ich kann arbeiten", "medium"),
        ("it slows me down", "medium"),
        ("blau", None),
    ],
)
def test_typed_urgency(text: str, level: str | None) -> None:
    assert parse_urgency(text) == level


def _validate(slot_events_in: list[dict], requested: str):
    track = tracker(
        "typed",
        "inform",
        slots={"requested_slot": requested},
        events=[{"event": "user", "text": "typed"}, *slot_events_in],
        active_loop="ticket_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTicketForm().run(dispatcher, track, DOMAIN))
    return dispatcher.messages, events


def test_form_validation_normalises_typed_answers() -> None:
    messages, events = _validate(
        [{"event": "slot", "name": "problem_impact", "value": "das ganze Team"}], "problem_impact"
    )
    assert messages == []
    assert slot_events(events)["problem_impact"] == "medium"


def test_form_validation_rejects_what_it_cannot_read() -> None:
    messages, events = _validate(
        [{"event": "slot", "name": "problem_urgency", "value": "blau"}], "problem_urgency"
    )
    assert responses(messages) == ["utter_urgency_not_understood"]
    assert slot_events(events)["problem_urgency"] is None


def test_form_validation_rejects_a_too_short_description() -> None:
    messages, events = _validate(
        [{"event": "slot", "name": "problem_description", "value": "hä"}], "problem_description"
    )
    assert responses(messages) == ["utter_description_too_short"]
    assert slot_events(events)["problem_description"] is None


def test_preview_shows_summary_category_and_priority(helpdesk) -> None:
    helpdesk.on(
        "POST",
        "/api/internal/tickets/preview",
        body={
            "summary": "Outlook stürzt beim Start ab",
            "category": "email",
            "priority": 3,
            "priority_label": "P3 Medium",
            "impact": "low",
            "urgency": "high",
        },
    )
    messages, events = run(ActionTicketPreview(), tracker("/inform", slots=FILLED))
    assert helpdesk.last_json() == {
        "conversation_id": CONVERSATION,
        "description": "Outlook stürzt beim Start ab",
        "since": "seit gestern",
        "impact": "low",
        "urgency": "high",
    }
    assert responses(messages) == ["utter_ticket_preview"]
    assert messages[0]["category"] == "E-Mail & Kalender"
    assert messages[0]["priority_label"] == "3 – mittel"
    slots = slot_events(events)
    assert slots["pending"] == "confirm_ticket"
    assert slots["ticket_summary"] == "Outlook stürzt beim Start ab"
    assert slots["ticket_category"] == "email"


def test_preview_without_a_complete_draft_calls_nothing(helpdesk) -> None:
    messages, _ = run(ActionTicketPreview(), tracker(slots={"problem_description": "x"}))
    assert responses(messages) == ["utter_no_ticket_draft"]
    assert helpdesk.requests == []


def test_confirmed_ticket_is_created(helpdesk) -> None:
    helpdesk.on(
        "POST",
        "/api/internal/tickets",
        status=201,
        body={
            "number": "INC-000042",
            "subject": "Outlook stürzt ab",
            "status": "new",
            "priority": 3,
            "priority_label": "P3",
            "category": "email",
            "level": 1,
            "assignee": None,
            "updated_at": "2026-11-27T09:00:00Z",
            "sla": {
                "first_response_due": "2026-11-27T13:00:00Z",
                "resolution_due": "2026-11-30T09:00:00Z",
            },
        },
    )
    slots = {
        **FILLED,
        "ticket_summary": "Outlook stürzt ab",
        "ticket_category": "email",
        "pending": "confirm_ticket",
        "language": "en",
    }
    messages, events = run(ActionCreateTicket(), tracker("yes", "affirm", slots=slots))
    body = helpdesk.last_json()
    assert body["summary"] == "Outlook stürzt ab" and body["category"] == "email"
    assert body["conversation_id"] == CONVERSATION
    assert responses(messages) == ["utter_ticket_created"]
    assert messages[0]["ticket_number"] == "INC-000042"
    assert messages[0]["first_response_due"] == "27 Nov 2026, 14:00"  # German time
    assert messages[0]["priority_label"] == "3 – medium"
    cleared = slot_events(events)
    assert cleared["problem_description"] is None and cleared["pending"] is None


def test_creation_fails_politely_and_keeps_the_draft(helpdesk) -> None:
    helpdesk.on("POST", "/api/internal/tickets", status=503, body={"detail": "down"})
    messages, events = run(ActionCreateTicket(), tracker("ja", "affirm", slots=FILLED))
    assert responses(messages) == ["utter_service_unavailable"]
    assert slot_events(events) == {"pending": "confirm_ticket"}


def test_cancel_drops_the_draft() -> None:
    messages, events = run(ActionCancelTicket(), tracker("abbrechen", "cancel", slots=FILLED))
    assert responses(messages) == ["utter_ticket_cancelled"]
    assert all(value is None for value in slot_events(events).values())
    assert "problem_description" in slot_events(events)


def test_form_validation_is_silent_about_a_reset() -> None:
    resets = [{"event": "slot", "name": slot, "value": None} for slot in FILLED]
    messages, events = _validate(resets, "problem_description")
    assert messages == []
    assert all(value is None for value in slot_events(events).values())


def test_prefill_resets_only_what_is_set() -> None:
    _, events = run(ActionPrefillTicket(), tracker("neues ticket", "open_ticket"))
    assert events == []
