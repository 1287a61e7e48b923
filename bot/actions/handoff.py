"""Handing the conversation to a person (the helpdesk queues it or keeps a ticket)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.common import latest_text, logger, say_unavailable
from bot.actions.person import wants_a_person

# After a handoff the helpdesk stops relaying messages to the bot; when an
# agent hands the chat back the dialogue starts clean (action_welcome_back).
RESET_AFTER_HANDOFF: list[EventType] = [
    SlotSet("failure_streak", 0),
    SlotSet("pending", None),
    SlotSet("feedback_slug", None),
    SlotSet("kb_candidates", None),
]


def _tell_outcome(dispatcher: CollectingDispatcher, answer: dict[str, Any]) -> None:
    outcome = answer.get("outcome")
    position = answer.get("queue_position")
    wait = answer.get("estimated_wait_minutes")
    ticket = answer.get("ticket_number")
    if outcome == "queued" and position and wait is not None:
        dispatcher.utter_message(
            response="utter_handoff_queued", queue_position=position, estimated_wait=wait
        )
    elif outcome == "queued" and position:
        dispatcher.utter_message(response="utter_handoff_queued_nowait", queue_position=position)
    elif outcome == "queued":
        dispatcher.utter_message(response="utter_handoff_queued_plain")
    elif outcome == "already_queued":
        dispatcher.utter_message(response="utter_handoff_already_queued")
    elif outcome in ("no_agents", "out_of_hours") and ticket:
        dispatcher.utter_message(response=f"utter_handoff_{outcome}", ticket_number=ticket)
    else:
        if outcome not in ("no_agents", "out_of_hours"):
            logger.warning("unknown handoff outcome %r", outcome)
        dispatcher.utter_message(response="utter_handoff_unavailable")


async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str
) -> list[EventType]:
    """Ask the helpdesk for a person and tell the employee what happens next.

    reason: "requested", "low_confidence" or "negative_feedback".
    """
    try:
        async with clients.make_client() as api:
            answer = await api.handoff(conversation_id=tracker.sender_id, reason=reason)
    except clients.HelpdeskError as error:
        # The open question (if any) is answered by the phone number now.
        return say_unavailable(dispatcher, error) + [SlotSet("pending", None)]
    _tell_outcome(dispatcher, answer)
    return list(RESET_AFTER_HANDOFF)


class ActionHandoff(Action):
    """The employee asked for a person (or the NLU thinks so: then the knowledge base decides)."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not wants_a_person(latest_text(tracker)):
            # Imported here: kb imports hand_off from this module.
            from bot.actions.kb import ActionAnswerFromKb

            return await ActionAnswerFromKb().run(dispatcher, tracker, domain)
        return await hand_off(dispatcher, tracker, reason="requested")
