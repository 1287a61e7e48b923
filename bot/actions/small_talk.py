"""Small talk, and yes or no without an open question: its reply, or the knowledge base decides.

The NLU reads "Hallo zusammen", "danke dir" or "nein danke" as small talk, yes
or no, but now and then also a question with more to it: a first message such
as "hi, what's the weather in Paris tomorrow" or "is the flu contagious". Such
a message is searched like any other: the knowledge base answers or offers
candidates when it finds something close, otherwise the bot says it only
handles IT (kb.py). Small talk keeps its reply when it is short, or when it
says what its intent is about (a thank-you or a goodbye may be long; "yes" and
"no" come first). Feedback as the first message of a chat judges nothing (the
rules send only that case here): "still not working" is searched, a short
"hat geholfen, danke" is thanked for.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import is_payload, latest_intent, latest_text
from bot.actions.handoff import hand_off
from bot.actions.kb import ActionAnswerFromKb
from bot.actions.person import names_a_person

# Small talk is short: nearly every small-talk example in bot/data/nlu/basics.yml
# has at most four words. A longer message, or a short question, carries
# something to search, unless it says what its intent is about.
SHORT_WORDS = 4

REPLIES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_you_are_welcome",
    "bot_challenge": "utter_iamabot",
    "affirm": "utter_what_else",
    "deny": "utter_okay",
    "cancel": "utter_nothing_to_cancel",
    # Only as a first message (rules/basics.yml): "hat geholfen, danke" after a chat that
    # ended. Negative feedback with nothing to judge is always searched.
    "feedback_positive": "utter_you_are_welcome",
}

# What keeps a longer message (or a question) in its intent.
_MARKERS = {
    "thank": r"\b(dank\w*|thank\w*|thx|merci|appreciate)",
    "feedback_positive": r"\b(dank\w*|thank\w*|thx|merci|appreciate|geholfen|helped|geklappt"
    r"|gelöst|solved)",
    "goodbye": r"\b(tschü(ss|s)|bye|ciao|wiedersehen|bis (bald|später|morgen|dann)|see you"
    r"|schönen (tag|abend|feierabend|wochenende)|have a (nice|good|great))\b",
    "bot_challenge": r"\b(bot|chatbot|chatgpt|maschine|machine|roboter|robot|ki|ai|künstliche"
    r"|artificial|automat\w*|mensch(en)?|human|computer|programm|program|echte?[nrs]?|real"
    r"|person|mitarbeiter|wem|who am i)\b",
    "affirm": r"^\W*(ja|jawohl|jep|yes|yeah|yep|yup|ok|okay|gerne?|genau|go ahead|do it"
    r"|go for it)\b",
    "deny": r"^\W*(nein|nee|nö|no|nope)\b",
    "cancel": r"\b(abbrechen|abbruch|cancel|vergiss|forget|never ?mind|stop|kein(en)? ticket"
    r"|erledigt|ticket brauche ich nicht|don't (bother|create|open)|(don't|no longer) need)\b",
}
# "wer bist du?", "what's your name?": short questions to the bot itself.
_TO_THE_BOT = re.compile(r"\b(du|dich|dein\w*|ihr|euch|you|your|this|da)\b", re.IGNORECASE)
_MARKER_PATTERNS = {
    intent: re.compile(pattern, re.IGNORECASE) for intent, pattern in _MARKERS.items()
}
# A question ("is flu contagious", "wie hoch ist die Zugspitze?") is not a yes,
# a no or a thank-you, however short.
_QUESTION = re.compile(
    r"\?\s*$|^\W*(is|are|am|do|does|did|can|could|will|would|should|what('s)?|how|why|who"
    r"|where|when|which|wie|was|wo\w*|warum|wieso|weshalb|wann|wer|welche[rsmn]?|kann"
    r"|können|ist|sind|gibt|hat|haben|darf|muss|soll)\b",
    re.IGNORECASE,
)
# "bist du ein echter Mensch?", "am I talking to a real person?": a question about the bot.
_ASKS_THE_BOT = re.compile(
    r"^\W*(bist du|sind sie|ist das|rede ich|spreche ich|schreibe ich|are you|is this|am i)\b",
    re.IGNORECASE,
)
# A greeting with nothing to search in it: "guten Morgen, ich hab da mal eine
# Frage". "Hallo, mein Drucker druckt nicht" is about the printer.
_GREETING = re.compile(
    r"\b(hallo|hi|hey|hello|moin|servus|tach|n'abend|grüß (gott|dich|euch)"
    r"|guten (morgen|tag|abend)|good (morning|afternoon|evening)|zusammen|auch|there|everyone"
    r"|all|(liebe[rs]? )?(it[- ])?(assistent|assistant|support|helpdesk|service desk|team)"
    r"|ist da jemand|jemand da|anybody there|ich (hab|habe) (da )?(mal )?(eine|ne) frage"
    r"|i (have|'ve got) a (quick )?question|i need (some )?help|ich (brauche|bräuchte) (mal )?hilfe"
    r"|(kannst du|können sie) mir helfen|(can|could) you help me)\b",
    re.IGNORECASE,
)


def word_count(text: str) -> int:
    return len(re.sub(r"[^\w\s'-]", " ", text).split())


def is_small_talk(text: str, intent: str | None) -> bool:
    """Whether the message is just what the NLU read it as (not a question to search)."""
    if intent not in REPLIES:
        return False
    if not text or is_payload(text):
        return True
    if intent == "greet":
        return word_count(_GREETING.sub(" ", text)) <= 1
    short = word_count(text) <= SHORT_WORDS
    if intent == "bot_challenge" and short and _TO_THE_BOT.search(text):
        return True
    if _MARKER_PATTERNS[intent].search(text):
        if intent == "bot_challenge":
            # "is there a human on the other end?"; a long message is a question of its own.
            return word_count(text) <= 2 * SHORT_WORDS
        # "nein danke, das war's" is a no; "no idea what to cook, any ideas?" is a question.
        return short or not _QUESTION.search(text)
    if intent == "feedback_positive":
        # Praise with nothing to praise ("datei gelöscht zurückholen", a first message the
        # NLU misread): without a word of thanks or success it is a question.
        return False
    return short and not _QUESTION.search(text)


class ActionSmallTalk(Action):
    """Reply to small talk, yes and no; search whatever carries a question."""

    def name(self) -> str:
        return "action_small_talk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text, intent = latest_text(tracker), latest_intent(tracker)
        if names_a_person(text) and not _ASKS_THE_BOT.match(text):
            # "Hallo, kann mich bitte jemand anrufen?"; but "are you a real person?" is
            # answered (utter_iamabot offers a person).
            return await hand_off(dispatcher, tracker, reason="requested")
        if is_small_talk(text, intent):
            dispatcher.utter_message(response=REPLIES[str(intent)])
            return []
        return await ActionAnswerFromKb().run(dispatcher, tracker, domain)
