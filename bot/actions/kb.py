"""Answers from the knowledge base: search, suggestions, a chosen article."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.common import (
    failure_streak,
    language_of,
    latest_text,
    say_unavailable,
)
from bot.actions.handoff import hand_off
from bot.actions.labels import PERSON_BUTTON

MAX_SUGGESTIONS = 3
# Two failures in a row (non-confident answers, "didn't help") go to a person.
FAILURES_BEFORE_HANDOFF = 2


def utter_article(dispatcher: CollectingDispatcher, article: dict[str, Any]) -> list[EventType]:
    """Answer with the article's title and steps, then ask whether it helped.

    The answer carries the article as custom JSON; Rasa's REST channel sends it
    as a separate message right after the text, and the helpdesk attaches it
    to that text as "kb_article".
    """
    slug, title = article["slug"], article.get("title") or article["slug"]
    steps = (article.get("steps") or article.get("check_first") or "").strip()
    # One chat message: the REST channel splits a text at blank lines.
    steps = re.sub(r"\n\s*\n+", "\n", steps)
    url = article.get("url")
    dispatcher.utter_message(
        response="utter_kb_answer" if url else "utter_kb_answer_nolink",
        json_message={"kb_article": {"slug": slug, "title": title}},
        title=title,
        steps=steps,
        url=url,
    )
    dispatcher.utter_message(response="utter_ask_helpful")
    return [
        SlotSet("feedback_slug", slug),
        SlotSet("pending", "helpful"),
        SlotSet("kb_candidates", None),
    ]


def suggestion_buttons(hits: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    buttons = [
        {
            "title": hit.get("title") or hit["slug"],
            "payload": "/choose_article"
            + json.dumps({"article_slug": hit["slug"]}, separators=(",", ":")),
        }
        for hit in hits[:MAX_SUGGESTIONS]
    ]
    buttons.append({"title": PERSON_BUTTON[lang], "payload": "/request_human"})
    return buttons


class ActionAnswerFromKb(Action):
    """Search the knowledge base with the employee's message."""

    def name(self) -> str:
        return "action_answer_from_kb"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = language_of(tracker)
        try:
            async with clients.make_client() as api:
                answer = await api.kb_answer(
                    query=latest_text(tracker), lang=lang, conversation_id=tracker.sender_id
                )
        except clients.HelpdeskError as error:
            return say_unavailable(dispatcher, error)

        if answer.get("confident") and answer.get("article"):
            # A confident answer ends a run of misses; whether it helped is
            # the employee's call (action_feedback).
            return utter_article(dispatcher, answer["article"]) + [SlotSet("failure_streak", 0)]

        streak = failure_streak(tracker) + 1
        if streak >= FAILURES_BEFORE_HANDOFF:
            dispatcher.utter_message(response="utter_escalating")
            return await hand_off(dispatcher, tracker, reason="low_confidence")

        hits = [hit for hit in answer.get("hits") or [] if hit.get("slug")]
        cleared = [SlotSet("failure_streak", streak), SlotSet("feedback_slug", None)]
        if hits:
            dispatcher.utter_message(
                response="utter_kb_candidates", buttons=suggestion_buttons(hits, lang)
            )
            slugs = [hit["slug"] for hit in hits[:MAX_SUGGESTIONS]]
            return cleared + [SlotSet("pending", "choose"), SlotSet("kb_candidates", slugs)]
        dispatcher.utter_message(response="utter_kb_nothing")
        return cleared + [SlotSet("pending", "offer"), SlotSet("kb_candidates", None)]


# Ordinal words first: "the second one" is the second, not "one".
_ORDINALS = (
    (-1, r"\b(letzte[nrs]?|last)\b"),
    (2, r"\b(dritte[nrs]?|third)\b"),
    (1, r"\b(zweite[nrs]?|second)\b"),
    (0, r"\b(erste[nrs]?|first)\b"),
    (2, r"\b(3|drei|three)\b"),
    (1, r"\b(2|zwei|two)\b"),
    (0, r"\b(1|eins|one)\b"),
)


def slug_by_position(text: str, candidates: list[str] | None) -> str | None:
    """'der zweite' / 'the last one' -> that suggestion's slug."""
    if not candidates:
        return None
    lowered = text.lower()
    for index, pattern in _ORDINALS:
        if re.search(pattern, lowered) and index < len(candidates):
            return candidates[index]
    return None


class ActionShowArticle(Action):
    """The employee picked one of the suggested articles."""

    def name(self) -> str:
        return "action_show_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slug = next(tracker.get_latest_entity_values("article_slug"), None) or slug_by_position(
            latest_text(tracker), tracker.get_slot("kb_candidates")
        )
        if not slug:
            dispatcher.utter_message(response="utter_please_choose")
            return []
        try:
            async with clients.make_client() as api:
                article = await api.kb_article(
                    slug=slug, lang=language_of(tracker), conversation_id=tracker.sender_id
                )
        except clients.NotFound:
            dispatcher.utter_message(response="utter_article_not_found")
            return [SlotSet("pending", "offer"), SlotSet("feedback_slug", None)]
        except clients.HelpdeskError as error:
            return say_unavailable(dispatcher, error)
        return utter_article(dispatcher, article)
