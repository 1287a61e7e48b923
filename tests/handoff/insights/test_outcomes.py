"""Outcome figures on hand-made data where the right figure is known (SQLite and PostgreSQL).

The week of 2-8 March 2026:
- c1 Anna (de): the bot answered from vpn-drops; nothing followed -> self-solved, rated 5 (bot).
- c2 Ben (en): answered from vpn-drops, but Ben came back on the 5th (c2b) about the same
  article -> not self-solved.
- c2b Ben (en): not understood, handed to an agent (waited 120 s, first reply after 300 s),
  closed resolved, its ticket (P3) met both SLA clocks -> first-contact resolution.
- c3 Carla (de): answered from password-reset (account); two days later she opened an
  "account" ticket by phone -> not self-solved.
- c4 Dave (en): asked for a person (waited 60 s, reply after 90 s), ticket P2 escalated to
  level 2 and responded late -> rated 2 (agent).
- c5 Emma (de): a ticket from the form (hardware, P4), resolved and reopened.
Outside the week: Anna on 9 March (another article), Ben on 1 March.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from ..conftest import Helpdesk
from ..factories import staff
from . import data
from .data import at

WEEK = {"since": "2026-03-02", "until": "2026-03-08"}


async def march(helpdesk: Helpdesk) -> dict[str, str]:
    async with helpdesk.app.state.open_db() as db:
        await data.article(db, "t-vpn-drops", "network")
        await data.article(db, "t-password-reset", "account")
        await data.article(db, "t-printer-jam", "hardware")
        c1 = await data.chat(db, "anna", at(2))
        await data.turn(db, c1, "answered", "t-vpn-drops")
        await data.rate(db, c1, 5, "bot")
        c2 = await data.chat(db, "ben", at(3), "en")
        await data.turn(db, c2, "answered", "t-vpn-drops")
        c2b = await data.chat(
            db, "ben", at(5), "en", handoff_reason="low_confidence", queued_at=at(5, 9, 1),
            claimed_at=at(5, 9, 3), close_reason="resolved", state="closed",
        )  # fmt: skip
        await data.turn(db, c2b, "no_answer", "t-vpn-drops")
        await data.agent_reply(db, c2b, at(5, 9, 6))
        t2 = await data.ticket(db, "ben", at(5, 9, 1), c2b, priority=3, category="network")
        t2.first_responded_at, t2.resolved_at = at(5, 9, 6), at(5, 10)
        c3 = await data.chat(db, "carla", at(4))
        await data.turn(db, c3, "answered", "t-password-reset")
        await data.ticket(db, "carla", at(6), category="account")
        c4 = await data.chat(
            db, "dave", at(6), "en", handoff_reason="requested", queued_at=at(6, 9, 0),
            claimed_at=at(6, 9, 1), state="closed", close_reason="escalated",
        )  # fmt: skip
        await data.agent_reply(db, c4, at(6, 9, 1) + timedelta(seconds=30))
        await data.ticket(
            db, "dave", at(6), c4, priority=2, level=2, category="email",
            first_responded_at=at(6, 15),
        )  # fmt: skip
        await data.rate(db, c4, 2, "agent")
        c5 = await data.chat(db, "emma", at(7))
        t5 = await data.ticket(db, "emma", at(7), c5, priority=4, category="hardware")
        t5.resolved_at = at(7, 12)
        await data.reopen(db, t5, at(8))
        later = await data.chat(db, "anna", at(9))
        await data.turn(db, later, "answered", "t-printer-jam")
        earlier = await data.chat(db, "ben", at(1, 23, 59), "en")
        await data.turn(db, earlier, "answered", "t-vpn-drops")
        await db.commit()
    return {"c1": c1.id, "c2": c2.id, "c2b": c2b.id, "c3": c3.id, "c4": c4.id, "c5": c5.id}


async def _lead(helpdesk: Helpdesk) -> dict[str, str]:
    return (await staff(helpdesk, "lead"))["headers"]


async def test_the_summary_counts_every_definition(helpdesk: Helpdesk) -> None:
    await march(helpdesk)
    response = await helpdesk.client.get(
        "/api/insights/summary", params=WEEK, headers=await _lead(helpdesk)
    )
    assert response.status_code == 200, response.text
    s = response.json()
    assert (s["conversations"], s["self_solved"], s["handed_to_agent"]) == (6, 1, 2)
    assert s["tickets_opened"] == 3  # Carla's phone ticket belongs to no conversation
    assert s["csat"] == {"responses": 2, "average": 3.5}
    assert s["csat_by_handler"] == {
        "bot": {"responses": 1, "average": 5.0},
        "agent": {"responses": 1, "average": 2.0},
    }
    assert (s["first_contact_resolution"], s["escalated_to_level_2"], s["reopened"]) == (2, 1, 1)
    assert s["self_solved_pending"] == 0
    assert s["handoff_reasons"] == {
        "requested": 1, "low_confidence": 1, "negative_feedback": 0, "form": 1,
    }  # fmt: skip
    assert s["wait_for_agent"] == {"of": 2, "p50": 60.0, "p90": 120.0}
    assert s["first_agent_response"] == {"of": 2, "p50": 90.0, "p90": 300.0}
    assert s["sla"]["3"]["first_response"] == {"met": 1, "missed": 0, "running": 0}
    assert s["sla"]["2"]["first_response"] == {"met": 0, "missed": 1, "running": 0}
    assert s["sla"]["4"]["resolution"] == {"met": 1, "missed": 0, "running": 0}
    assert {k: v["conversations"] for k, v in s["by_language"].items()} == {"de": 3, "en": 3}
    categories = {k: v["conversations"] for k, v in s["by_category"].items()}
    assert categories == {"network": 3, "account": 1, "email": 1, "hardware": 1}
    assert [d["start"] for d in s["by_day"]] == [f"2026-03-0{d}" for d in range(2, 8)]
    assert [(w["start"], w["conversations"]) for w in s["by_week"]] == [("2026-03-02", 6)]
    assert s["denominators"]["self_solved"] == "conversations"


async def test_drill_down_lists_what_a_figure_counts(helpdesk: Helpdesk) -> None:
    ids = await march(helpdesk)
    lead = await _lead(helpdesk)

    async def listed(**params: str) -> list[str]:
        response = await helpdesk.client.get(
            "/api/insights/conversations", params={**WEEK, **params}, headers=lead
        )
        assert response.status_code == 200, response.text
        return [row["conversation_id"] for row in response.json()["conversations"]]

    assert await listed(figure="self_solved") == [ids["c1"]]
    assert await listed(figure="handed_to_agent") == [ids["c2b"], ids["c4"]]
    assert await listed(figure="first_contact_resolution") == [ids["c1"], ids["c2b"]]
    assert await listed(figure="reopened") == [ids["c5"]]
    assert await listed(figure="tickets_opened", reason="form") == [ids["c5"]]
    assert await listed(language="en", category="network") == [ids["c2"], ids["c2b"]]
    bad = await helpdesk.client.get(
        "/api/insights/conversations", params={**WEEK, "figure": "nonsense"}, headers=lead
    )
    assert bad.status_code == 422


async def test_csv_has_one_row_per_conversation(helpdesk: Helpdesk) -> None:
    ids = await march(helpdesk)
    response = await helpdesk.client.get(
        "/api/insights/conversations.csv", params=WEEK, headers=await _lead(helpdesk)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["conversation_id"] for r in rows) == sorted(ids.values())
    c4 = next(r for r in rows if r["conversation_id"] == ids["c4"])
    assert (c4["reason"], c4["escalated_to_level_2"], c4["rating"]) == ("requested", "True", "2")
    admin = (await staff(helpdesk, "admin"))["headers"]
    logged = await helpdesk.client.get(
        "/api/admin/audit", params={"action": "insights.export"}, headers=admin
    )
    [event] = logged.json()["events"]
    assert event["actor"].startswith("user:") and event["detail"] == {"rows": len(rows)}


async def test_csv_cells_run_no_formula(helpdesk: Helpdesk) -> None:
    """Finding 12: a cell starting with =, +, -, @ gets a leading ' in the spreadsheet."""
    attack = '=HYPERLINK("http://evil.example","x")'
    async with helpdesk.app.state.open_db() as db:
        await data.chat(db, attack, at(3))
        await data.chat(db, "@sum(a1)", at(4))
        await db.commit()
    response = await helpdesk.client.get(
        "/api/insights/conversations.csv", params=WEEK, headers=await _lead(helpdesk)
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["employee_id"] for r in rows) == ["'" + attack, "'@sum(a1)"]
    assert {r["self_solved"] for r in rows} == {"False"}  # other cells as they were


