"""The employee's verdict on an answer: helped, or not (twice, or a person named -> a person)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.common import failure_streak, latest_intent, latest_text, logger
from bot.actions.handoff import hand_off
from bot.actions.kb import FAILURES_BEFORE_HANDOFF, ActionAnswerFromKb
from bot.actions.person import names_a_person
from bot.actions.small_talk import is_small_talk

# "thank" reaches this action only as the reply to "did that help?" (rules/kb.yml).
POSITIVE_INTENTS = ("feedback_positive", "affirm", "thank")


class ActionFeedback(Action):
    """Record "helped" / "didn't help"; offer a ticket or a person, or hand off."""

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        if (
            intent == "feedback_positive"
            and tracker.get_slot("pending") is None
            and not is_small_talk(latest_text(tracker), intent)
        ):
            # Praise when nothing was asked, without a word of thanks or success: a question
            # the NLU misread ("datei gelöscht zurückholen" after a solved topic), searched.
            return await ActionAnswerFromKb().run(dispatcher, tracker, domain)
        helpful = intent in POSITIVE_INTENTS
        topic_failures = None
        try:
            async with clients.make_client() as api:
                answer = await api.feedback(
                    conversation_id=tracker.sender_id,
                    helpful=helpful,
                    slug=tracker.get_slot("feedback_slug"),
                )
            topic_failures = int(answer["consecutive_failures"])
        except (clients.HelpdeskError, KeyError, TypeError, ValueError) as error:
            # The verdict is worth keeping but not worth failing the answer.
            logger.warning("feedback not recorded: %s", error)

        if helpful:
            dispatcher.utter_message(response="utter_feedback_thanks")
            return [
                SlotSet("failure_streak", 0),
                SlotSet("pending", None),
                SlotSet("feedback_slug", None),
            ]

        if names_a_person(latest_text(tracker)):
            # "Das hat nicht geholfen, ich möchte mit einem Menschen sprechen"
            return await hand_off(dispatcher, tracker, reason="requested")
        # The helpdesk counts the rejections per topic (a rephrased question is the same
        # topic, a new problem starts afresh); without it, the bot's own count for this one.
        streak = topic_failures if topic_failures is not None else failure_streak(tracker) + 1
        if streak >= FAILURES_BEFORE_HANDOFF:
            dispatcher.utter_message(response="utter_escalating")
            return await hand_off(dispatcher, tracker, reason="negative_feedback")
        dispatcher.utter_message(response="utter_offer_ticket_or_person")
        return [
            SlotSet("failure_streak", streak),
            SlotSet("pending", "offer"),
            SlotSet("feedback_slug", None),
        ]


class ActionDeclineOffer(Action):
    """No ticket and no person, thanks: leave it open (unless a person is named after all)."""

    def name(self) -> str:
        return "action_decline_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if names_a_person(latest_text(tracker)):
            # "Nein, kein Ticket – ich möchte mit jemandem sprechen"
            return await hand_off(dispatcher, tracker, reason="requested")
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("pending", None)]
