"""Conversations over many turns: topics, a ticket per topic, replies to tickets, honest times.

A scripted bot plays the action server's part through the internal API (the real bot is
tested the same way in tests/integration); everything else is the real service.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..factories import staff
from .test_assistant_api import PASSWORD_TITLE

PERSON = (
    "Ich möchte mit einem Menschen sprechen",
    "Talk to a human please",
    "Kann ich bitte mit einem Mitarbeiter sprechen?",
    "Can I talk to someone please?",
)
NEGATIVE = {"Das hat nicht geholfen", "nein", "That didn't help"}
POSITIVE = {"Super, danke, hat geklappt", "Thanks, that worked!"}


class ScriptedBot:
    """Answers like the bot's actions: a person, a verdict, a ticket, or a search."""

    def __init__(self, helpdesk: Helpdesk) -> None:
        self.helpdesk = helpdesk
        self.answers: list[dict[str, Any]] = []
        helpdesk.rasa.on_message = self.on_message

    async def on_message(self, sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        api = self.helpdesk.rasa.internal
        assert api is not None
        if text.startswith(PERSON):
            await api.post(
                f"/api/internal/conversations/{sender}/handoff", json={"reason": "requested"}
            )
            return [{"recipient_id": sender, "text": "Ich verbinde Sie."}]
        if text in NEGATIVE or text in POSITIVE:
            await api.post(
                f"/api/internal/conversations/{sender}/feedback",
                json={"helpful": text in POSITIVE},
            )
            return [{"recipient_id": sender, "text": "Gut." if text in POSITIVE else "Schade."}]
        if text.startswith("Ticket: "):
            draft = {"conversation_id": sender, "description": text.removeprefix("Ticket: ")}
            await api.post(
                "/api/internal/tickets", json=draft | {"impact": "low", "urgency": "low"}
            )
            return [{"recipient_id": sender, "text": "Ticket angelegt."}]
        params = {"q": text, "lang": metadata["locale"], "conversation_id": sender}
        self.answers.append((await api.get("/api/internal/kb/answer", params=params)).json())
        return [{"recipient_id": sender, "text": "Vorschläge"}]


async def _say(
    helpdesk: Helpdesk, cid: str, headers: dict[str, str], text: str, files: int = 0
) -> Any:
    body = {"text": text, "files": files} if files else {"text": text}
    response = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _ticket(helpdesk: Helpdesk, number: str, headers: dict[str, str]) -> Any:
    return (await helpdesk.client.get(f"/api/agent/tickets/{number}", headers=headers)).json()


async def test_rephrasing_stays_one_topic_and_a_new_problem_starts_another(
    sqlite_helpdesk: Helpdesk,
) -> None:
    bot = ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, "Der Drucker druckt nicht")
    await _say(sqlite_helpdesk, cid, employee, "Das hat nicht geholfen")
    await _say(sqlite_helpdesk, cid, employee, "Mein Drucker druckt gar nichts mehr")
    await _say(sqlite_helpdesk, cid, employee, "Ich habe mein Passwort vergessen")
    first, again, other = bot.answers
    assert (first["topic"], first["new_topic"], first["consecutive_failures"]) == (1, True, 0)
    # The rephrasing is the same topic: the rejection counts, the search does not.
    assert (again["topic"], again["new_topic"], again["consecutive_failures"]) == (1, False, 1)
    assert (other["topic"], other["new_topic"], other["consecutive_failures"]) == (2, True, 0)


