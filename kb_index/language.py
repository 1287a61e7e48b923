"""Query language detection and glossary translation between German and English.

The default model (all-MiniLM-L6-v2) is English-centric: it matches German to
German, but barely German to English. To find an article that exists only in
the other language, the query is also translated word by word with an IT
glossary (``glossary.tsv``); product names and error codes pass unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

LANGUAGES = ("de", "en")
_SUFFIXES = {"de": ("en", "er", "es", "s", "n", "e"), "en": ("ing", "ed", "es", "s", "d")}
_MAX_PHRASE = 3

_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)

_DE_HINTS = frozenset(
    """ich mich mir mein meine meinem meinen meiner nicht kein keine keinen und oder aber
    der die das dem den des ein eine einen einem einer ist sind war wird werden wurde kann
    kann's können konnte muss geht gehts ging funktioniert klappt habe hab hat haben wie was
    wo wann warum wieso weshalb welche welcher welches mit auf bei für fuer von vom zum zur
    im ins am an aus nach seit noch schon auch nur bitte danke hallo moin servus tschüss ja
    nein doch mal jetzt heute gestern immer wieder sich sie wir ihr es er man zu dass
    brauche möchte moechte will soll sollte gibt neues neuen neue""".split()
)
_EN_HINTS = frozenset(
    """i me my mine not no and or but the a an is are was were will be been can could
    cannot can't cant won't doesn't dont don't isn't didn't does do did has have had how
    what where when why which who with on at for from of to into in since still already
    also only please thanks thank hello hi bye yes it its it's this that there they we you
    your our need want would should get got keeps keep new anymore any""".split()
)


def fold(text: str) -> str:
    """Lower-case and fold German special letters (ä -> ae, ß -> ss) and accents."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split text into lower-case words (keeping hyphenated and apostrophe words)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def detect_language(text: str) -> str | None:
    """Return "de" or "en" when the text clearly is one of them, else None."""
    tokens = words(text)
    de = sum(1 for t in tokens if t in _DE_HINTS)
    en = sum(1 for t in tokens if t in _EN_HINTS)
    if re.search(r"[äöüß]", text.lower()):
        de += 2
    if de == en:
        return None
    if de > en:
        return "de" if de - en >= 1 else None
    return "en"


def is_clearly(text: str, lang: str) -> bool:
    """Tell whether text is clearly written in lang (enough evidence to switch)."""
    tokens = words(text)
    if len(tokens) < 3:
        return False
    de = sum(1 for t in tokens if t in _DE_HINTS) + (2 if re.search(r"[äöüß]", text.lower()) else 0)
    en = sum(1 for t in tokens if t in _EN_HINTS)
    mine, theirs = (de, en) if lang == "de" else (en, de)
    return mine >= 2 and mine >= 2 * theirs + 1


@cache
def _glossary() -> dict[str, dict[str, str]]:
    """Load the glossary as {"de": {folded de phrase: en}, "en": {folded en phrase: de}}."""
    table: dict[str, dict[str, str]] = {"de": {}, "en": {}}
    path = Path(__file__).with_name("glossary.tsv")
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        de, en = (part.strip() for part in line.split("\t")[:2])
        for variant in de.split("|"):
            table["de"].setdefault(_key(variant), en.split("|")[0])
        for variant in en.split("|"):
            table["en"].setdefault(_key(variant), de.split("|")[0])
    return table


def _key(phrase: str) -> str:
    return " ".join(fold(w) for w in words(phrase))


def _lookup(table: dict[str, str], key: str, source: str) -> str | None:
    """Find a word in the glossary, else its form without a common inflection ending."""
    if key in table:
        return table[key]
    if " " in key or len(key) <= 4:
        return None
    for suffix in _SUFFIXES[source]:
        if key.endswith(suffix) and key[: -len(suffix)] in table:
            return table[key[: -len(suffix)]]
    return None


def translate(text: str, *, source: str, target: str) -> str:
    """Translate with the glossary, longest phrase first; unknown words stay as they are."""
    if source == target or source not in LANGUAGES or target not in LANGUAGES:
        return text
    table = _glossary()[source]
    tokens = words(text)
    keys = [fold(t) for t in tokens]
    out, i = [], 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            found = _lookup(table, " ".join(keys[i : i + n]), source)
            if found is not None:
                out.append(found)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)
