"""Collecting a ticket: prefill from the conversation, validate the answers."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.attachments import attached_file, description_line, is_screenshot
from bot.actions.common import is_payload, language_of, latest_text

FORM_SLOTS = ("problem_description", "problem_since", "problem_impact", "problem_urgency")
DRAFT_SLOTS = FORM_SLOTS + ("ticket_summary", "ticket_category")
LEVELS = ("low", "medium", "high")
PROBLEM_INTENTS = ("it_problem", "it_question", "nlu_fallback")
# An earlier problem message is not looked for beyond these.
CONVERSATION_BREAKS = ("action_create_ticket", "action_cancel_ticket", "action_handoff")

# Words of a bare ticket request ("Ich möchte bitte ein Ticket aufmachen").
_REQUEST_WORDS = frozenset(
    """
    ich möchte will würde gern gerne bitte mal ein einen eine neues neuen ticket tickets
    aufmachen eröffnen erstellen anlegen machen mach melden störung problem fehler
    incident brauche kannst können sie du mir für das dafür als weitergeben hallo hi
    i i'd i'm want would like to please open create raise file log submit report a an
    new need can you me for this that issue problem support request hello ticket
    """.split()
)


def has_problem_details(text: str) -> bool:
    """Whether a ticket request already says what is wrong (3+ other words)."""
    words = re.findall(r"[\wäöüß'-]+", text.lower())
    return sum(len(word) >= 3 and word not in _REQUEST_WORDS for word in words) >= 3


def describe_problem(tracker: Tracker) -> str | None:
    """The problem as the employee described it, if they already did.

    Either the ticket request itself ("Ticket bitte, Outlook stürzt ständig
    ab"), or - when the bot has just tried to help (a pending question) - the
    message it tried to help with.
    """
    text = latest_text(tracker)
    if not is_payload(text) and has_problem_details(text):
        return text
    if tracker.get_slot("pending") is None:
        return None
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in CONVERSATION_BREAKS:
            return None
        if event.get("event") != "user":
            continue
        earlier = str(event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in PROBLEM_INTENTS and earlier and not is_payload(earlier):
            return earlier
    return None


class ActionPrefillTicket(Action):
    """Start a fresh draft, with the description filled in when already known."""

    def name(self) -> str:
        return "action_prefill_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # Only what is set: the form's validation sees every slot event of
        # this turn as an answer to check.
        events: list[EventType] = [
            SlotSet(slot, None) for slot in DRAFT_SLOTS if tracker.get_slot(slot) is not None
        ]
        description = describe_problem(tracker)
        if description:
            events.append(SlotSet("problem_description", description))
        return events


# Typed answers the NLU lookups did not catch. Checked in order; the first
# pattern that matches decides. Button payloads arrive as low/medium/high.
_CANONICAL = {
    "low": "low", "niedrig": "low", "gering": "low",
    "medium": "medium", "mittel": "medium",
    "high": "high", "hoch": "high",
}  # fmt: skip
_IMPACT = (
    ("high", r"abteilung|department|standort|\bsite\b|\bwerk|\bplant\b|firma|company|"
             r"unternehmen|gebäude|building|ganze[ns]? (büro|haus|etage|stockwerk)|"
             r"whole (office|floor)|entire (office|floor)"),
    ("medium", r"\bteam\b|kolleg|colleague|mehrere|several|einige|a few|ein paar|gruppe|group|"
               r"\d+ (leute|personen|people|users)"),
    ("high", r"\balle\b|\balles\b|everyone|everybody|\ball of us\b|niemand|nobody|no one"),
    ("low", r"\bnur\b|\bonly\b|\bjust\b|\bich\b|\bmich\b|\bmir\b|\bme\b|\bmyself\b|allein|alone"),
)  # fmt: skip
_URGENCY = (
    ("low", r"nicht (so )?dringend|not (that |very )?urgent|kein(e)? eile|no (rush|hurry)|"
            r"eilt nicht|warten|\bwait\b|workaround|umgehung|irgendwann|whenever"),
    ("high", r"nicht (mehr )?arbeiten|can'?t work|cannot work|can not work|unable to work|"
             r"kaum (noch )?arbeiten|(hardly|barely) (able to )?work|can (hardly|barely) work|"
             r"nichts (geht|mehr)|nothing works|blockiert|blocked|stillstand|dringend|urgent|"
             r"sofort|asap|kritisch|critical|notfall|emergency"),
    ("medium", r"eingeschränkt|behindert|hinder|slow|langsam|mühsam|umständlich|annoying|"
               r"nervig|nervt|teilweise|partly|partially|kann (noch )?arbeiten|can still work"),
)  # fmt: skip


def _parse_level(value: Any, patterns: tuple) -> str | None:
    text = str(value or "").strip().lower()
    if not text or is_payload(text):
        return None
    if text in _CANONICAL:
        return _CANONICAL[text]
    for level, pattern in patterns:
        if re.search(pattern, text):
            return level
    return None


def parse_impact(value: Any) -> str | None:
    """'nur ich' -> low, 'the whole team' -> medium, 'die ganze Abteilung' -> high."""
    return _parse_level(value, _IMPACT)


def parse_urgency(value: Any) -> str | None:
    """'kann warten' -> low, 'slows me down' -> medium, 'ich kann nicht arbeiten' -> high."""
    return _parse_level(value, _URGENCY)


class ValidateTicketForm(FormValidationAction):
    """Check and normalise the answers to the ticket form."""

    def name(self) -> str:
        return "validate_ticket_form"

    async def extract_problem_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A file attached while the form runs is part of the description.

        Asked for the description, the file is the description; asked anything else, it
        is added to the description given before, and the question stands.
        """
        name = attached_file(tracker)
        if name is None:
            return {}
        line = description_line(name, language_of(tracker))
        before = tracker.get_slot("problem_description")
        kind = "screenshot" if is_screenshot(name) else "file"
        dispatcher.utter_message(response=f"utter_{kind}_with_ticket")
        return {"problem_description": f"{before}\n{line}" if before else line}

    def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # a reset, not an answer
            return {"problem_description": None}
        text = str(value).strip()
        if len(text) < 5 or is_payload(text):
            dispatcher.utter_message(response="utter_description_too_short")
            return {"problem_description": None}
        return {"problem_description": text}

    def validate_problem_since(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        return {"problem_since": None if not text or is_payload(text) else text}

    def validate_problem_impact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        impact = parse_impact(value)
        if impact is None and value is not None:
            dispatcher.utter_message(response="utter_impact_not_understood")
        return {"problem_impact": impact}

    def validate_problem_urgency(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        urgency = parse_urgency(value)
        if urgency is None and value is not None:
            dispatcher.utter_message(response="utter_urgency_not_understood")
        return {"problem_urgency": urgency}
