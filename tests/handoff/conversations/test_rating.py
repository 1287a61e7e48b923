"""Satisfaction: the employee rates a conversation once (a second rating replaces it)."""

from __future__ import annotations

from sqlalchemy import func, select

from handoff.conversations.models import Rating

from ..conftest import Helpdesk
from ..factories import queued_chat, staff


async def _ratings(helpdesk: Helpdesk) -> list[Rating]:
    async with helpdesk.app.state.open_db() as db:
        return list((await db.scalars(select(Rating))).all())


async def test_a_second_rating_replaces_the_first_and_names_the_bot(helpdesk: Helpdesk) -> None:
    anna = helpdesk.as_employee()
    cid = await helpdesk.start_chat(anna)
    url = f"/api/chat/sessions/{cid}/rating"
    first = await helpdesk.client.post(url, json={"score": 2}, headers=anna)
    assert first.status_code == 200, first.text
    assert first.json()["handled_by"] == "bot"
    second = await helpdesk.client.post(
        url, json={"score": 5, "comment": " Schnell gelöst "}, headers=anna
    )
    assert second.status_code == 200, second.text
    stored = await _ratings(helpdesk)
    assert [(r.score, r.comment, r.handled_by) for r in stored] == [(5, "Schnell gelöst", "bot")]


async def test_a_chat_an_agent_took_is_rated_for_that_agent(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent", "Ben Wolf")
    claimed = await helpdesk.client.post(
        f"/api/agent/conversations/{cid}/claim", headers=agent["headers"]
    )
    assert claimed.status_code == 200, claimed.text
    await helpdesk.client.post(
        f"/api/agent/conversations/{cid}/close",
        json={"resolution": "Passwort zurückgesetzt"},
        headers=agent["headers"],
    )
    response = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/rating", json={"score": 4}, headers=employee
    )
    assert response.status_code == 200, response.text
    assert (response.json()["handled_by"], response.json()["agent"]) == ("agent", "Ben Wolf")


async def test_another_employees_chat_is_404_and_a_bad_score_422(helpdesk: Helpdesk) -> None:
    anna = helpdesk.as_employee()
    cid = await helpdesk.start_chat(anna)
    url = f"/api/chat/sessions/{cid}/rating"
    ben = helpdesk.as_employee("ben.koch@brandt.example", "Ben Koch")
    assert (await helpdesk.client.post(url, json={"score": 3}, headers=ben)).status_code == 404
    for bad in ({"score": 0}, {"score": 6}, {"score": "gut"}, {}):
        response = await helpdesk.client.post(url, json=bad, headers=anna)
        assert response.status_code == 422, (bad, response.text)
    async with helpdesk.app.state.open_db() as db:
        assert await db.scalar(select(func.count()).select_from(Rating)) == 0
