"""Ticket status, handoff outcomes, session start and the language slot."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from fakes import CONVERSATION, responses, run, slot_events, tracker

from bot.actions.handoff import ActionHandoff
from bot.actions.session import ActionDetectLanguage, ActionSessionStart, ActionWelcomeBack
from bot.actions.ticket_status import ActionTicketStatus, normalise_number

TICKET = {
    "number": "INC-000042",
    "subject": "VPN bricht ab",
    "status": "in_progress",
    "priority": 2,
    "priority_label": "P2",
    "category": "network",
    "level": 2,
    "assignee": "Jana Vogel",
    "updated_at": "2026-11-26T15:30:00+00:00",
    "sla": {"first_response_due": None, "resolution_due": None},
}
HANDOFF = f"/api/internal/conversations/{CONVERSATION}/handoff"


def _number(value: str) -> list[dict]:
    return [{"entity": "ticket_number", "value": value}]


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("INC-000042", "INC-000042"),
        ("INC42", "INC-000042"),
        ("inc 42", "INC-000042"),
        ("42", "INC-000042"),
        ("1234567", "INC-1234567"),
        ("", None),
        (None, None),
    ],
)
def test_number_normalisation(raw, number) -> None:
    assert normalise_number(raw) == number


def test_status_of_own_ticket(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/tickets/INC-000042", body=TICKET)
    messages, _ = run(
        ActionTicketStatus(), tracker("status INC42", "ticket_status", _number("INC42"))
    )
    assert helpdesk.last().url.params["conversation_id"] == CONVERSATION
    assert responses(messages) == ["utter_ticket_status_assigned"]
    message = messages[0]
    assert message["status"] == "in Bearbeitung"
    assert message["priority_label"] == "2 – hoch"
    assert message["level"] == "2nd Level (Fachteam)"
    assert message["assignee"] == "Jana Vogel"
    assert message["updated_at"] == "26.11.2026, 16:30 Uhr"


def test_status_in_english_unassigned(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/tickets/INC-000042", body={**TICKET, "assignee": None})
    messages, _ = run(
        ActionTicketStatus(),
        tracker("status of ticket 42", "ticket_status", _number("42"), metadata={"locale": "en"}),
    )
    assert responses(messages) == ["utter_ticket_status_unassigned"]
    assert messages[0]["status"] == "in progress"


def test_unknown_ticket(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/tickets/INC-000999", status=404, body={"detail": "no"})
    messages, _ = run(ActionTicketStatus(), tracker("#999", "ticket_status", _number("999")))
    assert responses(messages) == ["utter_ticket_not_found"]
    assert messages[0]["ticket_number"] == "INC-000999"


def test_someone_elses_ticket_reveals_nothing(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/tickets/INC-000007", status=403, body={"detail": "not yours"})
    messages, _ = run(
        ActionTicketStatus(), tracker("INC-000007", "ticket_status", _number("INC-000007"))
    )
    assert responses(messages) == ["utter_ticket_not_yours"]
    assert set(messages[0]) & {"subject", "status", "assignee"} == set()


def test_open_tickets_listed(helpdesk) -> None:
    helpdesk.on(
        "GET",
        "/api/internal/tickets",
        body={
            "tickets": [
                TICKET,
                {**TICKET, "number": "INC-000043", "subject": "Drucker", "status": "new"},
            ]
        },
    )
    messages, _ = run(ActionTicketStatus(), tracker("meine tickets", "ticket_status"))
    assert helpdesk.last().url.params["open"] == "1"
    assert responses(messages) == ["utter_open_tickets"]
    assert messages[0]["tickets"].splitlines() == [
        "• INC-000042 – VPN bricht ab (in Bearbeitung)",
        "• INC-000043 – Drucker (neu)",
    ]


def test_no_open_tickets(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/tickets", body={"tickets": []})
    messages, _ = run(ActionTicketStatus(), tracker("my tickets", "ticket_status"))
    assert responses(messages) == ["utter_no_open_tickets"]


@pytest.mark.parametrize(("days_ago", "said"), [(1, True), (10, False)])
def test_no_open_tickets_names_the_latest_if_it_ended_lately(
    helpdesk, days_ago: int, said: bool
) -> None:
    # "How long until my ticket is done?" just after the desk resolved it: say so.
    updated = (datetime.now(timezone.utc) - timedelta(days=days_ago)).isoformat()
    resolved = {**TICKET, "status": "resolved", "updated_at": updated}

    def tickets(request: httpx.Request) -> tuple[int, dict[str, Any]]:
        return 200, {"tickets": [] if request.url.params["open"] == "1" else [resolved]}

    helpdesk.answer("GET", "/api/internal/tickets", tickets)
    messages, _ = run(ActionTicketStatus(), tracker("wie ist der stand?", "ticket_status"))
    if not said:
        assert responses(messages) == ["utter_no_open_tickets"]
        return
    assert responses(messages) == ["utter_no_open_tickets_latest"]
    assert messages[0]["ticket_number"] == "INC-000042" and messages[0]["status"] == "gelöst"


def test_status_when_the_service_is_down(helpdesk) -> None:
    helpdesk.down()
    messages, _ = run(ActionTicketStatus(), tracker("INC-1", "ticket_status", _number("INC-1")))
    assert responses(messages) == ["utter_service_unavailable"]


@pytest.mark.parametrize(
    ("answer", "response", "fields"),
    [
        (
            {"outcome": "queued", "queue_position": 3, "estimated_wait_minutes": 6},
            "utter_handoff_queued",
            {"queue_position": 3, "estimated_wait": 6},
        ),
        (
            {"outcome": "queued", "queue_position": 1, "estimated_wait_minutes": None},
            "utter_handoff_queued_nowait",
            {"queue_position": 1},
        ),
        ({"outcome": "already_queued", "queue_position": 2}, "utter_handoff_already_queued", {}),
        (
            {"outcome": "no_agents", "ticket_number": "INC-000011"},
            "utter_handoff_no_agents",
            {"ticket_number": "INC-000011"},
        ),
        (
            {"outcome": "out_of_hours", "ticket_number": "INC-000012"},
            "utter_handoff_out_of_hours",
            {"ticket_number": "INC-000012"},
        ),
        ({"outcome": "no_agents", "ticket_number": None}, "utter_handoff_unavailable", {}),
    ],
)
def test_handoff_outcomes(helpdesk, answer, response, fields) -> None:
    helpdesk.on("POST", HANDOFF, body={"state": "queued", "agents_online": 1, **answer})
    messages, events = run(ActionHandoff(), tracker("mitarbeiter", "request_human"))
    assert helpdesk.last_json() == {"reason": "requested"}
    assert responses(messages) == [response]
    assert {key: messages[0][key] for key in fields} == fields
    assert slot_events(events)["pending"] is None


def test_handoff_when_the_service_is_down(helpdesk) -> None:
    helpdesk.down()
    messages, events = run(
        ActionHandoff(), tracker("human please", "request_human", slots={"pending": "offer"})
    )
    assert responses(messages) == ["utter_service_unavailable"]
    assert slot_events(events) == {"pending": None}


def test_session_start_takes_the_locale_and_keeps_the_language() -> None:
    slots = {
        "session_started_metadata": {"locale": "en-GB", "employee": {"id": "e1"}},
        "language": "de",
        "pending": "offer",
        "problem_description": "alt",
    }
    _, events = run(ActionSessionStart(), tracker(slots=slots))
    assert events[0]["event"] == "session_started"
    assert events[-1] == {**events[-1], "event": "action", "name": "action_listen"}
    slots_after = slot_events(events)
    assert slots_after["language"] == "en"
    assert "pending" not in slots_after and "problem_description" not in slots_after


def test_the_language_follows_the_helpdesks_locale_only() -> None:
    # The helpdesk decides the chat's language; the bot guesses none itself.
    english_text = tracker(
        "my printer doesn't print anymore", slots={"language": "de"}, metadata={"locale": "de"}
    )
    _, events = run(ActionDetectLanguage(), english_text)
    assert events == []
    _, events = run(
        ActionDetectLanguage(),
        tracker("Drucker kaputt", slots={"language": "de"}, metadata={"locale": "en-GB"}),
    )
    assert slot_events(events) == {"language": "en"}
    _, events = run(ActionDetectLanguage(), tracker("ok", slots={"language": "en"}))
    assert events == []


def test_welcome_back_after_handback() -> None:
    messages, events = run(
        ActionWelcomeBack(), tracker("", "EXTERNAL_handback", slots={"failure_streak": 1})
    )
    assert responses(messages) == ["utter_welcome_back"]
    assert slot_events(events)["failure_streak"] == 0


def test_a_longer_question_read_as_request_human_goes_to_the_knowledge_base(helpdesk) -> None:
    hits = [{"slug": "support-hours", "title": "Service desk hours", "lang": "en", "score": 0.7}]
    helpdesk.on(
        "GET",
        "/api/internal/kb/answer",
        body={"confident": False, "lang": "en", "hits": hits, "article": None},
    )
    text = "When is the IT service desk available?"
    messages, events = run(ActionHandoff(), tracker(text, "request_human"))
    assert helpdesk.paths() == ["GET /api/internal/kb/answer"]
    assert responses(messages) == ["utter_kb_candidates"]
    assert slot_events(events)["pending"] == "choose"


def test_a_short_request_is_handed_off(helpdesk) -> None:
    helpdesk.on("POST", HANDOFF, body={"state": "queued", "outcome": "already_queued"})
    messages, _ = run(ActionHandoff(), tracker("i need a human", "request_human"))
    assert helpdesk.paths() == [f"POST {HANDOFF}"]
    assert responses(messages) == ["utter_handoff_already_queued"]


@pytest.mark.parametrize("text", ["Wann ist die Weihnachtsfeier?", "when is the summer party"])
def test_a_question_about_no_ticket_is_searched(helpdesk, text: str) -> None:
    """The NLU may read an event's date as a ticket's: with no number and no word about
    tickets, the message is searched (and refused as off-topic when nothing is close)."""
    answer = {"confident": False, "lang": "de", "hits": [], "article": None, "related": False}
    helpdesk.on("GET", "/api/internal/kb/answer", body=answer)
    messages, _ = run(ActionTicketStatus(), tracker(text, "ticket_status"))
    assert responses(messages) == ["utter_out_of_scope"]
    assert helpdesk.paths() == ["GET /api/internal/kb/answer"]  # no ticket looked up
