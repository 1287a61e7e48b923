"""Session start, the language slot, and the welcome back after a hand-back.

The language is the helpdesk's: it sends the chat's locale with every message
(and decides when a message written in the other language switches it); the
bot does not guess a language of its own.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import metadata_locale, normalise_locale

# The state of one dialogue; everything else (the employee's language) is
# carried over into a new session.
DIALOGUE_STATE_SLOTS = frozenset(
    {
        "requested_slot",
        "pending",
        "failure_streak",
        "feedback_slug",
        "kb_candidates",
        "problem_description",
        "problem_since",
        "problem_impact",
        "problem_urgency",
        "ticket_summary",
        "ticket_category",
    }
)


def _session_locale(tracker: Tracker) -> str | None:
    metadata = tracker.get_slot("session_started_metadata") or {}
    if isinstance(metadata, dict) and metadata.get("locale"):
        return normalise_locale(metadata["locale"])
    return metadata_locale(tracker)


class ActionSessionStart(Action):
    """Start a session in the helpdesk's locale, keeping the employee's slots."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        events.extend(
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if value is not None and name not in DIALOGUE_STATE_SLOTS
        )
        locale = _session_locale(tracker)
        if locale:
            events.append(SlotSet("language", locale))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionDetectLanguage(Action):
    """Custom slot mapping of `language`, run after every user message: the helpdesk's locale."""

    def name(self) -> str:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        locale = metadata_locale(tracker)
        if locale and locale != tracker.get_slot("language"):
            return [SlotSet("language", locale)]
        return []


class ActionWelcomeBack(Action):
    """An agent handed the chat back: greet again with a clean slate."""

    def name(self) -> str:
        return "action_welcome_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_welcome_back")
        return [
            SlotSet("failure_streak", 0),
            SlotSet("pending", None),
            SlotSet("feedback_slug", None),
            SlotSet("kb_candidates", None),
        ]
