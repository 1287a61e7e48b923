"""Small talk, yes and no: its reply when it is one, the knowledge base when it carries more."""

from __future__ import annotations

import pytest
from fakes import CONVERSATION, responses, run, slot_events, tracker

from bot.actions.small_talk import ActionSmallTalk, is_small_talk

ANSWER = "/api/internal/kb/answer"
HANDOFF = f"/api/internal/conversations/{CONVERSATION}/handoff"
NOTHING_CLOSE = {"confident": False, "lang": "en", "hits": [], "article": None}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Hallo zusammen", "greet"),
        ("guten Morgen, ich hab da mal eine Frage", "greet"),
        ("hi, i need some help", "greet"),
        ("danke dir", "thank"),
        ("vielen Dank für die schnelle Hilfe, das war super", "thank"),
        ("tschüss", "goodbye"),
        ("ok, I have to go now, have a nice day", "goodbye"),
        ("bist du ein bot?", "bot_challenge"),
        ("wer bist du?", "bot_challenge"),
        ("is there a human on the other end?", "bot_challenge"),
        ("ja", "affirm"),
        ("yes please, go ahead and do that", "affirm"),
        ("nein danke", "deny"),
        ("no, I don't need anything else right now", "deny"),
        ("abbrechen", "cancel"),
        ("/affirm", "affirm"),
        ("hat geholfen, danke", "feedback_positive"),
        ("hat geklappt", "feedback_positive"),
        ("that helped", "feedback_positive"),
    ],
)
def test_small_talk_keeps_its_reply(text: str, intent: str) -> None:
    assert is_small_talk(text, intent)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Hallo, mein Drucker druckt seit heute nicht mehr", "greet"),
        ("hey, what's the weather like in Paris tomorrow", "greet"),
        ("is flu contagious", "affirm"),
        ("wie hoch ist die Zugspitze?", "affirm"),
        ("am kind of busy now, remind me later about the dentist", "deny"),
        ("no idea what to cook tonight, any dinner ideas?", "deny"),
        ("danke, wie lange dauert das noch?", "thank"),
        ("what are black holes", "bot_challenge"),
        ("can you tell me how to compute the price per ounce", "bot_challenge"),
        ("still not working after the update", "feedback_negative"),
        ("the new laptop works great", "feedback_positive"),
        ("datei gelöscht zurückholen", "feedback_positive"),
        ("outlook signatur", "feedback_positive"),
    ],
)
def test_a_message_with_more_to_it_is_searched(text: str, intent: str) -> None:
    assert not is_small_talk(text, intent)


def test_small_talk_gets_its_reply_without_a_search(helpdesk) -> None:
    messages, events = run(ActionSmallTalk(), tracker("Hallo zusammen", "greet"))
    assert responses(messages) == ["utter_greet"]
    assert events == [] and helpdesk.requests == []


def test_a_first_message_read_as_yes_with_nothing_close_is_refused_as_off_topic(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, body=NOTHING_CLOSE)
    messages, events = run(
        ActionSmallTalk(),
        tracker("is the flu contagious", "affirm", metadata={"locale": "en"}),
    )
    assert helpdesk.last().url.params["q"] == "is the flu contagious"
    assert responses(messages) == ["utter_out_of_scope"]
    assert slot_events(events)["pending"] is None


def test_a_greeting_with_a_problem_in_it_gets_the_search(helpdesk) -> None:
    hits = [{"slug": "printer-not-printing", "title": "Drucker", "lang": "de", "score": 0.58}]
    helpdesk.on("GET", ANSWER, body={"confident": False, "lang": "de", "hits": hits})
    messages, events = run(
        ActionSmallTalk(), tracker("Hallo, mein Drucker druckt seit heute nicht mehr", "greet")
    )
    assert responses(messages) == ["utter_kb_candidates"]
    assert slot_events(events)["pending"] == "choose"


def test_first_message_feedback_is_searched(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, body=NOTHING_CLOSE)
    messages, _ = run(ActionSmallTalk(), tracker("still not working", "feedback_negative"))
    assert helpdesk.paths() == [f"GET {ANSWER}"]
    assert responses(messages) == ["utter_out_of_scope"]


def test_a_person_named_in_small_talk_is_a_handoff(helpdesk) -> None:
    helpdesk.on("POST", HANDOFF, body={"outcome": "queued", "queue_position": 1})
    messages, _ = run(ActionSmallTalk(), tracker("Hallo, kann mich bitte jemand anrufen?", "greet"))
    assert helpdesk.last_json()["reason"] == "requested"
    assert responses(messages) == ["utter_handoff_queued_nowait"]


def test_asking_whether_the_bot_is_a_real_person_is_answered(helpdesk) -> None:
    messages, _ = run(ActionSmallTalk(), tracker("are you a real person?", "bot_challenge"))
    assert responses(messages) == ["utter_iamabot"] and helpdesk.requests == []


def test_not_wanting_a_bot_is_a_handoff(helpdesk) -> None:
    helpdesk.on("POST", HANDOFF, body={"outcome": "queued", "queue_position": 1})
    text = "gibt es bei euch auch echte Menschen? ich will nicht mit einem Bot schreiben"
    run(ActionSmallTalk(), tracker(text, "bot_challenge"))
    assert helpdesk.last_json()["reason"] == "requested"