async def test_each_problem_gets_its_own_ticket_and_closing_resolves_only_the_handoffs(
    helpdesk: Helpdesk,
) -> None:
    ScriptedBot(helpdesk)
    employee = helpdesk.as_employee()
    agent = await staff(helpdesk, "agent", "Anna Schmidt")
    cid = await helpdesk.start_chat(employee)
    await _say(helpdesk, cid, employee, "Der Drucker im 2. OG druckt nicht")
    await _say(helpdesk, cid, employee, "Ticket: Der Drucker im 2. OG druckt nicht")
    printer = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    printer_number = printer["ticket_number"]
    await _say(helpdesk, cid, employee, "Ich habe mein Passwort vergessen")
    queued = await _say(helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
    assert queued["state"] == "queued"
    state = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    password_number = state["ticket_number"]
    assert password_number != printer_number
    password = await _ticket(helpdesk, password_number, agent["headers"])
    assert "Passwort" in password["subject"] and "Menschen" not in password["subject"]
    # Its category is the password topic's, not the printer's said earlier in the chat.
    assert password["category"] == "account"
    # The console knows which ticket the handoff was about.
    context = (
        await helpdesk.client.get(f"/api/agent/conversations/{cid}", headers=agent["headers"])
    ).json()
    flags = {t["number"]: t["handoff"] for t in context["tickets"]}
    assert flags == {printer_number: False, password_number: True}
    assert context["summary"].startswith("Ich habe mein Passwort vergessen")
    await helpdesk.client.post(f"/api/agent/conversations/{cid}/claim", headers=agent["headers"])
    closed = await helpdesk.client.post(
        f"/api/agent/conversations/{cid}/close",
        json={"resolution": "Passwort zurückgesetzt"},
        headers=agent["headers"],
    )
    assert closed.status_code == 200
    assert (await _ticket(helpdesk, password_number, agent["headers"]))["status"] == "resolved"
    printer_after = await _ticket(helpdesk, printer_number, agent["headers"])
    assert printer_after["status"] == "new" and printer_after["resolution"] == ""


async def test_closing_can_resolve_the_tickets_the_agent_chooses(sqlite_helpdesk: Helpdesk) -> None:
    ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    agent = await staff(sqlite_helpdesk, "agent")
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, "Ticket: Maus defekt")
    mouse = await sqlite_helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)
    mouse_number = mouse.json()["ticket_number"]
    await _say(sqlite_helpdesk, cid, employee, "Der Drucker druckt nicht")
    await _say(sqlite_helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
    url = f"/api/agent/conversations/{cid}"
    await sqlite_helpdesk.client.post(f"{url}/claim", headers=agent["headers"])
    wrong = await sqlite_helpdesk.client.post(
        f"{url}/close",
        json={"resolution": "erledigt", "resolve_tickets": ["INC-999999"]},
        headers=agent["headers"],
    )
    assert wrong.status_code == 422
    tickets = (await sqlite_helpdesk.client.get(url, headers=agent["headers"])).json()["tickets"]
    numbers = [t["number"] for t in tickets]
    await sqlite_helpdesk.client.post(
        f"{url}/close",
        json={"resolution": "Beides erledigt", "resolve_tickets": numbers},
        headers=agent["headers"],
    )
    assert mouse_number in numbers and len(numbers) == 2
    for number in numbers:
        assert (await _ticket(sqlite_helpdesk, number, agent["headers"]))["status"] == "resolved"


async def test_a_request_for_a_person_first_gets_a_neutral_subject(
    sqlite_helpdesk: Helpdesk,
) -> None:
    ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    agent = await staff(sqlite_helpdesk, "agent")
    cid = await sqlite_helpdesk.start_chat(employee, locale="en")
    await _say(sqlite_helpdesk, cid, employee, "Talk to a human please")
    number = await sqlite_helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)
    ticket = await _ticket(sqlite_helpdesk, number.json()["ticket_number"], agent["headers"])
    assert ticket["subject"] == "Chat with the IT Service Desk"


# Per language: an open problem the employee rejected the answers to, a second one they then
# call solved (asked with a lead-in), and a request for a person: naming the first problem,
# or naming nothing.
SOLVED_THEN_PERSON = {
    "de": (
        "Mein VPN bricht im Homeoffice ständig ab",
        "Das hat nicht geholfen",
        "Ok anderes Thema: der Drucker im 3. Stock druckt nicht",
        "Super, danke, hat geklappt",
        "Kann ich bitte mit einem Mitarbeiter sprechen?",
        "Das VPN bricht immer noch ab",
    ),
    "en": (
        "My VPN keeps dropping when I work from home",
        "That didn't help",
        "Okay, another question: the printer on the 3rd floor does not print",
        "Thanks, that worked!",
        "Can I talk to someone please?",
        "The VPN still keeps dropping",
    ),
}


