"""The bot's ticket form hears of an employee's file; only the service can tell it so."""

from __future__ import annotations

from typing import Any

from handoff.attachments import service as attachment_service

from ..conftest import Helpdesk
from ..factories import queued_chat
from .test_attachments import _upload, screenshot

PAYLOAD = '/attachment_added{"attachment_name": "fehler.png"}'


async def _transcript(helpdesk: Helpdesk, cid: str, headers: dict[str, str]) -> list[Any]:
    response = await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=headers)
    return list(response.json()["messages"])


async def _files(helpdesk: Helpdesk, cid: str) -> list[Any]:
    async with helpdesk.app.state.open_db() as db:
        return await attachment_service.of_conversation(db=db, conversation_id=cid)


async def _chatting(
    helpdesk: Helpdesk, locale: str = "de", form: str | None = None
) -> tuple[str, dict[str, str]]:
    """A chat in which the bot has answered once (and then fills `form`, if given)."""
    employee = helpdesk.as_employee()
    cid = await helpdesk.start_chat(employee, locale=locale)
    if form:
        helpdesk.rasa.forms[cid] = form
    said = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Störung melden"}, headers=employee
    )
    assert said.status_code == 200, said.text
    return cid, employee


async def test_the_form_is_told_and_its_answer_stands_for_the_service(
    sqlite_helpdesk: Helpdesk,
) -> None:
    helpdesk = sqlite_helpdesk
    cid, employee = await _chatting(helpdesk, "en", form="ticket_form")

    async def form(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        return [
            {"recipient_id": sender, "text": "Thank you, the screenshot is with the ticket."},
            {"recipient_id": sender, "text": "Since when has this been happening?"},
        ]

    helpdesk.rasa.on_message = form
    seen = len(await _transcript(helpdesk, cid, employee))
    created = await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    assert created.status_code == 201, created.text
    told = helpdesk.rasa.received[-1]
    assert told["message"] == PAYLOAD
    assert told["metadata"]["locale"] == "en" and told["metadata"]["employee"]["name"]
    said = (await _transcript(helpdesk, cid, employee))[seen:]
    assert [m["sender"] for m in said] == ["user", "bot", "bot"]
    assert said[0]["attachments"][0]["name"] == "fehler.png"
    assert said[2]["text"] == "Since when has this been happening?"
    # No ticket yet: the file waits for the one the form opens.
    assert [f.ticket_id for f in await _files(helpdesk, cid)] == [None]
    # The channel said after the bot's turn that the form asks: Rasa was not asked again.
    assert helpdesk.rasa.tracker_requests == 0


async def test_what_the_channel_said_last_decides_and_rasa_is_asked_only_when_it_did_not(
    sqlite_helpdesk: Helpdesk,
) -> None:
    helpdesk = sqlite_helpdesk
    cid, employee = await _chatting(helpdesk)  # the bot's turn ended with no form asking
    helpdesk.rasa.forms[cid] = "ticket_form"  # only the tracker would say otherwise now
    relayed = len(helpdesk.rasa.received)
    await _upload(helpdesk, cid, employee, "eins.png", screenshot(), "image/png")
    assert len(helpdesk.rasa.received) == relayed  # acknowledged by the service, no bot turn
    assert helpdesk.rasa.tracker_requests == 0

    helpdesk.rasa.reports_form = False  # a channel that does not say which form asks
    said = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Drucker"}, headers=employee
    )
    assert said.status_code == 200, said.text
    await _upload(helpdesk, cid, employee, "zwei.png", screenshot(), "image/png")
    assert helpdesk.rasa.tracker_requests == 1
    assert (
        helpdesk.rasa.received[-1]["message"] == '/attachment_added{"attachment_name": "zwei.png"}'
    )


async def test_outside_the_form_the_service_acknowledges_without_a_bot_turn(
    sqlite_helpdesk: Helpdesk,
) -> None:
    helpdesk = sqlite_helpdesk
    cid, employee = await _chatting(helpdesk)
    fresh = await helpdesk.start_chat(employee)  # the bot has not spoken here yet
    relayed = len(helpdesk.rasa.received)
    await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    await _upload(helpdesk, fresh, employee, "neu.png", screenshot(), "image/png")
    assert len(helpdesk.rasa.received) == relayed
    for conversation in (cid, fresh):
        said = (await _transcript(helpdesk, conversation, employee))[-2:]
        assert [m["sender"] for m in said] == ["user", "system"]
        assert "Datei ist im Chat gespeichert" in said[1]["text"]


async def test_when_the_bot_is_away_the_file_is_kept_and_acknowledged(
    sqlite_helpdesk: Helpdesk,
) -> None:
    helpdesk = sqlite_helpdesk
    cid, employee = await _chatting(helpdesk, form="ticket_form")
    helpdesk.rasa.down = True
    away = await _upload(helpdesk, cid, employee, "zwei.png", screenshot(), "image/png")
    assert away.status_code == 201, away.text
    said = (await _transcript(helpdesk, cid, employee))[-2:]
    assert [m["sender"] for m in said] == ["user", "system"]
    assert "Datei ist im Chat gespeichert" in said[1]["text"]


async def test_the_bot_is_not_told_while_people_have_the_chat(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    helpdesk.rasa.forms[cid] = "ticket_form"  # left over from before the handoff
    before = len(helpdesk.rasa.received)
    created = await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    assert created.status_code == 201
    assert len(helpdesk.rasa.received) == before
    files = await _files(helpdesk, cid)
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
