"""Screenshots in the chat with the real Rasa bot and action server: the ticket form counts
them as part of the description; "where do I attach a screenshot?" is answered."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image

from scripts.stack import StackConfig

from .test_bot_conversations import Employee, _texts, staff_headers

pytestmark = pytest.mark.rasa


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 50), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _upload(employee: Employee, name: str, data: bytes, ctype: str) -> dict[str, Any]:
    response = employee.http.post(
        f"/api/chat/sessions/{employee.cid}/attachments",
        files={"file": (name, data, ctype)},
        headers=employee.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _since(employee: Employee, seq: int) -> list[dict[str, Any]]:
    """The transcript after seq (what the upload made the bot and the service say)."""
    response = employee.http.get(
        f"/api/chat/sessions/{employee.cid}/messages",
        params={"after": seq},
        headers=employee.headers,
    )
    return list(response.json()["messages"])


def _rasa_api_requests(employee: Employee) -> float:
    """Requests to Rasa's HTTP API (not the channel's messages) the helpdesk has made so far."""
    text = employee.http.get("/metrics").text
    found = re.search(r'^helpdesk_bot_round_trip_seconds_count\{call="api"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def _last_seq(employee: Employee) -> int:
    response = employee.http.get(
        f"/api/chat/sessions/{employee.cid}/messages", headers=employee.headers
    )
    return int(response.json()["messages"][-1]["seq"])


def test_a_screenshot_answers_the_forms_question_and_goes_with_the_ticket(
    system: StackConfig,
) -> None:
    employee = Employee(system, "jana.wolf@brandt.example", "Jana Wolf").start("de")
    asked = employee.say("Ich möchte eine Störung melden")
    assert "Was genau funktioniert nicht?" in _texts(asked), _texts(asked)
    seq = _last_seq(employee)
    api_requests = _rasa_api_requests(employee)
    _upload(employee, "fehlermeldung.png", png(), "image/png")
    said = _since(employee, seq)
    assert [m["sender"] for m in said] == ["user", "bot", "bot"], said
    # The bot's channel said the form was asking: no tracker request to Rasa for the file.
    assert _rasa_api_requests(employee) == api_requests
    assert said[1]["text"].startswith("Danke, der Screenshot ist beim Ticket")
    assert "Seit wann" in said[2]["text"]
    steps = [employee.say("seit heute früh")]
    steps.append(employee.click(steps[-1], '"impact":"low"'))
    steps.append(employee.click(steps[-1], '"urgency":"medium"'))
    assert "Screenshot: fehlermeldung.png" in _texts(steps[-1]), _texts(steps[-1])
    created = employee.click(steps[-1], "/affirm")
    found = re.search(r"INC-\d{6}", _texts(created))
    assert found, _texts(created)
    ticket = employee.http.get(f"/api/tickets/{found.group(0)}", headers=employee.headers).json()
    assert ticket["description"] == "Screenshot: fehlermeldung.png"
    listed = employee.http.get(
        "/api/agent/attachments",
        params={"ticket": found.group(0)},
        headers=staff_headers(system, "agent", "Anna Schmidt"),
    ).json()
    assert [a["name"] for a in listed["attachments"]] == ["fehlermeldung.png"]


def test_a_file_later_in_the_form_joins_the_description_and_the_question_stands(
    system: StackConfig,
) -> None:
    employee = Employee(system, "tom.baker@brandt.example", "Tom Baker").start("en")
    employee.say("I want to report a problem")
    asked = employee.say("Teams crashes every time I share my screen")
    assert "Since when" in _texts(asked), _texts(asked)
    seq = _last_seq(employee)
    _upload(employee, "teams.log", b"12:01 share failed\n", "text/plain")
    said = _since(employee, seq)
    assert said[1]["text"].startswith("Thank you, the file is with the ticket"), said
    assert "Since when" in said[2]["text"]
    steps = [employee.say("since yesterday")]
    steps.append(employee.click(steps[-1], '"impact":"low"'))
    steps.append(employee.click(steps[-1], '"urgency":"low"'))
    created = employee.click(steps[-1], "/affirm")
    number = re.search(r"INC-\d{6}", _texts(created))
    assert number, _texts(created)
    ticket = employee.http.get(f"/api/tickets/{number.group(0)}", headers=employee.headers)
    assert ticket.json()["description"] == (
        "Teams crashes every time I share my screen\nFile: teams.txt"
    )
    assert ticket.json()["since"] == "since yesterday"


def test_outside_the_form_the_service_says_where_the_file_went(system: StackConfig) -> None:
    employee = Employee(system, "lisa.koch@brandt.example", "Lisa Koch").start("de")
    employee.say("Hallo")
    seq = _last_seq(employee)
    _upload(employee, "bildschirm.png", png(), "image/png")
    said = _since(employee, seq)
    assert [m["sender"] for m in said] == ["user", "system"], said
    assert "Datei ist im Chat gespeichert" in said[1]["text"]
    # The bot still answers the next question as before.
    reply = employee.say("Mein VPN bricht ständig ab")
    assert any(m.get("kb_article") for m in reply["messages"]), _texts(reply)


@pytest.mark.parametrize(
    ("locale", "question", "word"),
    [
        ("de", "Wo kann ich einen Screenshot anhängen?", "Strg + V"),
        ("en", "how do I send a screenshot", "Ctrl + V"),
    ],
)
def test_where_to_attach_a_screenshot_is_answered(
    system: StackConfig, locale: str, question: str, word: str
) -> None:
    employee = Employee(system, "max.huber@brandt.example", "Max Huber").start(locale)
    reply = employee.say(question)
    articles = [m["kb_article"]["slug"] for m in reply["messages"] if m.get("kb_article")]
    assert articles == ["chat-attachments"], _texts(reply)
    assert word in _texts(reply), _texts(reply)
    assert reply["state"] == "bot"


@pytest.mark.parametrize(
    ("locale", "problem", "caption", "person", "word"),
    [
        (  # as the widget sends words typed with a screenshot: the words first
            "de",
            "Mein Drucker im 2. Stock druckt nur noch leere Seiten",
            "Hier die Fehlermeldung",
            "Das hat nicht geholfen. Ich möchte mit einem Menschen sprechen",
            "Drucker",
        ),
        (  # words sent after the file
            "en",
            "My printer on the 2nd floor only prints blank pages",
            "Here is the error message",
            "That didn't help. I want to talk to a person",
            "printer",
        ),
    ],
)
def test_the_words_sent_with_a_screenshot_leave_the_ticket_about_the_problem(
    system: StackConfig, locale: str, problem: str, caption: str, person: str, word: str
) -> None:
    employee = Employee(system, "nina.vogt@brandt.example", "Nina Vogt").start(locale)
    employee.say(problem)
    if locale == "de":
        said = employee.http.post(
            f"/api/chat/sessions/{employee.cid}/messages",
            json={"text": caption, "files": 1},
            headers=employee.headers,
        )
        assert said.status_code == 200, said.text
        reply = said.json()
        _upload(employee, "fehler.png", png(), "image/png")
    else:
        _upload(employee, "fehler.png", png(), "image/png")
        reply = employee.say(caption)
    # The words go with the problem in hand: a ticket with the file, or a person, is offered
    # instead of articles for the words alone.
    payloads = [b["payload"] for m in reply["messages"] for b in m.get("buttons") or []]
    assert payloads == ["/open_ticket", "/request_human"], _texts(reply)
    queued = employee.say(person)
    assert queued["state"] == "queued", _texts(queued)
    session = employee.http.get(f"/api/chat/sessions/{employee.cid}", headers=employee.headers)
    number = session.json()["ticket_number"]
    ticket = employee.http.get(f"/api/tickets/{number}", headers=employee.headers).json()
    assert word in ticket["subject"], ticket["subject"]
    assert caption not in ticket["subject"]
    listed = employee.http.get(
        "/api/agent/attachments",
        params={"ticket": number},
        headers=staff_headers(system, "agent", "Anna Schmidt"),
    ).json()
    assert [a["name"] for a in listed["attachments"]] == ["fehler.png"]