async def test_a_recent_answer_is_self_solved_but_pending(helpdesk: Helpdesk) -> None:
    from handoff.database import utcnow

    async with helpdesk.app.state.open_db() as db:
        c = await data.chat(db, "frank", utcnow() - timedelta(days=1))
        await data.turn(db, c, "answered", "t-vpn-drops")
        await db.commit()
    today = utcnow().date()
    params = {"since": (today - timedelta(days=2)).isoformat(), "until": today.isoformat()}
    response = await helpdesk.client.get(
        "/api/insights/summary", params=params, headers=await _lead(helpdesk)
    )
    assert (response.json()["self_solved"], response.json()["self_solved_pending"]) == (1, 1)


async def test_only_leads_and_admins_see_insights(sqlite_helpdesk: Helpdesk) -> None:
    url, client = "/api/insights/summary", sqlite_helpdesk.client
    for role, status in (("agent", 403), ("editor", 403), ("lead", 200), ("admin", 200)):
        headers = (await staff(sqlite_helpdesk, role))["headers"]
        assert (await client.get(url, params=WEEK, headers=headers)).status_code == status, role
    employee = sqlite_helpdesk.as_employee()
    assert (await client.get(url, params=WEEK, headers=employee)).status_code == 403
    assert (await client.get(url, params=WEEK)).status_code == 401
    lead = (await staff(sqlite_helpdesk, "lead"))["headers"]
    for params in (
        {"since": "2026-03-08", "until": "2026-03-01"},
        {"since": "2026-13-01", "until": "2026-03-01"},
        {"since": "2020-01-01", "until": "2026-03-01"},
        {"since": "2026-03-01"},
    ):
        assert (await client.get(url, params=params, headers=lead)).status_code == 422, params
