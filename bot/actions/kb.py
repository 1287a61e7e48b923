"""Answers from the knowledge base: search, suggestions, a chosen article."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import clients
from bot.actions.common import language_of, latest_intent, latest_text, say_unavailable
from bot.actions.handoff import hand_off
from bot.actions.labels import PERSON_BUTTON
from bot.actions.person import names_a_person

MAX_SUGGESTIONS = 3
# Two rejections in a row of what the bot offered for one question ("didn't
# help", "none of these") go to a person. An unconfident search is no failure:
# the employee has not seen the candidates yet.
FAILURES_BEFORE_HANDOFF = 2
# Below this best score even the candidates are unrelated, and the message is
# answered as off-topic. kb_index.query.RelatedRule holds the same floor and
# docs/search.md says how it was calibrated; the helpdesk's answer carries
# "related" when it decides itself, and then that counts.
RELATED_FLOOR = 0.51


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


def is_related(answer: dict[str, Any]) -> bool:
    """Whether the search found something plausibly related to the message."""
    if "related" in answer:
        return bool(answer["related"])
    hits = answer.get("hits") or []
    try:
        return bool(hits) and float(hits[0].get("score") or 0) >= RELATED_FLOOR
    except (TypeError, ValueError):
        return False


def utter_off_topic(dispatcher: CollectingDispatcher, said: bool = False) -> list[EventType]:
    """Say what the assistant is for (unless said already); no open question, no failure."""
    if not said:
        dispatcher.utter_message(response="utter_out_of_scope")
    return [
        SlotSet("pending", None),
        SlotSet("feedback_slug", None),
        SlotSet("kb_candidates", None),
    ]


class ActionAnswerFromKb(Action):
    """Search the knowledge base with the employee's message (off-topic ones too)."""

    def name(self) -> str:
        return "action_answer_from_kb"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, lang = latest_text(tracker), language_of(tracker)
        if names_a_person(text):
            return await hand_off(dispatcher, tracker, reason="requested")
        try:
            async with clients.make_client() as api:
                answer = await api.kb_answer(
                    query=text,
                    lang=lang,
                    conversation_id=tracker.sender_id,
                    off_topic=latest_intent(tracker) == "out_of_scope",
                )
        except clients.HelpdeskError as error:
            return say_unavailable(dispatcher, error)

        # Each search starts a new question: its failures are counted afresh.
        if answer.get("confident") and answer.get("article"):
            return utter_article(dispatcher, answer["article"]) + [SlotSet("failure_streak", 0)]
        if answer.get("about_file"):
            # Words with a screenshot ("Hier die Fehlermeldung") about the problem in hand:
            # people can look at the file; articles for the words alone would not help.
            dispatcher.utter_message(response="utter_offer_with_the_file")
            return [
                SlotSet("pending", "offer"),
                SlotSet("feedback_slug", None),
                SlotSet("kb_candidates", None),
            ]
        hits = [hit for hit in answer.get("hits") or [] if hit.get("slug")]
        if not hits or not is_related(answer):
            if answer.get("follow_up"):  # about the chat's ticket, most likely
                dispatcher.utter_message(text=str(answer["follow_up"]))
                return utter_off_topic(dispatcher, said=True)
            return utter_off_topic(dispatcher)
        dispatcher.utter_message(
            response="utter_kb_candidates", buttons=suggestion_buttons(hits, lang)
        )
        return [
            SlotSet("failure_streak", 0),
            SlotSet("feedback_slug", None),
            SlotSet("pending", "choose"),
            SlotSet("kb_candidates", [hit["slug"] for hit in hits[:MAX_SUGGESTIONS]]),
        ]


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
        if not slug and not tracker.get_slot("kb_candidates"):
            # Nothing was offered to choose from: "the first time I opened Excel ..." is a
            # question like any other.
            return await ActionAnswerFromKb().run(dispatcher, tracker, domain)
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
