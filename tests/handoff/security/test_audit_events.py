"""Claims, ticket changes and escalations land in the audit log."""

from __future__ import annotations

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
