"""Files go with the chat's ticket: to a person, after a hand-back, and into level 2."""

from __future__ import annotations

from typing import Any

from ..conftest import Helpdesk
from ..factories import queued_chat, staff
from .test_attachments import _upload, screenshot


async def test_every_file_of_the_chat_goes_with_the_escalation_to_level_two(
    helpdesk: Helpdesk,
) -> None:
    cid, employee = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent")
    url = f"/api/agent/conversations/{cid}"
    await helpdesk.client.post(f"{url}/claim", headers=agent["headers"])
    await _upload(helpdesk, cid, employee, "erster.png", screenshot(), "image/png")
    await helpdesk.client.post(f"{url}/handback", headers=agent["headers"])

    # Back with the bot, whose ticket form takes the next screenshot (no ticket yet) ...
    async def form(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        return [{"recipient_id": sender, "text": "Danke, der Screenshot ist beim Ticket."}]

    helpdesk.rasa.on_message = form
    helpdesk.rasa.forms[cid] = "ticket_form"
    await _upload(helpdesk, cid, employee, "zweiter.png", screenshot(), "image/png")

    # ... then the employee asks for a person again: the chat's ticket takes it along.
    async def person(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        assert helpdesk.rasa.internal is not None
        await helpdesk.rasa.internal.post(
            f"/api/internal/conversations/{sender}/handoff", json={"reason": "requested"}
        )
        return [{"recipient_id": sender, "text": "Ich verbinde Sie."}]

    helpdesk.rasa.on_message = person
    helpdesk.rasa.forms.clear()
    asked = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Mensch bitte"}, headers=employee
    )
    assert asked.json()["state"] == "queued", asked.text
    await helpdesk.client.post(f"{url}/claim", headers=agent["headers"])
    escalated = await helpdesk.client.post(
        f"{url}/escalate",
        json={"summary": "Siehe Screenshots", "level": 2},
        headers=agent["headers"],
    )
    assert escalated.status_code == 200, escalated.text
    number = escalated.json()["ticket_number"]
    ticket = (
        await helpdesk.client.get(f"/api/agent/tickets/{number}", headers=agent["headers"])
    ).json()
    assert ticket["level"] == 2
    listed = await helpdesk.client.get(
        "/api/agent/attachments", params={"ticket": number}, headers=agent["headers"]
    )
    assert [a["name"] for a in listed.json()["attachments"]] == ["erster.png", "zweiter.png"]
