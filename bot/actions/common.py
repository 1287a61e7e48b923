"""Helpers every action uses: the employee's language, their text, errors."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.clients import HelpdeskError

logger = logging.getLogger(__name__)

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"


def normalise_locale(value: Any) -> str | None:
    """'de', 'de-DE', 'en_GB' ... -> 'de' / 'en'; anything else -> None."""
    if not isinstance(value, str):
        return None
    lang = value.strip().lower().replace("_", "-").split("-")[0]
    return lang if lang in LANGUAGES else None


def metadata_locale(tracker: Tracker) -> str | None:
    """The locale the helpdesk sent with the latest message, if any."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return normalise_locale(metadata.get("locale")) if isinstance(metadata, dict) else None


def language_of(tracker: Tracker) -> str:
    """The language to answer in: the helpdesk's locale for this message.

    The helpdesk decides the chat's language (one rule for the whole system)
    and sends it with every message; the `language` slot, which the responses
    are conditioned on, follows it (action_detect_language). The slot covers
    a message without metadata.
    """
    return (
        metadata_locale(tracker)
        or normalise_locale(tracker.get_slot("language"))
        or DEFAULT_LANGUAGE
    )


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def is_payload(text: str) -> bool:
    """Button payloads such as '/open_ticket' are not the employee's words."""
    return text.startswith("/")


def failure_streak(tracker: Tracker) -> int:
    try:
        return int(float(tracker.get_slot("failure_streak") or 0))
    except (TypeError, ValueError):
        return 0


def say_unavailable(dispatcher: CollectingDispatcher, error: HelpdeskError) -> list:
    """Tell the employee plainly that the helpdesk is unreachable (with the phone)."""
    logger.warning("helpdesk call failed: %s", error)
    dispatcher.utter_message(response="utter_service_unavailable")
    return []
