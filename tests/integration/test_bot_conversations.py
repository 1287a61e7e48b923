"""Whole conversations through the chat API against the real Rasa bot and action server."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from scripts.stack import StackConfig

pytestmark = pytest.mark.rasa


class Employee:
    def __init__(self, config: StackConfig, email: str, name: str) -> None:
        self.http = httpx.Client(base_url=config.helpdesk_url, timeout=60)
        token = self.http.post("/api/dev/token", json={"email": email, "name": name})
        self.headers = {"Authorization": f"Bearer {token.json()['token']}"}
        self.cid = ""

    def start(self, locale: str) -> Employee:
        self.cid = self.http.post(
            "/api/chat/sessions", json={"locale": locale}, headers=self.headers
        ).json()["conversation_id"]
        return self

    def say(self, text: str, payload: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if payload:
            body["payload"] = payload
        response = self.http.post(
            f"/api/chat/sessions/{self.cid}/messages", json=body, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def click(self, reply: dict[str, Any], contains: str) -> dict[str, Any]:
        """Press the first offered button whose payload contains `contains`."""
        buttons = [b for m in reply["messages"] for b in m.get("buttons") or []]
        button = next((b for b in buttons if contains in b["payload"]), None)
        assert button is not None, f"no button with {contains!r} in {json.dumps(buttons)}"
        return self.say(button["title"], button["payload"])


def _texts(reply: dict[str, Any]) -> str:
    return "\n".join(m["text"] for m in reply["messages"])


@pytest.mark.parametrize(
    ("locale", "question", "slug", "word"),
    [
        (
            "de",
            "Ich habe mein Passwort vergessen, wie setze ich es zurück?",
            "password-reset",
            "passwort.brandt.example",
        ),
        ("en", "My VPN connection keeps dropping every few minutes", "vpn-disconnects", "VPN"),
    ],
)
def test_an_it_question_is_answered_from_the_knowledge_base(
    system: StackConfig, locale: str, question: str, slug: str, word: str
) -> None:
    employee = Employee(system, "anna.berger@brandt.example", "Anna Berger").start(locale)
    reply = employee.say(question)
    articles = [m["kb_article"] for m in reply["messages"] if m.get("kb_article")]
    assert articles and articles[0]["slug"] == slug, _texts(reply)
    assert word in _texts(reply)
    assert reply["state"] == "bot"
    helped = employee.click(reply, "feedback_positive")
    assert helped["messages"], "the bot acknowledges the feedback"


def test_a_reported_problem_becomes_a_ticket_with_transcript_and_priority(
    system: StackConfig,
) -> None:
    employee = Employee(system, "bernd.keller@brandt.example", "Bernd Keller").start("de")
    steps = [employee.say("Ich möchte eine Störung melden")]
    assert "Was genau funktioniert nicht?" in _texts(steps[-1])
    steps.append(employee.say("Der Drucker im 2. OG druckt seit heute Morgen gar nicht mehr"))
    assert "Seit wann" in _texts(steps[-1]), _texts(steps[-1])
    steps.append(employee.say("seit heute früh um acht"))
    steps.append(employee.click(steps[-1], '"impact":"high"'))
    steps.append(employee.click(steps[-1], '"urgency":"high"'))
    preview = _texts(steps[-1])
    assert "Kategorie: Hardware" in preview and "kritisch" in preview, preview
    assert "**Der Drucker im 2. OG druckt seit heute Morgen gar nicht mehr**" in preview
    steps.append(employee.click(steps[-1], "/affirm"))
    found = re.search(r"INC-\d{6}", _texts(steps[-1]))
    assert found, "\n---\n".join(_texts(r) for r in steps)
    number = found.group(0)
    ticket = employee.http.get(f"/api/tickets/{number}", headers=employee.headers).json()
    assert (ticket["priority"], ticket["impact"], ticket["urgency"]) == (1, "high", "high")
    assert ticket["category"] == "hardware"
    assert ticket["since"] == "seit heute früh um acht"
    said = [m["text"] for m in ticket["transcript"] if m["sender"] == "user"]
    assert "Der Drucker im 2. OG druckt seit heute Morgen gar nicht mehr" in said
    status = employee.say(f"Wie ist der Stand von Ticket {number}?")
    assert number in _texts(status), _texts(status)
    other = Employee(system, "carla.meier@brandt.example", "Carla Meier").start("de")
    refused = _texts(other.say(f"Wie ist der Stand von Ticket {number}?"))
    assert "Drucker" not in refused and "kritisch" not in refused, refused
    unknown = _texts(other.say("Wie ist der Stand von Ticket INC-999999?"))
    assert "INC-999999" in unknown, unknown


def test_the_ticket_form_can_be_cancelled(system: StackConfig) -> None:
    employee = Employee(system, "emil.roth@brandt.example", "Emil Roth").start("en")
    employee.say("I want to report a problem")
    employee.say("Outlook crashes every time I open a calendar invite")
    cancelled = employee.say("cancel")
    mine = employee.http.get("/api/tickets", params={"mine": 1}, headers=employee.headers)
    assert mine.json()["tickets"] == [], _texts(cancelled)
    assert cancelled["state"] == "bot"


def test_asking_for_a_person_queues_the_chat_and_silences_the_bot(
    system: StackConfig,
) -> None:
    employee = Employee(system, "dora.lang@brandt.example", "Dora Lang").start("en")
    reply = employee.say("I want to talk to a human please")
    assert reply["state"] == "queued", _texts(reply)
    assert "INC-" in _texts(reply)
    later = employee.say("Hello? Is anybody there?")
    assert later["state"] == "queued" and later["messages"] == []
