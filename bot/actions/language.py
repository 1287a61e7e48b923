"""Which language to answer in: the helpdesk's locale, or the message's own.

The helpdesk sends the chat's locale with every message. A message written
clearly in the other language switches the answer language (an English-
speaking colleague in a German-locale widget gets English answers). "Clearly"
means: at least two marker words of one language (function words that exist
in only that language; for German also any word with an umlaut or ß) and none
of the other, or a 3:1 majority. Short or mixed messages ("VPN ok?") keep the
current language.
"""

from __future__ import annotations

import re

from bot.actions.common import DEFAULT_LANGUAGE, LANGUAGES

# Frequent function words that exist in only one of the two languages.
# Deliberately left out: words both languages use ("in", "so", "man", "an", "am", "hi",
# "was", "will", "hat", "die", "also").
GERMAN_MARKERS = frozenset(
    """
    ich mich mir mein meine meinen meinem meiner sie ihr ihre nicht kein keine keinen
    und oder aber der das dem den des ein eine einen einem einer ist sind bin habe hab
    geht gehts funktioniert klappt kann können könnte muss wie wo warum wieso
    weshalb welche welcher wer bitte danke hallo tschüss seit schon noch auch immer
    mehr jetzt heute gestern zu zum zur im vom beim auf mit für von nach bei ja nein
    nö gar nichts wieder doch eigentlich leider
    """.split()
)
ENGLISH_MARKERS = frozenset(
    """
    i i'm i've i'd my me mine you your it's its the a is are isn't aren't
    not no don't doesn't didn't can't cannot won't wouldn't couldn't and or but this
    that these those how where why what which who please thanks thank hello since
    already still again now today yesterday to of for from with at on yes work working
    works does do did have has get got can could should would there
    """.split()
)
_WORD = re.compile(r"[a-zäöüß']+")
_UMLAUT = re.compile(r"[äöüß]")


def detect_language(text: str) -> str | None:
    """'de' or 'en' when the text is clearly in that language, else None."""
    if not text or text.startswith("/"):
        return None
    lowered = text.lower()
    words = _WORD.findall(lowered)
    german = sum(word in GERMAN_MARKERS or bool(_UMLAUT.search(word)) for word in words)
    english = sum(word in ENGLISH_MARKERS for word in words)
    if german >= 2 and english == 0:
        return "de"
    if english >= 2 and german == 0:
        return "en"
    if german >= 3 and german >= 3 * english:
        return "de"
    if english >= 3 and english >= 3 * german:
        return "en"
    return None


def choose_language(
    text: str, current: str | None, locale: str | None, last_locale: str | None
) -> str:
    """The language after this message.

    current: the `language` slot; locale: the helpdesk's locale sent with this
    message; last_locale: the locale it sent before (a change is an explicit
    switch in the widget).
    """
    detected = detect_language(text)
    if detected:
        return detected
    if locale and locale != last_locale:
        return locale
    if current in LANGUAGES:
        return current
    return locale or DEFAULT_LANGUAGE
