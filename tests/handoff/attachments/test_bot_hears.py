"""The bot hears of an employee's file while it has the chat; only the service can say so."""

from __future__ import annotations

from typing import Any

from ..conftest import Helpdesk
from ..factories import queued_chat
from .test_attachments import _upload, screenshot, silent

PAYLOAD = '/attachment_added{"attachment_name": "fehler.png"}'


async def _transcript(helpdesk: Helpdesk, cid: str, headers: dict[str, str]) -> list[Any]:
    response = await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=headers)
    return list(response.json()["messages"])


async def _ticket_files(helpdesk: Helpdesk, cid: str) -> list[Any]:
    async with helpdesk.app.state.open_db() as db:
        from handoff.attachments import service as attachment_service

        return await attachment_service.of_conversation(db=db, conversation_id=cid)


async def test_the_bot_is_told_and_its_form_answer_stands_for_the_service(
    sqlite_helpdesk: Helpdesk,
) -> None:
    helpdesk = sqlite_helpdesk
    employee = helpdesk.as_employee()
    cid = await helpdesk.start_chat(employee, locale="en")

    async def form(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        return [
            {"recipient_id": sender, "text": "Thank you, the screenshot is with the ticket."},
            {"recipient_id": sender, "text": "Since when has this been happening?"},
        ]

    helpdesk.rasa.on_message = form
    created = await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    assert created.status_code == 201, created.text
    told = helpdesk.rasa.received[-1]
    assert told["message"] == PAYLOAD
    assert told["metadata"]["locale"] == "en" and told["metadata"]["employee"]["name"]
    said = await _transcript(helpdesk, cid, employee)
    assert [m["sender"] for m in said] == ["user", "bot", "bot"]
    assert said[0]["attachments"][0]["name"] == "fehler.png"
    assert said[2]["text"] == "Since when has this been happening?"
    # No ticket yet: the file waits for the one the form opens.
    assert [f.ticket_id for f in await _ticket_files(helpdesk, cid)] == [None]


async def test_when_the_bot_says_nothing_or_is_away_the_service_acknowledges(
    sqlite_helpdesk: Helpdesk,
) -> None:
    helpdesk = sqlite_helpdesk
    employee = helpdesk.as_employee()
    cid = await helpdesk.start_chat(employee)
    helpdesk.rasa.on_message = silent
    await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    helpdesk.rasa.down = True
    away = await _upload(helpdesk, cid, employee, "zwei.png", screenshot(), "image/png")
    assert away.status_code == 201, away.text  # the file is kept all the same
    said = await _transcript(helpdesk, cid, employee)
    assert [m["sender"] for m in said] == ["user", "system", "user", "system"]
    assert "Datei ist im Chat gespeichert" in said[1]["text"]
    assert said[3]["text"] == said[1]["text"]


async def test_the_bot_is_not_told_while_people_have_the_chat(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    before = len(helpdesk.rasa.received)
    created = await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    assert created.status_code == 201
    assert len(helpdesk.rasa.received) == before
    files = await _ticket_files(helpdesk, cid)
    assert files[0].ticket_id is not None  # straight onto the ticket the people work on


async def test_employees_cannot_send_the_services_payload(sqlite_helpdesk: Helpdesk) -> None:
    helpdesk = sqlite_helpdesk
    employee = helpdesk.as_employee()
    cid = await helpdesk.start_chat(employee)
    url = f"/api/chat/sessions/{cid}/messages"
    typed = await helpdesk.client.post(url, json={"text": PAYLOAD}, headers=employee)
    assert typed.status_code == 200
    assert helpdesk.rasa.received[-1]["message"] == PAYLOAD.lstrip("/")  # text, no intent
    as_button = await helpdesk.client.post(
        url, json={"text": "x", "payload": PAYLOAD}, headers=employee
    )
    assert as_button.status_code == 422
    assert all(r["message"] != PAYLOAD for r in helpdesk.rasa.received)
