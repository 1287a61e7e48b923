"""Claims, ticket changes and escalations land in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..conftest import Helpdesk
from ..factories import queued_chat, staff


async def test_agent_actions_are_audited(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    agent = await staff(h, "agent")
    cid, _ = await queued_chat(h)
    await h.client.post(f"/api/agent/conversations/{cid}/claim", headers=agent["headers"])
    number = (await h.client.get("/api/agent/tickets", headers=agent["headers"])).json()["tickets"][
        0
    ]["number"]
    await h.client.patch(
        f"/api/agent/tickets/{number}", json={"impact": "high"}, headers=agent["headers"]
    )
    await h.client.post(
        f"/api/agent/conversations/{cid}/escalate",
        json={"summary": "Netzwerk", "level": 2},
        headers=agent["headers"],
    )
    events = (await h.client.get("/api/admin/audit", headers=admin["headers"])).json()["events"]
    mine = [(e["action"], e["target"]) for e in events if e["actor"] == f"user:{agent['username']}"]
    assert mine[:3] == [
        ("chat.escalate", number),
        ("ticket.change", number),
        ("chat.claim", cid),
    ]
    change = next(e for e in events if e["action"] == "ticket.change")
    assert change["detail"] == {"impact": "high"}


async def test_the_database_refuses_to_change_or_delete_audit_events(helpdesk: Helpdesk) -> None:
    h = helpdesk
    await staff(h, "agent")  # its login is audited
    for sql in (
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ):
        async with h.app.state.open_db() as db:
            with pytest.raises(DBAPIError, match="append-only"):
                await db.execute(text(sql))
    async with h.app.state.open_db() as db:
        assert await db.scalar(text("SELECT count(*) FROM audit_events WHERE action = 'login'"))
    await h.client.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    async with h.app.state.open_db() as db:  # adding goes on
        assert await db.scalar(text("SELECT count(*) FROM audit_events")) == 2