class Chat:
    """One employee's chat with the scripted bot, and an agent to look at its tickets."""

    def __init__(self, helpdesk: Helpdesk, employee: dict[str, str], agent: dict[str, str]):
        self.helpdesk, self.employee, self.agent, self.cid = helpdesk, employee, agent, ""

    @classmethod
    async def start(cls, helpdesk: Helpdesk, locale: str = "de") -> Chat:
        ScriptedBot(helpdesk)
        employee = helpdesk.as_employee()
        chat = cls(helpdesk, employee, (await staff(helpdesk, "agent"))["headers"])
        chat.cid = await helpdesk.start_chat(employee, locale=locale)
        return chat

    async def say(self, *texts: str) -> Any:
        for text in texts:
            reply = await _say(self.helpdesk, self.cid, self.employee, text)
        return reply

    async def number(self) -> str:
        """The number of the ticket the chat is on (the handoff's)."""
        url = f"/api/chat/sessions/{self.cid}"
        return str(
            (await self.helpdesk.client.get(url, headers=self.employee)).json()["ticket_number"]
        )

    async def ticket(self, number: str | None = None) -> Any:
        return await _ticket(self.helpdesk, number or await self.number(), self.agent)

    async def agent_post(self, action: str, body: dict[str, Any] | None = None) -> Any:
        url = f"/api/agent/conversations/{self.cid}/{action}"
        return await self.helpdesk.client.post(url, json=body or {}, headers=self.agent)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("names_it", [True, False], ids=["naming-it", "naming-nothing"])
async def test_a_handoff_is_about_the_open_problem_never_one_called_solved(
    sqlite_helpdesk: Helpdesk, lang: str, names_it: bool
) -> None:
    chat = await Chat.start(sqlite_helpdesk, lang)
    vpn, rejected, printer, solved, request, naming = SOLVED_THEN_PERSON[lang]
    await chat.say(vpn, rejected, printer, solved)
    queued = await chat.say(f"{request} {naming}" if names_it else request)
    assert queued["state"] == "queued"
    ticket = await chat.ticket()
    assert "VPN" in ticket["subject"], ticket["subject"]
    assert ticket["category"] == "network"
    assert printer not in ticket["description"]


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_a_request_naming_a_solved_problem_reopens_it(helpdesk: Helpdesk, lang: str) -> None:
    chat = await Chat.start(helpdesk, lang)
    vpn, rejected, printer, solved, request, _ = SOLVED_THEN_PERSON[lang]
    still = "Der Drucker druckt doch nicht" if lang == "de" else "The printer still does not print"
    await chat.say(vpn, rejected, printer, solved, f"{request} {still}")
    ticket = await chat.ticket()
    # The subject has no lead-in ("Ok anderes Thema:"): it says what the problem is.
    assert ticket["subject"].lower().startswith(("der drucker", "the printer")), ticket["subject"]
    assert ticket["category"] == "hardware"


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_a_request_after_every_problem_was_solved_gets_a_neutral_subject(
    sqlite_helpdesk: Helpdesk, lang: str
) -> None:
    chat = await Chat.start(sqlite_helpdesk, lang)
    _, _, printer, solved, request, _ = SOLVED_THEN_PERSON[lang]
    await chat.say(printer, solved, request)
    subject = (await chat.ticket())["subject"]
    assert subject in ("Chat mit dem IT Service Desk", "Chat with the IT Service Desk")


async def test_a_ticket_from_the_form_about_another_problem_is_a_topic_of_its_own(
    helpdesk: Helpdesk,
) -> None:
    chat = await Chat.start(helpdesk)
    beamer = "Ich möchte eine Störung melden: der Beamer im Raum 3.12 zeigt kein Bild"
    await chat.say("Mein VPN bricht im Homeoffice ständig ab", f"Ticket: {beamer}")
    beamer_number = await chat.number()
    assert (await chat.ticket())["subject"] == "Der Beamer im Raum 3.12 zeigt kein Bild"
    request = "Ich möchte mit einem Menschen sprechen. Das VPN bricht immer noch ab"
    assert (await chat.say(request))["state"] == "queued"
    # The handoff is the VPN's, with a ticket of its own, not the projector's.
    assert await chat.number() != beamer_number
    vpn = await chat.ticket()
    assert "VPN" in vpn["subject"] and vpn["category"] == "network", vpn["subject"]


