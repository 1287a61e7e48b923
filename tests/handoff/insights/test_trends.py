"""Trends per article and category, "didn't help" articles, and the spike endpoint (both DBs)."""

from __future__ import annotations

from datetime import timedelta

from handoff.conversations.models import Feedback
from handoff.database import utcnow
from handoff.tickets.models import format_number

from ..conftest import Helpdesk
from ..factories import staff
from . import data
from .data import at

TWO_WEEKS = {"since": "2026-03-02", "until": "2026-03-15"}


async def test_questions_per_week_with_the_change_and_what_did_not_help(
    helpdesk: Helpdesk,
) -> None:
    async with helpdesk.app.state.open_db() as db:
        await data.article(db, "t-vpn", "network")
        await data.article(db, "t-mail", "email")
        for day, slug in [(2, "t-vpn"), (3, "t-vpn"), (4, "t-mail")] + [
            (9 + i, "t-vpn") for i in range(5)
        ]:
            c = await data.chat(db, f"e{day}", at(day))
            await data.turn(db, c, "answered", slug)
            await data.turn(db, c, "answered", slug)  # asked twice in one chat: counted once
        c = await data.chat(db, "late", at(16))
        await data.turn(db, c, "answered", "t-mail")  # after the period
        for slug, helpful in [("t-mail", False), ("t-mail", False), ("t-mail", True)] + [
            ("t-vpn", True)
        ] * 3:
            db.add(Feedback(conversation_id=c.id, slug=slug, helpful=helpful, created_at=at(10)))
        await db.commit()
    lead = (await staff(helpdesk, "lead"))["headers"]
    response = await helpdesk.client.get("/api/insights/trends", params=TWO_WEEKS, headers=lead)
    assert response.status_code == 200, response.text
    t = response.json()
    assert t["weeks"] == ["2026-03-02", "2026-03-09"]
    articles = {a["key"]: a for a in t["articles"]}
    assert articles["t-vpn"]["by_week"] == [2, 5] and articles["t-vpn"]["change"] == 3
    assert articles["t-mail"]["by_week"] == [1, 0] and articles["t-mail"]["change"] == -1
    categories = {c["key"]: c["by_week"] for c in t["categories"]}
    assert categories["network"] == [2, 5] and categories["email"] == [1, 0]
    assert [(a["slug"], a["not_helpful"], a["helpful"]) for a in t["not_helpful"]] == [
        ("t-mail", 2, 1)
    ]
    assert t["not_helpful"][0]["share_not_helpful"] == 0.667


async def test_the_spike_endpoint_names_the_burst_and_its_conversations(helpdesk: Helpdesk) -> None:
    now, ids, chats = utcnow(), [], []
    async with helpdesk.app.state.open_db() as db:
        await data.article(db, "t-vpn", "network")
        for i in range(6):
            c = await data.chat(db, f"e{i}", now - timedelta(minutes=30 - i * 5))
            await data.turn(db, c, "candidates", "t-vpn")
            ids.append(c.id)
            chats.append(c)
        opened = await data.ticket(db, "e0", now, chats[0])
        done = await data.ticket(db, "e1", now, chats[1], status="resolved")
        quiet = await data.chat(db, "other", now - timedelta(minutes=10))
        await data.turn(db, quiet, "answered", "password-reset")
        await db.commit()
    lead = (await staff(helpdesk, "lead"))["headers"]
    response = await helpdesk.client.get("/api/insights/spikes", headers=lead)
    assert response.status_code == 200, response.text
    found = {(s["kind"], s["key"]): s for s in response.json()["spikes"]}
    assert set(found) == {("article", "t-vpn"), ("category", "network")}
    spike = found[("article", "t-vpn")]
    assert spike["conversations"] == ids
    assert spike["articles"] == ["t-vpn"]
    assert spike["tickets"] == [format_number(opened.id)]  # open ones, to link to a problem
    assert done.id != opened.id
    assert spike["message"] == "possible major incident: 6 reports of t-vpn in 25 minutes"
    agent = (await staff(helpdesk, "agent"))["headers"]
    assert (await helpdesk.client.get("/api/insights/spikes", headers=agent)).status_code == 403
