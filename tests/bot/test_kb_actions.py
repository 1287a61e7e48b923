"""Answering from the knowledge base, suggestions, chosen articles, feedback."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fakes import CONVERSATION, article, responses, run, slot_events, tracker

from bot.actions.feedback import ActionDeclineOffer, ActionFeedback
from bot.actions.kb import ActionAnswerFromKb, ActionShowArticle

ANSWER = "/api/internal/kb/answer"
FEEDBACK = f"/api/internal/conversations/{CONVERSATION}/feedback"
HANDOFF = f"/api/internal/conversations/{CONVERSATION}/handoff"
HITS = [
    {"slug": "vpn-connect", "title": "Connect the VPN", "lang": "en", "score": 0.56},
    {"slug": "vpn-disconnects", "title": "VPN drops", "lang": "en", "score": 0.52},
    {"slug": "wifi-office", "title": "Office Wi-Fi", "lang": "en", "score": 0.48},
]


def test_confident_answer_carries_the_article(helpdesk) -> None:
    helpdesk.on(
        "GET",
        ANSWER,
        body={"confident": True, "lang": "en", "hits": HITS[:1], "article": article(lang="en")},
    )
    messages, events = run(
        ActionAnswerFromKb(),
        tracker("my vpn won't connect", "it_problem", metadata={"locale": "en"}),
    )
    params = helpdesk.last().url.params
    assert (params["q"], params["lang"], params["conversation_id"]) == (
        "my vpn won't connect",
        "en",
        CONVERSATION,
    )
    assert responses(messages) == ["utter_kb_answer", "utter_ask_helpful"]
    answer = messages[0]
    assert answer["custom"] == {"kb_article": {"slug": "vpn-connect", "title": "Connect the VPN"}}
    assert answer["steps"] == "1. GlobalProtect öffnen\n2. Verbinden"
    assert answer["url"] == "https://it.brandt.example/kb/vpn-connect"
    slots = slot_events(events)
    assert slots["pending"] == "helpful"
    assert slots["feedback_slug"] == "vpn-connect"
    assert slots["failure_streak"] == 0


@pytest.mark.parametrize(("intent", "off_topic"), [("out_of_scope", "true"), ("it_question", None)])
def test_the_nlu_reading_off_topic_goes_with_the_search(
    helpdesk, intent: str, off_topic: str | None
) -> None:
    """The helpdesk then answers only by meaning, not on a word shared with an article."""
    helpdesk.on("GET", ANSWER, body={"confident": False, "lang": "de", "hits": [], "article": None})
    run(ActionAnswerFromKb(), tracker("wie viel urlaub habe ich noch", intent))
    assert helpdesk.last().url.params.get("off_topic") == off_topic


def test_the_helpdesks_locale_wins_over_the_slot(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, body={"confident": False, "lang": "en", "hits": [], "article": None})
    run(
        ActionAnswerFromKb(),
        tracker("vpn geht nicht", slots={"language": "de"}, metadata={"locale": "en"}),
    )
    assert helpdesk.last().url.params["lang"] == "en"


def test_without_metadata_the_language_slot_counts(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, body={"confident": False, "lang": "en", "hits": [], "article": None})
    run(ActionAnswerFromKb(), tracker("vpn is broken", slots={"language": "en"}))
    assert helpdesk.last().url.params["lang"] == "en"


def test_not_confident_offers_up_to_three_suggestions_and_a_person(helpdesk) -> None:
    hits = HITS + [{"slug": "extra", "title": "Extra", "lang": "en", "score": 0.2}]
    helpdesk.on(
        "GET", ANSWER, body={"confident": False, "lang": "en", "hits": hits, "article": None}
    )
    messages, events = run(ActionAnswerFromKb(), tracker("vpn", slots={"language": "en"}))
    assert responses(messages) == ["utter_kb_candidates"]
    buttons = messages[0]["buttons"]
    assert [b["payload"] for b in buttons[:3]] == [
        '/choose_article{"article_slug":"vpn-connect"}',
        '/choose_article{"article_slug":"vpn-disconnects"}',
        '/choose_article{"article_slug":"wifi-office"}',
    ]
    assert buttons[0]["title"] == "Connect the VPN"
    assert buttons[-1] == {"title": "Talk to a person", "payload": "/request_human"}
    assert len(buttons) == 4
    slots = slot_events(events)
    assert slots["pending"] == "choose"
    assert slots["kb_candidates"] == ["vpn-connect", "vpn-disconnects", "wifi-office"]
    assert slots["failure_streak"] == 0


def test_nothing_found_is_off_topic_with_no_open_question(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, body={"confident": False, "lang": "de", "hits": [], "article": None})
    messages, events = run(
        ActionAnswerFromKb(),
        tracker("wie bestelle ich pizza ins büro", slots={"failure_streak": 1}),
    )
    assert responses(messages) == ["utter_out_of_scope"]
    assert slot_events(events) == {"pending": None, "feedback_slug": None, "kb_candidates": None}
    assert "custom" not in messages[0] or not messages[0]["custom"]


def test_unrelated_candidates_are_not_shown(helpdesk) -> None:
    far = [dict(hit, score=hit["score"] - 0.3) for hit in HITS]  # best 0.26
    helpdesk.on(
        "GET", ANSWER, body={"confident": False, "lang": "de", "hits": far, "article": None}
    )
    messages, events = run(ActionAnswerFromKb(), tracker("Wann ist die Weihnachtsfeier?"))
    assert responses(messages) == ["utter_out_of_scope"]
    assert helpdesk.paths() == [f"GET {ANSWER}"]  # no ticket, no handoff
    assert "failure_streak" not in slot_events(events)


def test_the_helpdesks_related_verdict_counts_when_given(helpdesk) -> None:
    body = {"confident": False, "lang": "de", "hits": HITS, "article": None, "related": False}
    helpdesk.on("GET", ANSWER, body=body)
    messages, _ = run(ActionAnswerFromKb(), tracker("wann ist die betriebsversammlung"))
    assert responses(messages) == ["utter_out_of_scope"]


def test_off_topic_in_a_chat_with_a_ticket_says_where_the_ticket_stands(helpdesk) -> None:
    follow_up = "Falls Sie Ihr Ticket meinen: INC-000007 „Monitor schwarz“ – Gelöst."
    body = {"confident": False, "lang": "de", "hits": HITS, "article": None, "related": False}
    helpdesk.on("GET", ANSWER, body=body | {"follow_up": follow_up})
    messages, events = run(ActionAnswerFromKb(), tracker("Wie lange dauert das ungefähr?"))
    assert [m.get("text") for m in messages] == [follow_up]  # instead of "only IT"
    assert slot_events(events) == {"pending": None, "feedback_slug": None, "kb_candidates": None}


def test_off_topic_in_the_nlu_is_answered_when_the_knowledge_base_knows_it(helpdesk) -> None:
    helpdesk.on(
        "GET",
        ANSWER,
        body={"confident": True, "lang": "en", "hits": HITS[:1], "article": article(lang="en")},
    )
    text = "I'm on holiday next week, how do I set my out of office?"
    messages, _ = run(
        ActionAnswerFromKb(), tracker(text, "out_of_scope", metadata={"locale": "en"})
    )
    assert responses(messages) == ["utter_kb_answer", "utter_ask_helpful"]


def test_unconfident_search_always_shows_its_candidates_first(helpdesk) -> None:
    helpdesk.on(
        "GET", ANSWER, body={"confident": False, "lang": "de", "hits": HITS, "article": None}
    )
    messages, events = run(
        ActionAnswerFromKb(), tracker("vpn komisch", slots={"failure_streak": 1})
    )
    assert helpdesk.paths() == [f"GET {ANSWER}"]
    assert responses(messages) == ["utter_kb_candidates"]
    assert slot_events(events)["failure_streak"] == 0


def test_words_about_a_file_offer_a_ticket_with_it_or_a_person(helpdesk) -> None:
    """"Hier die Fehlermeldung" with a screenshot, about the problem in hand: no articles for
    the words alone; the failures counted so far stand."""
    body = {"confident": False, "lang": "de", "hits": HITS, "article": None, "related": True}
    helpdesk.on("GET", ANSWER, body=body | {"about_file": True})
    messages, events = run(
        ActionAnswerFromKb(), tracker("Hier die Fehlermeldung", slots={"failure_streak": 1})
    )
    assert responses(messages) == ["utter_offer_with_the_file"]
    assert slot_events(events) == {"pending": "offer", "feedback_slug": None, "kb_candidates": None}


def test_a_person_named_in_a_problem_message_gets_a_person(helpdesk) -> None:
    helpdesk.on("POST", HANDOFF, body={"state": "queued", "outcome": "already_queued"})
    text = "Drucker geht nicht, kann mich jemand anrufen?"
    messages, _ = run(ActionAnswerFromKb(), tracker(text, "it_problem"))
    assert helpdesk.paths() == [f"POST {HANDOFF}"]
    assert helpdesk.last_json() == {"reason": "requested"}
    assert responses(messages) == ["utter_handoff_already_queued"]


def test_confident_answer_ends_a_run_of_misses(helpdesk) -> None:
    helpdesk.on(
        "GET",
        ANSWER,
        body={"confident": True, "lang": "de", "hits": HITS[:1], "article": article()},
    )
    _, events = run(ActionAnswerFromKb(), tracker("vpn geht nicht", slots={"failure_streak": 1}))
    assert slot_events(events)["failure_streak"] == 0


def test_service_down_says_so_politely(helpdesk) -> None:
    helpdesk.down()
    messages, events = run(ActionAnswerFromKb(), tracker("drucker druckt nicht"))
    assert responses(messages) == ["utter_service_unavailable"]
    assert events == []


def test_service_error_500_says_so_politely(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, status=500, body={"detail": "internal error"})
    messages, _ = run(ActionAnswerFromKb(), tracker("drucker druckt nicht"))
    assert responses(messages) == ["utter_service_unavailable"]


def test_chosen_article_by_button(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/kb/articles/wifi-office", body=article("wifi-office", "en"))
    entity = {"entity": "article_slug", "value": "wifi-office"}
    messages, events = run(
        ActionShowArticle(),
        tracker(
            '/choose_article{"article_slug":"wifi-office"}',
            "choose_article",
            [entity],
            slots={"language": "en"},
        ),
    )
    assert helpdesk.last().url.params["lang"] == "en"
    assert responses(messages) == ["utter_kb_answer", "utter_ask_helpful"]
    assert messages[0]["custom"]["kb_article"]["slug"] == "wifi-office"
    assert slot_events(events)["pending"] == "helpful"


def test_chosen_article_by_position(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/kb/articles/vpn-disconnects", body=article("vpn-disconnects"))
    slots = {"kb_candidates": ["vpn-connect", "vpn-disconnects", "wifi-office"]}
    run(ActionShowArticle(), tracker("the second one", "choose_article", slots=slots))
    assert helpdesk.last().url.path.endswith("/vpn-disconnects")


def test_a_choice_without_candidates_is_searched(helpdesk) -> None:
    helpdesk.on("GET", ANSWER, body={"confident": False, "lang": "en", "hits": [], "article": None})
    messages, _ = run(
        ActionShowArticle(), tracker("the first time I opened it, it froze", "choose_article")
    )
    assert helpdesk.paths() == [f"GET {ANSWER}"]
    assert responses(messages) == ["utter_out_of_scope"]


def test_a_choice_among_candidates_without_a_position_asks_again(helpdesk) -> None:
    slots = {"kb_candidates": ["vpn-connect", "vpn-disconnects"]}
    messages, _ = run(ActionShowArticle(), tracker("dieser da", "choose_article", slots=slots))
    assert responses(messages) == ["utter_please_choose"] and helpdesk.requests == []


def test_chosen_article_gone(helpdesk) -> None:
    helpdesk.on("GET", "/api/internal/kb/articles/old", status=404, body={"detail": "unknown"})
    entity = {"entity": "article_slug", "value": "old"}
    messages, events = run(ActionShowArticle(), tracker("/choose_article", entities=[entity]))
    assert responses(messages) == ["utter_article_not_found"]
    assert slot_events(events)["pending"] == "offer"


@pytest.mark.parametrize(("text", "intent"), [("ja", "affirm"), ("thanks!", "thank")])
def test_positive_feedback(helpdesk, text: str, intent: str) -> None:
    # A thank-you reaches the action only as the reply to "did that help?" (rules/kb.yml).
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 0})
    messages, events = run(
        ActionFeedback(),
        tracker(text, intent, slots={"feedback_slug": "vpn-connect", "failure_streak": 1}),
    )
    assert helpdesk.last_json() == {"helpful": True, "slug": "vpn-connect"}
    assert responses(messages) == ["utter_feedback_thanks"]
    assert slot_events(events) == {"failure_streak": 0, "pending": None, "feedback_slug": None}


def test_praise_when_nothing_was_asked_is_searched(helpdesk) -> None:
    """After a solved topic nothing waits for a verdict: "datei gelöscht zurückholen", which
    the NLU read as praise, is a question; no verdict is recorded."""
    helpdesk.on(
        "GET",
        ANSWER,
        body={"confident": True, "lang": "de", "hits": [], "article": article("file-restore")},
    )
    messages, events = run(
        ActionFeedback(), tracker("datei gelöscht zurückholen", "feedback_positive")
    )
    assert [r.url.path for r in helpdesk.requests] == [ANSWER]
    assert helpdesk.last().url.params["q"] == "datei gelöscht zurückholen"
    assert slot_events(events)["pending"] == "helpful"
    assert slot_events(events)["feedback_slug"] == "file-restore"


def test_thanks_when_nothing_was_asked_is_still_a_verdict(helpdesk) -> None:
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 0})
    messages, _ = run(ActionFeedback(), tracker("hat geklappt, danke", "feedback_positive"))
    assert helpdesk.last_json() == {"helpful": True, "slug": None}
    assert responses(messages) == ["utter_feedback_thanks"]


def test_first_negative_feedback_offers_ticket_or_person(helpdesk) -> None:
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 1})
    messages, events = run(
        ActionFeedback(),
        tracker("hat nicht geholfen", "feedback_negative", slots={"feedback_slug": "vpn-connect"}),
    )
    assert helpdesk.last_json() == {"helpful": False, "slug": "vpn-connect"}
    assert responses(messages) == ["utter_offer_ticket_or_person"]
    assert slot_events(events)["pending"] == "offer"
    assert slot_events(events)["failure_streak"] == 1


def test_the_topics_count_decides_even_after_a_rephrased_question(helpdesk) -> None:
    # The helpdesk counts rejections per topic: the rephrased question's search restarted the
    # bot's own streak, but this is the second rejection for the same problem.
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 2})
    helpdesk.on(
        "POST",
        HANDOFF,
        body={
            "state": "queued",
            "outcome": "queued",
            "ticket_number": "INC-000007",
            "queue_position": 1,
            "agents_online": 1,
            "estimated_wait_minutes": 2,
        },
    )
    messages, _ = run(
        ActionFeedback(), tracker("nein", "deny", slots={"feedback_slug": "x", "failure_streak": 0})
    )
    assert json.loads(helpdesk.requests[-1].content) == {"reason": "negative_feedback"}
    assert responses(messages)[0] == "utter_escalating"


def test_a_first_rejection_of_a_new_topic_offers_a_ticket_or_a_person(helpdesk) -> None:
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 1})
    messages, _ = run(
        ActionFeedback(), tracker("nein", "deny", slots={"feedback_slug": "x", "failure_streak": 1})
    )
    assert responses(messages) == ["utter_offer_ticket_or_person"]


def test_second_rejection_hands_off(helpdesk) -> None:
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 2})
    helpdesk.on(
        "POST",
        HANDOFF,
        body={
            "state": "bot",
            "outcome": "no_agents",
            "ticket_number": "INC-000099",
            "queue_position": None,
            "agents_online": 0,
            "estimated_wait_minutes": None,
        },
    )
    messages, _ = run(
        ActionFeedback(), tracker("nein", "deny", slots={"feedback_slug": "x", "failure_streak": 1})
    )
    assert json.loads(helpdesk.requests[-1].content) == {"reason": "negative_feedback"}
    assert responses(messages) == ["utter_escalating", "utter_handoff_no_agents"]
    assert messages[1]["ticket_number"] == "INC-000099"


@pytest.mark.parametrize(
    "text",
    [
        "Das hat nicht geholfen. Ich möchte mit einem Menschen sprechen",
        "didn't help, talk to a human please",
        "geht immer noch nicht, kann mich jemand anrufen?",
    ],
)
def test_didnt_help_with_a_person_named_hands_off_at_once(helpdesk, text: str) -> None:
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 1})
    helpdesk.on("POST", HANDOFF, body={"state": "queued", "outcome": "already_queued"})
    messages, events = run(ActionFeedback(), tracker(text, "feedback_negative"))
    assert helpdesk.paths() == [f"POST {FEEDBACK}", f"POST {HANDOFF}"]
    assert helpdesk.last_json() == {"reason": "requested"}
    assert responses(messages) == ["utter_handoff_already_queued"]
    assert slot_events(events)["pending"] is None


def test_a_new_problems_first_rejection_does_not_hand_off(helpdesk) -> None:
    # The bot's slot still counts an earlier problem; the helpdesk's topic count is 1.
    helpdesk.on("POST", FEEDBACK, body={"consecutive_failures": 1})
    messages, _ = run(ActionFeedback(), tracker("no", "deny", slots={"failure_streak": 1}))
    assert responses(messages) == ["utter_offer_ticket_or_person"]


def test_feedback_endpoint_down_still_offers_help(helpdesk) -> None:
    helpdesk.fail("POST", FEEDBACK, httpx.ConnectError("refused"))
    messages, _ = run(ActionFeedback(), tracker("didn't help", "feedback_negative"))
    assert responses(messages) == ["utter_offer_ticket_or_person"]


def test_declining_the_offer_clears_the_question() -> None:
    messages, events = run(
        ActionDeclineOffer(), tracker("nein", "deny", slots={"pending": "offer"})
    )
    assert responses(messages) == ["utter_anything_else"]
    assert slot_events(events) == {"pending": None}


def test_no_ticket_but_a_person_named_hands_off(helpdesk) -> None:
    helpdesk.on("POST", HANDOFF, body={"outcome": "queued", "queue_position": 2})
    text = "Nein, kein Ticket – ich möchte mit jemandem sprechen"
    messages, events = run(ActionDeclineOffer(), tracker(text, "deny", slots={"pending": "offer"}))
    assert helpdesk.last_json()["reason"] == "requested"
    assert responses(messages) == ["utter_handoff_queued_nowait"]
    assert slot_events(events)["pending"] is None


def test_the_floor_is_the_search_librarys() -> None:
    # The bot keeps a copy for a helpdesk that does not send "related" yet.
    from bot.actions.kb import RELATED_FLOOR

    query = (Path(__file__).resolve().parents[2] / "kb_index" / "query.py").read_text()
    assert f"floor: float = {RELATED_FLOOR}" in query