async def test_a_ticket_from_the_form_about_the_question_in_hand_is_its_ticket(
    sqlite_helpdesk: Helpdesk,
) -> None:
    chat = await Chat.start(sqlite_helpdesk)
    question = "Mein VPN bricht im Homeoffice ständig ab"
    await chat.say(question, f"Ticket: {question}")  # the form took the question over
    form = await chat.number()
    await chat.say("Ich möchte mit einem Menschen sprechen")
    assert await chat.number() == form


async def test_the_agent_is_suggested_articles_for_the_problem_not_only_the_last_words(
    sqlite_helpdesk: Helpdesk,
) -> None:
    chat = await Chat.start(sqlite_helpdesk)
    await chat.say(
        "Der Drucker im 2. OG druckt nicht",
        "Ich möchte mit einem Menschen sprechen",
        "Hallo? Wie lange dauert das noch?",
    )
    url = f"/api/agent/conversations/{chat.cid}"
    context = (await sqlite_helpdesk.client.get(url, headers=chat.agent)).json()
    slugs = [s["slug"] for s in context["suggestions"]]
    assert slugs[0] == "printer-not-printing", slugs
    scores = [s["score"] for s in context["suggestions"]]
    assert scores == sorted(scores, reverse=True) and len(set(slugs)) == len(slugs)


async def test_asking_again_about_a_resolved_problem_reopens_its_ticket(
    sqlite_helpdesk: Helpdesk,
) -> None:
    chat = await Chat.start(sqlite_helpdesk)
    await chat.say("Der Drucker im 2. OG druckt nicht", "Ich möchte mit einem Menschen sprechen")
    await chat.agent_post("claim")
    await chat.agent_post("close", {"resolution": "Toner getauscht"})
    number = await chat.number()
    assert (await chat.ticket(number))["status"] == "resolved"
    again = "Ich möchte mit einem Menschen sprechen. Der Drucker im 2. OG druckt wieder nicht"
    assert (await chat.say(again))["state"] == "queued"
    # The same ticket, back at work: the resolution that did not hold is in its history.
    assert await chat.number() == number
    ticket = await chat.ticket(number)
    assert (ticket["status"], ticket["resolution"]) == ("in_progress", "")
    changes = [(a["detail"].get("old"), a["detail"].get("new")) for a in ticket["activity"]]
    assert ("resolved", "in_progress") in changes, changes
    # A closed ticket is final: the next request about the printer gets a new one.
    await chat.agent_post("claim")
    await chat.agent_post("close", {"resolution": "Drucker getauscht"})
    closed = await sqlite_helpdesk.client.patch(
        f"/api/agent/tickets/{number}", json={"status": "closed"}, headers=chat.agent
    )
    assert closed.status_code == 200, closed.text
    await chat.say(again)
    assert await chat.number() != number
    new = await chat.ticket()
    assert new["status"] == "new" and "Drucker" in new["subject"], new["subject"]


