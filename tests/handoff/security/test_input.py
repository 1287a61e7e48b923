"""Unstorable text, strict ticket numbers, 404 for others' tickets, employee tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from pydantic import ValidationError

from handoff.database import utcnow

from ..conftest import Helpdesk, make_settings, running_helpdesk
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


async def test_the_escalation_summary_stays_internal(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    cid, employee = await queued_chat(h)
    agent = await staff(h, "agent")
    await h.client.post(f"/api/agent/conversations/{cid}/claim", headers=agent["headers"])
    escalated = await h.client.post(
        f"/api/agent/conversations/{cid}/escalate",
        json={"summary": "Nutzerin wirkt überfordert, Netzwerkteam bitte prüfen", "level": 2},
        headers=agent["headers"],
    )
    number = escalated.json()["ticket_number"]
    mine = await h.client.get(f"/api/tickets/{number}", headers=employee)
    steps = [a for a in mine.json()["history"] if a["kind"] == "escalated"]
    assert steps and all(a["text"] == "" for a in steps)
    assert "überfordert" not in mine.text
    staff_view = await h.client.get(f"/api/agent/tickets/{number}", headers=agent["headers"])
    assert "überfordert" in staff_view.text


async def test_production_keeps_the_api_schema_for_staff(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, env="production", public_url="https://helpdesk.example")
    async with running_helpdesk(settings) as h:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await h.client.get(path)).status_code in (401, 404), path
        agent = await staff(h, "agent")
        schema = await h.client.get("/openapi.json", headers=agent["headers"])
        assert schema.status_code == 200 and "/api/auth/login" in schema.json()["paths"]


def test_production_refuses_an_http_public_url(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        make_settings(tmp_path, env="production", public_url="http://helpdesk.example")
    assert "must be https://" in str(error.value)
    secret = "s3cr3t-value-that-is-far-too-short"
    with pytest.raises(ValidationError) as error:
        make_settings(tmp_path, secret_key=secret[:20])
    assert secret[:20] not in str(error.value)
    make_settings(
        tmp_path,
        env="production",
        public_url="http://helpdesk.example",
        allow_insecure_public_url=True,
    )


async def test_the_api_page_loads_nothing_from_elsewhere(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    page = await h.client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/") for s in sources)
    for source in sources:
        assert (await h.client.get(source)).status_code == 200, source
    assert "<script>" not in page.text  # no inline script for the CSP to allow
