"""Whoever names a person gets a person: the request in any wording, both languages."""

from __future__ import annotations

import pytest

from bot.actions.person import names_a_person, wants_a_person


@pytest.mark.parametrize(
    "text",
    [
        "Das hat nicht geholfen. Ich möchte mit einem Menschen sprechen",
        "kann mich jemand anrufen?",
        "Drucker geht nicht, kann mich jemand vom Support zurückrufen?",
        "Ich will mit einem echten Menschen reden",
        "einen Mitarbeiter bitte",
        "verbinden Sie mich mit dem Service Desk",
        "leite mich an einen mitarbeiter weiter",
        "Rufen Sie mich bitte an",
        "bitte um Rückruf",
        "talk to a human please",
        "didn't help, can I speak to someone?",
        "still broken. get me a real person",
        "can someone call me?",
        "Could somebody from IT contact me?",
        "please call me back",
        "connect me to an agent",
        "agent please",
    ],
)
def test_a_request_for_a_person(text: str) -> None:
    assert names_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wie gebe ich meinen Kalender für eine Person frei?",
        "Wenn mich jemand in Teams anrufen will, klingelt es nicht",
        "Ich kann mit den Kollegen in Teams nicht sprechen",
        "neuer Mitarbeiter fängt an, Account anlegen",
        "When colleagues call me in Teams I can't hear them",
        "my phone doesn't ring when people call me",
        "I can't talk to anyone in Teams, mic broken",
        "share my calendar with someone",
        '/choose_article{"article_slug":"teams-audio"}',
        "",
    ],
)
def test_not_a_request_for_a_person(text: str) -> None:
    assert not names_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "agent",
        "Mitarbeiter bitte",
        "i need a human",
        "/request_human",
        "ich will nicht mit einem bot schreiben",
        "i don't want to chat with a bot, get me someone from the service desk",
        "kann jemand vom support vorbeikommen?",
        "send someone over please",
        "bitte an einen menschen weiterleiten",
        "kann mich ein Techniker kontaktieren?",
        "please have someone from IT contact me",
        "ich möchte das lieber mit jemandem besprechen",
        "can someone from support take over?",
        "weiterleiten bitte",
        "leite mich bitte weiter",
        "live agent",
        "lieber ein mensch",
        "speak to someone",
    ],
)
def test_what_the_nlu_reads_as_request_human_is_one(text: str) -> None:
    assert wants_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "find someone local who mows lawns",
        "give me a recommendation for a local landscaper",
        "When is the IT service desk available?",
        "wie ist die Telefonnummer vom IT Support?",
        "Telefonnummer vom IT Support",
        "IT hotline number?",
        "service desk opening hours",
        "who wrote green book",
        "read the phone number for mom in my phone contacts",
        "Hilfe!",
        "neuer mitarbeiter account beantragen",
        "Account für neue Kollegin",
        "laptop for new employee",
    ],
)
def test_a_longer_question_without_a_request_is_searched(text: str) -> None:
    assert not wants_a_person(text)
