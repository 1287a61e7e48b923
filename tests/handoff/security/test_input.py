"""Unstorable text, strict ticket numbers, 404 for others' tickets, employee tokens."""

from __future__ import annotations

from datetime import timedelta

import jwt

from handoff.database import utcnow

from ..conftest import Helpdesk
from ..factories import queued_chat, staff


async def test_lone_surrogates_and_nul_never_give_500(helpdesk: Helpdesk) -> None:
    employee = helpdesk.as_employee()
    cid = await helpdesk.start_chat(employee)
    url = f"/api/chat/sessions/{cid}/messages"
    raw = b'{"text": "Drucker \\ud800 kaputt \\u0000!"}'
    response = await helpdesk.client.post(
        url, content=raw, headers={**employee, "content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["text"] == "echo: Drucker  kaputt !"
    only = b'{"text": "\\ud800\\u0000"}'
    response = await helpdesk.client.post(
        url, content=only, headers={**employee, "content-type": "application/json"}
    )
    assert response.status_code == 422


async def test_nul_in_ticket_texts_is_422(helpdesk: Helpdesk) -> None:
    cid, _ = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent")
    tickets = await helpdesk.client.get("/api/agent/tickets", headers=agent["headers"])
    number = tickets.json()["tickets"][0]["number"]
    for path, body in [
        (f"/api/agent/tickets/{number}/notes", b'{"text": "a\\u0000b"}'),
        (f"/api/agent/tickets/{number}/reply", b'{"text": "x\\ud800"}'),
        (f"/api/agent/tickets/{number}", b'{"status": "resolved", "resolution": "ok\\u0000"}'),
    ]:
        method = "PATCH" if path.endswith(number) else "POST"
        response = await helpdesk.client.request(
            method,
            path,
            content=body,
            headers={**agent["headers"], "content-type": "application/json"},
        )
        assert response.status_code == 422, (path, response.text)


async def test_ticket_numbers_are_strict_and_others_are_404(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    await queued_chat(h, email="anna.berger@brandt.example")
    anna = h.as_employee("anna.berger@brandt.example", "Anna Berger")
    bob = h.as_employee("bob@brandt.example", "Bob")
    assert (await h.client.get("/api/tickets/INC-000001", headers=anna)).status_code == 200
    assert (await h.client.get("/api/tickets/-1", headers=anna)).status_code == 404
    mine_for_bob = await h.client.get("/api/tickets/INC-000001", headers=bob)
    missing = await h.client.get("/api/tickets/INC-000999", headers=bob)
    assert mine_for_bob.status_code == missing.status_code == 404
    assert mine_for_bob.json() == missing.json()


async def test_long_lived_tokens_are_refused_and_ids_are_one_case(
    sqlite_helpdesk: Helpdesk,
) -> None:
    h = sqlite_helpdesk
    secret = h.settings.employee_token_secret.get_secret_value()
    now = utcnow()

    def token(email: str, hours: float) -> dict[str, str]:
        claims = {"sub": email, "name": "Anna", "email": email, "iss": "intranet"}
        claims |= {"iat": now, "exp": now + timedelta(hours=hours)}
        return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}

    century = await h.client.get("/api/tickets", headers=token("anna@brandt.example", 876_000))
    assert century.status_code == 401
    assert "lifetime" in century.json()["detail"]
    cid = await h.start_chat(token("Anna@Brandt.example", 1))
    same = await h.client.get(
        f"/api/chat/sessions/{cid}/messages", headers=token("anna@brandt.EXAMPLE", 1)
    )
    assert same.status_code == 200
