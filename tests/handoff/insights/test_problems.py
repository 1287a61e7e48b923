"""Known problems: the notice reaches who asks about them, the note everyone who saw it."""

from __future__ import annotations

from typing import Any

from ..conftest import Helpdesk
from ..factories import staff

PASSWORD_QUESTION = "Passwort vergessen – selbst zurücksetzen"
NOTICE = {"de": "Bekannte Störung: Anmeldung gestört.", "en": "Known problem: sign-in is down."}
NOTE = {"de": "Die Anmeldung geht wieder.", "en": "Sign-in works again."}


def bot_that_searches(helpdesk: Helpdesk, lang: str, open_ticket: bool = False) -> None:
    """The fake bot searches the knowledge base for every message (and may open a ticket)."""

    async def action(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        internal = helpdesk.rasa.internal
        assert internal is not None
        params = {"q": text, "lang": lang, "conversation_id": sender}
        assert (await internal.get("/api/internal/kb/answer", params=params)).status_code == 200
        if open_ticket:
            draft = {
                "conversation_id": sender,
                "description": text,
                "impact": "low",
                "urgency": "low",
            }
            created = await internal.post("/api/internal/tickets", json=draft)
            assert created.status_code == 201, created.text
        return [{"recipient_id": sender, "text": "Hier ist der Artikel."}]

    helpdesk.rasa.on_message = action


async def ask(helpdesk: Helpdesk, email: str, lang: str, times: int = 1) -> tuple[str, Any]:
    employee = helpdesk.as_employee(email, email.split("@")[0].title())
    cid = await helpdesk.start_chat(employee, lang)
    for _ in range(times):
        sent = await helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages", json={"text": PASSWORD_QUESTION}, headers=employee
        )
        assert sent.status_code == 200, sent.text
    return cid, employee


async def system_texts(helpdesk: Helpdesk, cid: str, employee: Any) -> list[str]:
    response = await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=employee)
    return [m["text"] for m in response.json()["messages"] if m["sender"] == "system"]


async def test_notice_once_per_chat_then_the_note_to_all_and_tickets_resolved(
    helpdesk: Helpdesk,
) -> None:
    lead = (await staff(helpdesk, "lead"))["headers"]
    body = {"title": "Anmeldung", "notice": NOTICE, "articles": ["password-reset"]}
    created = await helpdesk.client.post("/api/problems", json=body, headers=lead)
    assert created.status_code == 201, created.text
    problem = created.json()["id"]

    bot_that_searches(helpdesk, "de", open_ticket=True)
    anna, anna_headers = await ask(helpdesk, "anna@brandt.example", "de", times=2)
    bot_that_searches(helpdesk, "en")
    ben, ben_headers = await ask(helpdesk, "ben@brandt.example", "en")
    # The reply to the question carries the notice first, then the bot's answer.
    again = await helpdesk.client.post(
        f"/api/chat/sessions/{ben}/messages", json={"text": PASSWORD_QUESTION}, headers=ben_headers
    )
    assert [m["sender"] for m in again.json()["messages"]] == ["bot"]  # shown once per chat
    carl = helpdesk.as_employee("carl@brandt.example", "Carl")
    carl_chat = await helpdesk.start_chat(carl, "en")
    first = await helpdesk.client.post(
        f"/api/chat/sessions/{carl_chat}/messages", json={"text": PASSWORD_QUESTION}, headers=carl
    )
    assert [(m["sender"], m["text"]) for m in first.json()["messages"]] == [
        ("system", NOTICE["en"]),
        ("bot", "Hier ist der Artikel."),
    ]
    assert await system_texts(helpdesk, anna, anna_headers) == [NOTICE["de"]]
    assert await system_texts(helpdesk, ben, ben_headers) == [NOTICE["en"]]

    banner = await helpdesk.client.get(
        "/api/chat/problems", params={"locale": "en"}, headers=ben_headers
    )
    assert [(p["id"], p["notice"]) for p in banner.json()] == [(problem, NOTICE["en"])]

    agent = (await staff(helpdesk, "agent"))["headers"]
    url = f"/api/problems/{problem}/resolve"
    resolved = await helpdesk.client.post(url, json={"note": NOTE}, headers=agent)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["told"] == 3 and len(resolved.json()["tickets"]) == 2
    assert await system_texts(helpdesk, anna, anna_headers) == [NOTICE["de"], NOTE["de"]]
    assert await system_texts(helpdesk, ben, ben_headers) == [NOTICE["en"], NOTE["en"]]
    for number in resolved.json()["tickets"]:
        ticket = await helpdesk.client.get(f"/api/tickets/{number}", headers=anna_headers)
        assert ticket.json()["status"] == "resolved", ticket.text
    again = await helpdesk.client.post(url, json={"note": NOTE}, headers=agent)
    assert again.status_code == 409
    banner = await helpdesk.client.get("/api/chat/problems", headers=ben_headers)
    assert banner.json() == []


async def test_who_may_declare_and_what_is_refused(sqlite_helpdesk: Helpdesk) -> None:
    client = sqlite_helpdesk.client
    body = {"title": "VPN", "notice": NOTICE, "articles": ["password-reset"]}
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    assert (await client.post("/api/problems", json=body, headers=editor)).status_code == 403
    lead = (await staff(sqlite_helpdesk, "lead"))["headers"]
    unknown = {**body, "articles": ["no-such-article"]}
    assert (await client.post("/api/problems", json=unknown, headers=lead)).status_code == 422
    blank = {**body, "notice": {"de": " ", "en": "x"}}
    assert (await client.post("/api/problems", json=blank, headers=lead)).status_code == 422
    assert (
        await client.post("/api/problems/999/resolve", json={"note": NOTE}, headers=lead)
    ).status_code == 404
    created = await client.post("/api/problems", json=body, headers=lead)
    listed = await client.get("/api/problems", params={"state": "open"}, headers=lead)
    assert [p["id"] for p in listed.json()] == [created.json()["id"]]
