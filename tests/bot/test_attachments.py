"""A file the employee attaches: part of the ticket's description in the form, silence elsewhere."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakes import responses, run, slot_events, tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.attachments import ActionAttachmentAdded, attached_file, description_line
from bot.actions.ticket_form import ValidateTicketForm

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))


def _attached(name: str | None, **kwargs: Any):
    entities = [{"entity": "attachment_name", "value": name}] if name is not None else []
    text = f'/attachment_added{{"attachment_name": "{name}"}}'
    return tracker(text, "attachment_added", entities=entities, **kwargs)


def _in_form(name: str, slots: dict[str, Any], locale: str = "de"):
    track = _attached(
        name,
        slots={"language": locale, **slots},
        metadata={"locale": locale},
        events=[{"event": "user", "text": "/attachment_added"}],
        active_loop="ticket_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateTicketForm().run(dispatcher, track, DOMAIN))
    return dispatcher.messages, slot_events(events)


def test_a_screenshot_asked_for_the_description_is_the_description() -> None:
    messages, slots = _in_form(
        "fehlermeldung.png", {"requested_slot": "problem_description", "problem_description": None}
    )
    assert slots == {"problem_description": "Screenshot: fehlermeldung.png"}
    assert responses(messages) == ["utter_screenshot_with_ticket"]


def test_a_file_later_in_the_form_joins_the_description_given_before() -> None:
    before = "Teams stürzt beim Teilen ab"
    messages, slots = _in_form(
        "teams.txt",
        {"requested_slot": "problem_since", "problem_description": before},
        locale="en",
    )
    assert slots == {"problem_description": f"{before}\nFile: teams.txt"}
    assert responses(messages) == ["utter_file_with_ticket"]


def test_typed_answers_are_no_files() -> None:
    track = tracker(
        "seit gestern",
        "inform",
        slots={"requested_slot": "problem_since", "problem_description": "VPN bricht ab"},
        events=[{"event": "user", "text": "seit gestern"}],
        active_loop="ticket_form",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateTicketForm().run(dispatcher, track, DOMAIN))
    assert dispatcher.messages == []
    assert attached_file(track) is None


@pytest.mark.parametrize(
    ("name", "language", "line"),
    [
        ("Bild.JPG", "de", "Screenshot: Bild.JPG"),
        ("vpn.txt", "de", "Datei: vpn.txt"),
        ("report.pdf", "en", "File: report.pdf"),
    ],
)
def test_description_line(name: str, language: str, line: str) -> None:
    assert description_line(name, language) == line


def test_a_file_without_a_name_is_still_a_file() -> None:
    assert attached_file(_attached(None)) == "?"


def test_outside_the_form_the_bot_adds_nothing() -> None:
    messages, events = run(ActionAttachmentAdded(), _attached("fehler.png"))
    assert messages == [] and events == []


def test_the_domain_knows_the_intent_and_keeps_it_out_of_typed_answers() -> None:
    assert "attachment_added" in DOMAIN["intents"]
    assert {"attachment_name": {"influence_conversation": False}} in DOMAIN["entities"]
    assert DOMAIN["forms"]["ticket_form"]["ignored_intents"] == ["attachment_added"]
    assert "action_attachment_added" in DOMAIN["actions"]
