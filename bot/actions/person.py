"""Whoever names a person gets a person: spotting the request in any message.

The NLU reads "talk to a human please" as request_human, but a request for a
person also comes inside other messages: "Das hat nicht geholfen. Ich möchte
mit einem Menschen sprechen" (read as feedback_negative), "Drucker kaputt,
kann mich jemand anrufen?" (read as it_problem). The actions that handle
those intents ask this module first. The patterns want a request shape (a
person plus talking, calling, connecting), so "Vertretung für eine Person
einrichten" or "share my calendar with someone" is not one.
"""

from __future__ import annotations

import re

_PERSON_DE = (
    r"(mensch(en)?|person|mitarbeiter(in)?|sachbearbeiter(in)?|techniker(in)?|agent(en)?"
    r"|(it[- ]?)?support|(it[- ]?)?service[- ]?desk|hotline|jemand(em|en)?)"
)
_PERSON_EN = (
    r"(human|person|agent|someone|somebody|technician|support( person| team)?"
    r"|(it )?service ?desk|help ?desk)"
)
_ASKER_EN = r"(someone|somebody|anyone|you|a technician|an agent|support|it|the service desk)"
_PATTERNS = (
    # "mit einem Menschen sprechen", "mit jemandem reden", "mit dem Support chatten"
    rf"\bmit\s+(\w+\s+){{0,2}}{_PERSON_DE}\s+(\w+\s+){{0,2}}(sprechen|reden|chatten|telefonieren)",
    # "kann mich jemand anrufen?", "könnte mich bitte jemand vom Support zurückrufen"
    r"\b(kann|könnte|würde)\s+mich\s+(\w+\s+){1,5}(an|zurück)rufen",
    r"\bruf(t|en)?\s+(sie\s+)?(mich|uns)\s+(bitte\s+)?(jemand\s+)?(an|zurück)\b",
    r"\brückruf\b",
    rf"\b(ver|weiter)\s*(binden|bindet|binde|leiten|leite|leitet)\b.{{0,40}}\b{_PERSON_DE}",
    r"\bleite[nt]?\s+(sie\s+)?mich\b.{0,40}\bweiter\b",
    r"\b(echte[nr]?|richtige[nr]?|lebende[nr]?)\s+(mensch(en)?|person)\b",
    r"\b(einen?\s+)?(mensch(en)?|mitarbeiter|techniker)\s+bitte\b",
    # "talk to a human", "speak with someone", "chat with an agent"
    rf"\b(talk|speak|chat)\s+(to|with)\s+(\w+\s+){{0,2}}{_PERSON_EN}\b",
    rf"\b(can|could|would|will)\s+{_ASKER_EN}\b.{{0,25}}\b(call|ring|phone|contact)\s+me\b",
    r"(^|[.!?]\s*)(please\s+)?(call|ring|phone)\s+me(\s+back)?(\s+please)?\s*[.!?]*$",
    r"\bcall\s*back\b",
    rf"\b(connect|transfer|put|forward|pass)\s+me\b.{{0,30}}\b{_PERSON_EN}\b",
    r"\b(real|live|actual)\s+(person|human|agent|people)\b",
    r"\b(an?\s+)?(human|agent|person)\s+please\b",
)
_REQUEST = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)


def names_a_person(text: str) -> bool:
    """True when the text asks to talk to (or be called by) a person."""
    if not text or text.startswith("/"):
        return False
    return bool(_REQUEST.search(text))
