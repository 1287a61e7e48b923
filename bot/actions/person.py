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
    rf"\bmit\s+(\w+\s+){{0,2}}{_PERSON_DE}\s+(\w+\s+){{0,2}}"
    r"(sprechen|reden|chatten|telefonieren|besprechen)",
    # "kann ich jemanden vom Service Desk sprechen?", "persönlich sprechen"
    r"\b(kann|könnte|darf)\s+ich\s+(\w+\s+){0,2}(jemand(en|em)?|mitarbeiter\w*|techniker\w*)"
    r"\s+(\w+\s+){0,4}(sprechen|erreichen)\b",
    r"\bpersönlich\s+(sprechen|reden)\b",
    # "kann mich ein Techniker kontaktieren?", "kann ein Kollege vom Service Desk übernehmen?"
    r"\bmich\s+(ein|eine|jemand)\w*\s+.{0,30}\bkontaktier\w*",
    r"\b(vom|von\s+der|aus\s+der|from)\s+(it|support|service[- ]?desk|help[- ]?desk)\b.{0,30}"
    r"\b(übernehmen|take\s+over|kontaktier\w*|anschreib\w*|(contact|call)\s+me)\b",
    rf"\b{_PERSON_DE}\s+(\w+\s+){{0,2}}(weiterleiten|weitergeben|durchstellen|verbinden)\b",
    r"\bdurchgestellt\b|\blive[- ]?chat\b",
    r"\bansprechpartner(in)?\s+(aus|von|in)\s+(der\s+)?it\b",
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
    # "please have someone from IT contact me", "can someone from support take over?"
    rf"\b(want|like|please|have|get)\s+(\w+\s+){{0,2}}{_PERSON_EN}\b.{{0,30}}"
    r"\b(contact|call|phone)\s+me\b",
    rf"\bdiscuss\s+(this|it)\s+with\s+{_PERSON_EN}\b",
    r"\bcontact\s+person\s+(from|in|at)\s+it\b",
    rf"\b(connect|transfer|put|forward|pass)\s+me\b.{{0,30}}\b{_PERSON_EN}\b",
    r"\b(real|live|actual)\s+(person|human|agent|people)\b",
    r"\b(an?\s+)?(human|agent|person)\s+please\b",
    # "ich will nicht mit einem Bot schreiben", "no bot please"
    r"\b(kein(en)?|nicht\s+mit\s+(einem|dem))\s+(chat)?bot\b",
    r"\b(no|not\s+(with\s+)?a|don't\s+want\s+(to\s+\w+\s+with\s+)?a)\s+(chat)?bot\b",
    # "kann jemand vom Support vorbeikommen?", "send someone over", "come to my desk"
    r"\b(jemand|techniker(in)?)\b.{0,30}\b(vorbeikommen|vorbei\s+schicken|schicken)\b",
    r"\bschick(en|t)?\s+(sie\s+)?(mir\s+)?(bitte\s+)?(jemanden|einen\s+techniker)\b",
    r"\bsend\s+(me\s+)?(someone|somebody|a\s+technician)\b",
    r"\b(someone|somebody|technician)\b.{0,20}\bcome\s+(over|by|to\s+my\s+desk)\b",
)
# A request for a person is short ("Mitarbeiter bitte", "agent") or says so in
# one of the shapes above; a longer message the NLU reads as request_human
# without one ("find someone local who mows lawns") is a question for the
# knowledge base. A short one must still name someone to talk to: "who wrote
# green book" is not a request. And asking how to reach the desk (its phone
# number, hours, e-mail) is a question the knowledge base answers
# (support-hours), not a wish to be put through now.
SHORT_REQUEST_WORDS = 4
_REQUEST = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_SOMEONE = re.compile(
    rf"\b({_PERSON_DE}|{_PERSON_EN}|ansprechpartner(in)?|kolleg(e|in)|leute|people|staff"
    r"|operator|weiter(leiten|geleitet)?|verbinde[nt]?|durchstellen|connect|transfer|forward"
    r"|escalate|eskalieren)\b",
    re.IGNORECASE,
)
# A new colleague is what the message is about, not someone to talk to: "neuer Mitarbeiter
# Account beantragen", "laptop for a new employee" ask for an account or a device.
_NEWCOMER = re.compile(
    r"\b(neue[rnms]?|künftige[rnms]?|new|incoming)\s+(mitarbeiter(in|innen)?|kolleg(e|in|en|innen)"
    r"|praktikant(in|en)?|azubi|auszubildende[rn]?|employee|colleague|hire|starter|intern)\b",
    re.IGNORECASE,
)
_ABOUT_THE_DESK = re.compile(
    r"\b(telefon(nummer)?|(tel\.?|rufnummer|nummer|durchwahl|handynummer)|e-?mail(adresse)?"
    r"|adresse|(service|öffnungs|geschäfts|sprech|arbeits)zeiten|erreichbar(keit)?|geöffnet"
    r"|offen|besetzt|wann|wo|phone|number|hours|available|open|opening|when|where|address"
    r"|reach|contact details)\b",
    re.IGNORECASE,
)


def wants_a_person(text: str) -> bool:
    """Whether a message read as request_human is one: a button, a clear request, or short.

    A short message counts when it names someone to talk to and does not ask how to
    reach the desk ("Telefonnummer vom IT Support" is answered from the knowledge base);
    a new colleague it is about is no one to talk to.
    """
    if not text or text.startswith("/"):
        return True
    if names_a_person(text):
        return True
    short = len(text.split()) <= SHORT_REQUEST_WORDS
    someone = _SOMEONE.search(_NEWCOMER.sub(" ", text))
    return short and bool(someone) and not _ABOUT_THE_DESK.search(text)


def names_a_person(text: str) -> bool:
    """True when the text asks to talk to (or be called by) a person."""
    if not text or text.startswith("/"):
        return False
    return bool(_REQUEST.search(text))
