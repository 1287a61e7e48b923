"""The helpdesk channel: Rasa's REST webhook plus what the bot understood, from one tracker."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import HelpdeskInput, answering_action, turn_summary, understood

ROOT = Path(__file__).resolve().parents[2]


def _turn(*after_message: object) -> DialogueStateTracker:
    parse = {
        "intent": {"name": "it_problem", "confidence": 0.87},
        "entities": [{"entity": "ticket_number", "value": "INC-000042", "start": 0}],
        "text": "VPN drops",
    }
    events = [
        ActionExecuted("action_session_start"),
        ActionExecuted("action_listen"),
        UserUttered("hi", {"name": "greet", "confidence": 0.99}),
        ActionExecuted("utter_greet"),
        ActionExecuted("action_listen"),
        UserUttered("VPN drops", parse["intent"], parse["entities"], parse),
        *after_message,
    ]
    return DialogueStateTracker.from_events("c1", events)


def test_what_was_understood_is_the_latest_messages_reading() -> None:
    assert understood(_turn()) == {
        "intent": "it_problem",
        "confidence": 0.87,
        "entities": [{"entity": "ticket_number", "value": "INC-000042"}],
    }


def test_the_answering_action_is_the_last_one_of_the_turn_before_listening() -> None:
    tracker = _turn(
        ActionExecuted("action_answer_from_kb"),
        BotUttered("Try this"),
        SlotSet("pending", "feedback"),
        ActionExecuted("utter_ask_helped"),
        ActionExecuted("action_listen"),
    )
    assert answering_action(tracker) == "utter_ask_helped"


def test_a_turn_with_no_action_has_no_answering_action() -> None:
    """An earlier turn's action is not this message's answer."""
    assert answering_action(_turn(ActionExecuted("action_listen"))) is None


def test_the_form_is_the_one_still_asking_after_the_turn() -> None:
    asking = _turn(ActionExecuted("ticket_form"), ActiveLoop("ticket_form"))
    assert turn_summary(asking)["form"] == "ticket_form"
    done = _turn(
        ActionExecuted("ticket_form"),
        ActiveLoop("ticket_form"),
        ActionExecuted("ticket_form"),
        ActiveLoop(None),
        ActionExecuted("action_listen"),
    )
    summary = turn_summary(done)
    assert summary["form"] is None
    assert summary["action"] == "ticket_form"
    assert summary["understood"]["intent"] == "it_problem"


def test_the_channel_is_configured_next_to_the_rest_channel() -> None:
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert set(credentials) == {"rest", "bot.channels.HelpdeskInput"}
    assert HelpdeskInput.name() == "helpdesk"