async def test_the_employees_answer_to_a_ticket_question_reaches_the_ticket(
    helpdesk: Helpdesk,
) -> None:
    ScriptedBot(helpdesk)
    employee = helpdesk.as_employee()
    agent = await staff(helpdesk, "agent")
    cid = await helpdesk.start_chat(employee)
    await _say(helpdesk, cid, employee, "Ticket: Laptop startet nicht")
    number = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()[
        "ticket_number"
    ]
    url = f"/api/agent/tickets/{number}"
    await helpdesk.client.patch(url, json={"status": "on_hold"}, headers=agent["headers"])
    await helpdesk.client.post(
        f"{url}/reply", json={"text": "Welche Fehlermeldung sehen Sie?"}, headers=agent["headers"]
    )
    state = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    assert state["awaiting_reply"]["number"] == number
    relayed = len(helpdesk.rasa.received)
    reply = await _say(helpdesk, cid, employee, "Fehler 0x80070005 beim Start")
    assert reply["to_ticket"] == number and reply["state"] == "bot"
    assert len(helpdesk.rasa.received) == relayed  # the bot did not take it
    assert number in reply["messages"][0]["text"]
    assert "meldet sich hier" in reply["messages"][0]["text"]  # nobody is in the chat now
    ticket = await _ticket(helpdesk, number, agent["headers"])
    assert ticket["status"] == "in_progress"
    replies = [a for a in ticket["activity"] if a["kind"] == "requester_reply"]
    assert [a["text"] for a in replies] == ["Fehler 0x80070005 beim Start"]
    state = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    assert state["awaiting_reply"] is None
    # The next message goes to the bot again.
    await _say(helpdesk, cid, employee, "Der Drucker druckt nicht")
    assert len(helpdesk.rasa.received) == relayed + 1


async def test_outside_service_hours_there_is_no_estimate_and_sla_counts_open_hours(
    tmp_path: Path,
) -> None:
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    closed_days = [(today + timedelta(days=n)).isoformat() for n in range(3)]
    settings = make_settings(tmp_path, service_hours="mon-sun 08:00-16:00", holidays=closed_days)
    opens = datetime.combine(today + timedelta(days=3), datetime.min.time()).replace(
        hour=8, tzinfo=ZoneInfo("Europe/Berlin")
    )
    async with running_helpdesk(settings) as helpdesk:
        ScriptedBot(helpdesk)
        employee = helpdesk.as_employee()
        agent = await staff(helpdesk, "agent")
        cid = await helpdesk.start_chat(employee)
        state = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
        assert state["desk"]["open"] is False
        assert datetime.fromisoformat(state["desk"]["opens_at"]) == opens
        assert helpdesk.rasa.internal is not None
        await _say(helpdesk, cid, employee, "Der Drucker druckt nicht")
        handoff = await helpdesk.rasa.internal.post(
            f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
        )
        body = handoff.json()
        assert body["outcome"] == "out_of_hours" and body["estimated_wait_minutes"] is None
        assert body["opens_at_text"].endswith("um 08:00 Uhr")
        ticket = await _ticket(helpdesk, body["ticket_number"], agent["headers"])
    first_due = datetime.fromisoformat(ticket["sla"]["first_response_due"])
    assert ticket["priority"] == 4
    # Priority 4: 480 minutes to the first response, that is one whole 8-hour service day.
    assert first_due == opens + timedelta(hours=8)


def test_service_hours_count_only_open_time() -> None:
    from handoff.servicehours import ServiceHours

    hours = ServiceHours.parse("mon-fri 07:00-18:00", "Europe/Berlin", ["2026-12-25"])
    berlin = ZoneInfo("Europe/Berlin")
    friday_evening = datetime(2026, 12, 4, 17, 30, tzinfo=berlin)
    assert hours.add_open_minutes(friday_evening, 60) == datetime(2026, 12, 7, 7, 30, tzinfo=berlin)
    christmas_eve = datetime(2026, 12, 24, 20, 0, tzinfo=berlin)
    assert hours.next_opening(christmas_eve) == datetime(2026, 12, 28, 7, 0, tzinfo=berlin)
    always = ServiceHours.parse("mon-sun 00:00-24:00", "Europe/Berlin", [])
    start = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert always.add_open_minutes(start, 900) == start + timedelta(minutes=900)
    assert hours.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=berlin)) is False
    assert date(2026, 12, 25) in hours.holidays


