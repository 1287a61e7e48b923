"""Files the employee attaches while the bot has the chat.

The helpdesk keeps the file and tells the bot with its own intent payload
`/attachment_added{"attachment_name": "fehler.png"}` (employees cannot send it:
typed text starting with "/" reaches Rasa as text, and buttons must have been
offered), and only while the ticket form is active: there the file counts as part
of the description (`ValidateTicketForm.extract_problem_description`). Should the
form have ended meanwhile, the bot says nothing and the helpdesk tells the
employee where the file went.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import latest_intent

INTENT = "attachment_added"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
FILE_WORD = {"de": "Datei", "en": "File"}


def attached_file(tracker: Tracker) -> str | None:
    """The name of the file the helpdesk just told of, if the latest message is that."""
    if latest_intent(tracker) != INTENT:
        return None
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "attachment_name" and str(entity.get("value") or "").strip():
            return str(entity["value"]).strip()
    return "?"  # a file without a name is still a file


def is_screenshot(name: str) -> bool:
    return name.lower().endswith(IMAGE_EXTENSIONS)


def description_line(name: str, language: str) -> str:
    """'Screenshot: fehler.png' or 'Datei: vpn.txt', as it goes into the ticket's description."""
    word = "Screenshot" if is_screenshot(name) else FILE_WORD.get(language, FILE_WORD["de"])
    return f"{word}: {name}"


class ActionAttachmentAdded(Action):
    """A file after the form ended: nothing to add (the helpdesk says where the file went)."""

    def name(self) -> str:
        return "action_attachment_added"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return []
