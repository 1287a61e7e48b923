"""Factories for staff accounts and chats in a given state."""

from __future__ import annotations

import itertools
from typing import Any

from handoff.users import service as user_service

from .conftest import Helpdesk

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


async def staff(helpdesk: Helpdesk, role: str = "agent", name: str | None = None) -> dict[str, Any]:
    """Create a staff account and log it in; return bearer headers and the login body."""
    username = f"{role}{next(_counter)}"
    async with helpdesk.app.state.open_db() as db:
        await user_service.create_user(
            db=db,
            username=username,
            password=PASSWORD,
            role=role,
            display_name=name or username.title(),
        )
        await db.commit()
    response = await helpdesk.client.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    helpdesk.client.cookies.clear()  # each test chooses cookie or bearer explicitly
    body = response.json()
    return {
        "headers": {"Authorization": f"Bearer {body['token']}"},
        "login": body,
        "username": username,
        "cookies": dict(response.cookies),
    }


async def queued_chat(
    helpdesk: Helpdesk,
    email: str = "anna.berger@brandt.example",
    text: str = "Ich brauche einen Menschen",
) -> tuple[str, dict[str, str]]:
    """A conversation that asked for a person (via the internal API, as the bot does)."""
    headers = helpdesk.as_employee(email, email.split("@")[0].replace(".", " ").title())

    async def handoff(sender: str, message: str, metadata: dict[str, Any]) -> list[Any]:
        assert helpdesk.rasa.internal is not None
        await helpdesk.rasa.internal.post(
            f"/api/internal/conversations/{sender}/handoff", json={"reason": "requested"}
        )
        return [{"recipient_id": sender, "text": "Ich verbinde Sie mit dem IT Service Desk."}]

    helpdesk.rasa.on_message = handoff
    cid = await helpdesk.start_chat(headers)
    response = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=headers
    )
    assert response.json()["state"] == "queued", response.text
    helpdesk.rasa.on_message = helpdesk.rasa._echo
    return cid, headers