async def test_every_device_of_the_employee_sees_the_same_history(
    sqlite_helpdesk: Helpdesk,
) -> None:
    ScriptedBot(sqlite_helpdesk)
    phone = sqlite_helpdesk.as_employee()
    laptop = sqlite_helpdesk.as_employee()  # another token of the same employee
    first = await sqlite_helpdesk.start_chat(phone)
    await _say(sqlite_helpdesk, first, phone, "Ticket: Monitor flackert")
    second = await sqlite_helpdesk.start_chat(phone)
    await _say(sqlite_helpdesk, second, phone, "Ich habe mein Passwort vergessen")
    listed = (await sqlite_helpdesk.client.get("/api/chat/conversations", headers=laptop)).json()
    rows = listed["conversations"]
    assert [r["conversation_id"] for r in rows] == [second, first]
    assert rows[0]["title"] == "Ich habe mein Passwort vergessen" and rows[0]["tickets"] == []
    assert rows[1]["tickets"][0]["subject"] == "Monitor flackert"
    other = sqlite_helpdesk.as_employee("ben.kraus@brandt.example", "Ben Kraus")
    mine = (await sqlite_helpdesk.client.get("/api/chat/conversations", headers=other)).json()
    assert mine["conversations"] == []


async def test_after_the_follow_up_window_a_message_starts_a_new_conversation(
    tmp_path: Path,
) -> None:
    async with running_helpdesk(make_settings(tmp_path, reopen_minutes=0)) as helpdesk:
        ScriptedBot(helpdesk)
        employee = helpdesk.as_employee()
        admin = await staff(helpdesk, "admin")
        cid = await helpdesk.start_chat(employee)
        await _say(helpdesk, cid, employee, "Der Drucker druckt nicht")
        await helpdesk.client.post(
            f"/api/agent/conversations/{cid}/close", json={}, headers=admin["headers"]
        )
        after = await _say(helpdesk, cid, employee, "Noch eine Frage")
    assert after["new_conversation"] is True and after["conversation_id"] != cid


async def test_the_queue_is_ordered_by_priority_then_waiting_time(
    sqlite_helpdesk: Helpdesk,
) -> None:
    ScriptedBot(sqlite_helpdesk)
    agent = await staff(sqlite_helpdesk, "agent")
    queued = []
    for name in ("anna", "ben", "carla"):
        employee = sqlite_helpdesk.as_employee(f"{name}@brandt.example", name.title())
        cid = await sqlite_helpdesk.start_chat(employee)
        await _say(sqlite_helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
        state = await sqlite_helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)
        queued.append((cid, state.json()["ticket_number"]))
    # Carla's problem is urgent: priority 1 puts her first, the others keep their order.
    await sqlite_helpdesk.client.patch(
        f"/api/agent/tickets/{queued[2][1]}",
        json={"impact": "high", "urgency": "high"},
        headers=agent["headers"],
    )
    order = (await sqlite_helpdesk.client.get("/api/agent/queue", headers=agent["headers"])).json()
    assert [q["conversation_id"] for q in order["queue"]] == [
        queued[2][0],
        queued[0][0],
        queued[1][0],
    ]
    assert [q["position"] for q in order["queue"]] == [1, 2, 3]


async def test_a_second_chat_of_the_same_employee_is_linked_in_the_queue(
    sqlite_helpdesk: Helpdesk,
) -> None:
    ScriptedBot(sqlite_helpdesk)
    agent = await staff(sqlite_helpdesk, "agent")
    employee = sqlite_helpdesk.as_employee()
    first = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, first, employee, "Ich möchte mit einem Menschen sprechen")
    second = await sqlite_helpdesk.start_chat(employee)
    queue = (await sqlite_helpdesk.client.get("/api/agent/queue", headers=agent["headers"])).json()
    assert queue["queue"][0]["related"] == [{"conversation_id": second, "state": "bot"}]


@pytest.mark.parametrize(
    ("typed", "relayed"),
    [
        ("/request_human", "request_human"),
        ('/inform{"impact":"high"}', 'inform{"impact":"high"}'),
        (" /request_human", "request_human"),
        ("\t/request_human", "request_human"),
        ("\u00a0/request_human", "request_human"),
        ("/ /request_human", "request_human"),
        ("//request_human", "request_human"),
        (" / \u00a0/ //request_human ", "request_human"),
        ("/\n/request_human", "request_human"),
        ("a /request_human", "a /request_human"),
    ],
)
async def test_a_typed_intent_is_plain_text(
    sqlite_helpdesk: Helpdesk, typed: str, relayed: str
) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, typed)
    sent = sqlite_helpdesk.rasa.received[-1]["message"]
    assert sent == relayed and not sent.strip().startswith("/")  # as Rasa looks at it
    transcript = await sqlite_helpdesk.client.get(
        f"/api/chat/sessions/{cid}/messages", headers=employee
    )
    assert transcript.json()["messages"][0]["text"] == typed.strip()  # stored as written


@pytest.mark.parametrize("typed", ["/", "///", " / / ", "/\u00a0/\t/"])
async def test_a_message_of_nothing_but_slashes_is_refused_as_empty(
    sqlite_helpdesk: Helpdesk, typed: str
) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    response = await sqlite_helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": typed}, headers=employee
    )
    assert response.status_code == 422 and "empty" in response.json()["detail"]
    assert sqlite_helpdesk.rasa.received == []
    transcript = await sqlite_helpdesk.client.get(
        f"/api/chat/sessions/{cid}/messages", headers=employee
    )
    assert transcript.json()["messages"] == []


async def test_agents_close_only_their_own_live_chats(sqlite_helpdesk: Helpdesk) -> None:
    ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    anna, ben = await staff(sqlite_helpdesk, "agent"), await staff(sqlite_helpdesk, "agent")
    admin = await staff(sqlite_helpdesk, "admin")
    cid = await sqlite_helpdesk.start_chat(employee)
    url = f"/api/agent/conversations/{cid}"
    with_bot = await sqlite_helpdesk.client.post(f"{url}/close", json={}, headers=anna["headers"])
    assert with_bot.status_code == 409
    await _say(sqlite_helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
    queued = await sqlite_helpdesk.client.post(f"{url}/close", json={}, headers=anna["headers"])
    assert queued.status_code == 409
    await sqlite_helpdesk.client.post(f"{url}/claim", headers=anna["headers"])
    foreign = await sqlite_helpdesk.client.post(f"{url}/close", json={}, headers=ben["headers"])
    assert foreign.status_code == 403
    by_admin = await sqlite_helpdesk.client.post(f"{url}/close", json={}, headers=admin["headers"])
    assert by_admin.status_code == 200 and by_admin.json()["state"] == "closed"


async def test_an_off_topic_follow_up_hears_where_the_chats_ticket_stands(
    sqlite_helpdesk: Helpdesk,
) -> None:
    bot = ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    admin = await staff(sqlite_helpdesk, "admin")
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, "Wann ist die Weihnachtsfeier?")
    assert bot.answers[-1]["related"] is False and bot.answers[-1]["follow_up"] is None
    await _say(sqlite_helpdesk, cid, employee, "Der Drucker im 2. OG druckt nicht")
    await _say(sqlite_helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
    await sqlite_helpdesk.client.post(
        f"/api/agent/conversations/{cid}/close",
        json={"resolution": "Toner getauscht"},
        headers=admin["headers"],
    )
    await _say(sqlite_helpdesk, cid, employee, "Wann ist die Weihnachtsfeier?")
    answer = bot.answers[-1]
    assert answer["related"] is False
    assert "INC-000001" in answer["follow_up"] and "Gelöst" in answer["follow_up"]
    assert "Toner getauscht." in answer["follow_up"]


async def test_a_ticket_answer_in_a_live_chat_promises_nothing_more(
    sqlite_helpdesk: Helpdesk,
) -> None:
    """The agent asked on the ticket while chatting: the answer reaches both, quietly."""
    ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    agent = await staff(sqlite_helpdesk, "agent")
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, "Der Monitor bleibt schwarz")
    await _say(sqlite_helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
    await sqlite_helpdesk.client.post(
        f"/api/agent/conversations/{cid}/claim", headers=agent["headers"]
    )
    state = await sqlite_helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)
    url = f"/api/agent/tickets/{state.json()['ticket_number']}"
    await sqlite_helpdesk.client.patch(url, json={"status": "on_hold"}, headers=agent["headers"])
    await sqlite_helpdesk.client.post(
        f"{url}/reply", json={"text": "Welches Modell?"}, headers=agent["headers"]
    )
    reply = await _say(sqlite_helpdesk, cid, employee, "Eine Dell WD19")
    assert reply["to_ticket"] and reply["state"] == "agent"
    notice = reply["messages"][0]["text"]
    assert reply["to_ticket"] in notice and "meldet sich hier" not in notice


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def _send_file(helpdesk: Helpdesk, cid: str, headers: dict[str, str]) -> None:
    response = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/attachments",
        files={"file": ("fehler.png", _png(), "image/png")},
        headers=headers,
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("caption", ["Hier die Fehlermeldung", "Here is the error message"])
@pytest.mark.parametrize("typed_with_file", [True, False], ids=["typed-with", "after"])
async def test_words_sent_with_a_file_stay_with_the_problem_it_shows(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch, caption: str, typed_with_file: bool
) -> None:
    """The real model finds a few loosely related articles for such words (the walk-through in
    tests/integration); the fake embedder's scores are lower, so every hit counts as related."""
    from handoff.conversations import assistant
    from kb_index import RelatedRule

    monkeypatch.setattr(assistant, "RELATED", RelatedRule(floor=0.0))
    bot = ScriptedBot(sqlite_helpdesk)
    agent = await staff(sqlite_helpdesk, "agent", "Anna Schmidt")
    # Said with no file before it, the caption is a question of its own: a topic of its own.
    alone = sqlite_helpdesk.as_employee("ben.roth@brandt.example", "Ben Roth")
    cid = await sqlite_helpdesk.start_chat(alone)
    await _say(sqlite_helpdesk, cid, alone, "Der Drucker druckt nicht")
    await _say(sqlite_helpdesk, cid, alone, caption)
    # Sent with the screenshot of the printer's error, it describes that problem.
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, "Der Drucker druckt nicht")
    if typed_with_file:  # as the widget sends them: the words first, saying a file follows
        await _say(sqlite_helpdesk, cid, employee, caption, files=1)
        await _send_file(sqlite_helpdesk, cid, employee)
    else:
        await _send_file(sqlite_helpdesk, cid, employee)
        await _say(sqlite_helpdesk, cid, employee, caption)
    queued = await _say(sqlite_helpdesk, cid, employee, "Ich möchte mit einem Menschen sprechen")
    _, own, printer, with_file = bot.answers
    assert own["related"] and not own["confident"]
    assert (own["topic"], own["new_topic"], own["about_file"]) == (2, True, False)
    # The bot is told, and offers people to look at the file instead of articles.
    assert (with_file["topic"], with_file["new_topic"], with_file["about_file"]) == (1, False, True)
    assert queued["state"] == "queued"
    state = (await sqlite_helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    ticket = await _ticket(sqlite_helpdesk, state["ticket_number"], agent["headers"])
    assert ticket["subject"].startswith("Der Drucker druckt nicht"), ticket["subject"]
    # The topic's articles stay the printer's: the escalation summary names those.
    context = (
        await sqlite_helpdesk.client.get(
            f"/api/agent/conversations/{cid}", headers=agent["headers"]
        )
    ).json()
    offered = ", ".join(h["slug"] for h in printer["hits"])
    assert context["summary"].splitlines()[1] == f"Articles offered: {offered}"


async def test_a_new_question_sent_with_a_file_that_search_is_sure_of_is_a_new_topic(
    sqlite_helpdesk: Helpdesk,
) -> None:
    bot = ScriptedBot(sqlite_helpdesk)
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    await _say(sqlite_helpdesk, cid, employee, "Der Drucker druckt nicht")
    await _send_file(sqlite_helpdesk, cid, employee)
    await _say(sqlite_helpdesk, cid, employee, PASSWORD_TITLE)
    printer, password = bot.answers
    assert password["confident"] and password["hits"][0]["slug"] == "password-reset"
    assert (printer["topic"], password["topic"], password["new_topic"]) == (1, 2, True)
    assert password["about_file"] is False
