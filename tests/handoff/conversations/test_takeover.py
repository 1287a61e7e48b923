"""Live takeover: every transition, the claim race, notes, escalation, nobody-there paths."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from handoff.conversations.models import Conversation
from handoff.database import utcnow
from handoff.realtime import channels

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..factories import queued_chat, staff


async def _transcript(helpdesk: Helpdesk, cid: str, headers: dict[str, str]) -> list[dict]:
    response = await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=headers)
    return list(response.json()["messages"])


async def test_a_chat_goes_queued_agent_queued_agent_bot_closed(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    anna = await staff(helpdesk, "agent", "Anna Schmidt")
    ben = await staff(helpdesk, "agent", "Ben Wolf")
    client = helpdesk.client
    queue = (await client.get("/api/agent/queue", headers=anna["headers"])).json()["queue"]
    assert [q["conversation_id"] for q in queue] == [cid]
    assert queue[0]["last_message"] == "Ich brauche einen Menschen"
    claimed = await client.post(f"/api/agent/conversations/{cid}/claim", headers=anna["headers"])
    assert claimed.status_code == 200 and claimed.json()["agent"] == "Anna Schmidt"
    assert (await client.get("/api/agent/queue", headers=ben["headers"])).json()["queue"] == []
    # The employee and the agent talk; the bot is not asked.
    relayed = len(helpdesk.rasa.received)
    await client.post(
        f"/api/agent/conversations/{cid}/messages",
        json={"text": "Hallo, ich schaue mir das an."},
        headers=anna["headers"],
    )
    sent = await client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Danke!"}, headers=employee
    )
    assert sent.json()["state"] == "agent" and sent.json()["messages"] == []
    assert len(helpdesk.rasa.received) == relayed
    foreign = await client.post(
        f"/api/agent/conversations/{cid}/messages",
        json={"text": "Ich auch"},
        headers=ben["headers"],
    )
    assert foreign.status_code == 403
    # Release to the queue, Ben takes it, hands it back to the bot.
    assert (
        await client.post(f"/api/agent/conversations/{cid}/release", headers=anna["headers"])
    ).json()["state"] == "queued"
    assert (
        await client.post(f"/api/agent/conversations/{cid}/claim", headers=ben["headers"])
    ).status_code == 200
    back = await client.post(f"/api/agent/conversations/{cid}/handback", headers=ben["headers"])
    assert back.json()["state"] == "bot"
    assert helpdesk.rasa.triggered[-1] == (cid, "EXTERNAL_handback")
    messages = await _transcript(helpdesk, cid, employee)
    assert messages[-1] == {
        **messages[-1],
        "sender": "bot",
        "text": "Welcome back! How else can I help?",
    }
    said = [(m["sender"], m.get("author")) for m in messages if m["sender"] == "agent"]
    assert said == [("agent", "Anna Schmidt")]
    answered = await client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Noch eine Frage"}, headers=employee
    )
    assert answered.json()["messages"][0]["text"] == "echo: Noch eine Frage"
    # Closing with a resolution resolves the ticket; the next message opens a new chat.
    await queued_chat_again(helpdesk, cid, employee)
    await client.post(f"/api/agent/conversations/{cid}/claim", headers=anna["headers"])
    closed = await client.post(
        f"/api/agent/conversations/{cid}/close",
        json={"resolution": "Druckertreiber neu installiert"},
        headers=anna["headers"],
    )
    assert closed.json()["state"] == "closed"
    ticket_number = closed.json()["ticket_number"]
    ticket = (await client.get(f"/api/tickets/{ticket_number}", headers=employee)).json()
    assert ticket["status"] == "resolved"
    assert ticket["resolution"] == "Druckertreiber neu installiert"
    # A follow-up soon after the close continues the chat with the bot (its ticket known).
    after = await client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": "Hallo"}, headers=employee
    )
    assert after.json()["new_conversation"] is False
    assert after.json()["conversation_id"] == cid and after.json()["state"] == "bot"
    state = (await client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    assert state["ticket_number"] == ticket_number


async def queued_chat_again(helpdesk: Helpdesk, cid: str, employee: dict[str, str]) -> None:
    assert helpdesk.rasa.internal is not None
    await helpdesk.rasa.internal.post(
        f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
    )


async def test_exactly_one_of_many_simultaneous_claims_wins(helpdesk: Helpdesk) -> None:
    cid, _ = await queued_chat(helpdesk)
    agents = [await staff(helpdesk, "agent") for _ in range(8)]
    responses = await asyncio.gather(
        *[
            helpdesk.client.post(f"/api/agent/conversations/{cid}/claim", headers=a["headers"])
            for a in agents
            for _ in range(3)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1 and codes.count(409) == len(codes) - 1
    winner = next(r for r in responses if r.status_code == 200).json()["agent"]
    context = (
        await helpdesk.client.get(f"/api/agent/conversations/{cid}", headers=agents[0]["headers"])
    ).json()
    assert context["conversation"]["agent"] == winner
    assert context["ticket"]["assignee"] == winner
    joined = [m for m in context["messages"] if m["sender"] == "system"]
    assert len(joined) == 1


async def test_internal_notes_stay_with_the_agents(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent")
    await helpdesk.client.post(f"/api/agent/conversations/{cid}/claim", headers=agent["headers"])
    note = await helpdesk.client.post(
        f"/api/agent/conversations/{cid}/notes",
        json={"text": "Kennwort-Reset bei AD prüfen"},
        headers=agent["headers"],
    )
    assert note.status_code == 200 and note.json()["internal"] is True
    texts = [m["text"] for m in await _transcript(helpdesk, cid, employee)]
    assert "Kennwort-Reset bei AD prüfen" not in texts
    context = (
        await helpdesk.client.get(f"/api/agent/conversations/{cid}", headers=agent["headers"])
    ).json()
    assert any(
        m.get("internal") and m["text"] == "Kennwort-Reset bei AD prüfen"
        for m in context["messages"]
    )
    number = context["ticket"]["number"]
    employee_ticket = (await helpdesk.client.get(f"/api/tickets/{number}", headers=employee)).json()
    assert all("Kennwort-Reset" not in h["text"] for h in employee_ticket["history"])
    agent_ticket = (
        await helpdesk.client.get(f"/api/agent/tickets/{number}", headers=agent["headers"])
    ).json()
    assert any(a["kind"] == "note" and not a["public"] for a in agent_ticket["activity"])


async def test_a_note_by_an_agent_who_does_not_own_the_chat_shows_its_author(
    helpdesk: Helpdesk,
) -> None:
    cid, employee = await queued_chat(helpdesk)
    anna = await staff(helpdesk, "agent", "Anna Schmidt")
    ben = await staff(helpdesk, "agent", "Ben Wolf")
    client = helpdesk.client
    await client.post(f"/api/agent/conversations/{cid}/claim", headers=anna["headers"])
    # Ben may not answer Anna's employee, but he may leave her a note, under his name.
    reply = await client.post(
        f"/api/agent/conversations/{cid}/messages",
        json={"text": "Hallo"},
        headers=ben["headers"],
    )
    assert reply.status_code == 403
    note = await client.post(
        f"/api/agent/conversations/{cid}/notes",
        json={"text": "Gleicher Fehler gestern im 3. OG"},
        headers=ben["headers"],
    )
    assert note.status_code == 200, note.text
    assert note.json()["author"] == "Ben Wolf" and note.json()["internal"] is True
    context = (await client.get(f"/api/agent/conversations/{cid}", headers=anna["headers"])).json()
    assert context["conversation"]["agent"] == "Anna Schmidt"  # still Anna's chat
    [shown] = [m for m in context["messages"] if m["text"] == "Gleicher Fehler gestern im 3. OG"]
    assert shown["author"] == "Ben Wolf" and shown["internal"] is True
    ticket = (
        await client.get(
            f"/api/agent/tickets/{context['ticket']['number']}", headers=anna["headers"]
        )
    ).json()
    [logged] = [a for a in ticket["activity"] if a["kind"] == "note"]
    assert logged["actor"] == f"agent:{ben['username']}" and logged["public"] is False
    texts = [m["text"] for m in await _transcript(helpdesk, cid, employee)]
    assert "Gleicher Fehler gestern im 3. OG" not in texts


async def test_the_context_shows_what_the_bot_understood_and_suggests_articles(
    sqlite_helpdesk: Helpdesk,
) -> None:
    cid, _ = await queued_chat(sqlite_helpdesk, text="Drucker druckt nicht")
    agent = await staff(sqlite_helpdesk, "agent")
    context = (
        await sqlite_helpdesk.client.get(
            f"/api/agent/conversations/{cid}", headers=agent["headers"]
        )
    ).json()
    assert context["bot"][0]["intent"] == "it_problem"
    assert context["bot"][0]["outcome"] == "handoff"
    assert context["suggestions"][0]["slug"] == "printer-not-printing"
    assert [t["number"] for t in context["employee_tickets"]] == [context["ticket"]["number"]]


async def test_the_suggestions_leave_out_an_archived_article_before_any_rebuild(
    sqlite_helpdesk: Helpdesk,
) -> None:
    from handoff.kb.rebuild import Rebuilder

    app = sqlite_helpdesk.app
    cid, _ = await queued_chat(sqlite_helpdesk, text="Drucker druckt nicht")
    agent = await staff(sqlite_helpdesk, "agent")
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    url = f"/api/agent/conversations/{cid}"

    async def suggested() -> list[str]:
        context = (await sqlite_helpdesk.client.get(url, headers=agent["headers"])).json()
        return [s["slug"] for s in context["suggestions"]]

    assert (await suggested())[0] == "printer-not-printing"
    # Another process's rebuild holds the slot: no new index can go live meanwhile.
    other = Rebuilder(
        open_db=app.state.open_db,
        settings=sqlite_helpdesk.settings,
        embedder=app.state.search.embedder,
    )
    held, _ = await other.claim(requested_by="editor-elsewhere")
    live = app.state.search.build_id
    archived = await sqlite_helpdesk.client.delete(
        "/api/kb/articles/printer-not-printing", headers=editor
    )
    assert archived.status_code == 204
    assert "printer-not-printing" not in await suggested()
    assert app.state.search.build_id == live
    restored = await sqlite_helpdesk.client.post(
        "/api/kb/archive/printer-not-printing/restore", headers=editor
    )
    assert restored.status_code == 200
    assert (await suggested())[0] == "printer-not-printing"
    await other.run(build_id=held.id, quality_gate=False)
    await asyncio.wait_for(asyncio.gather(*app.state.rebuild_jobs.follow_ups), 60)


async def test_escalation_to_level_two_updates_the_ticket_and_ends_the_chat(
    helpdesk: Helpdesk,
) -> None:
    cid, employee = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent")
    await helpdesk.client.post(f"/api/agent/conversations/{cid}/claim", headers=agent["headers"])
    empty = await helpdesk.client.post(
        f"/api/agent/conversations/{cid}/escalate", json={"summary": ""}, headers=agent["headers"]
    )
    assert empty.status_code == 422
    escalated = await helpdesk.client.post(
        f"/api/agent/conversations/{cid}/escalate",
        json={"summary": "VPN-Profil defekt, Netzwerkteam bitte prüfen", "level": 2},
        headers=agent["headers"],
    )
    assert escalated.status_code == 200
    number = escalated.json()["ticket_number"]
    ticket = (
        await helpdesk.client.get(f"/api/agent/tickets/{number}", headers=agent["headers"])
    ).json()
    assert ticket["level"] == 2 and ticket["status"] == "in_progress"
    assert any(a["kind"] == "escalated" and "Netzwerkteam" in a["text"] for a in ticket["activity"])
    state = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    assert state["state"] == "closed"
    last = (await _transcript(helpdesk, cid, employee))[-1]
    assert last["sender"] == "system" and number in last["text"]


async def test_a_later_ticket_reply_reaches_the_chat_and_changes_are_logged(
    helpdesk: Helpdesk,
) -> None:
    cid, employee = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent")
    number = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()[
        "ticket_number"
    ]
    changed = await helpdesk.client.patch(
        f"/api/agent/tickets/{number}",
        json={"impact": "high", "urgency": "high", "category": "network"},
        headers=agent["headers"],
    )
    assert changed.json()["priority"] == 1 and changed.json()["category"] == "network"
    await helpdesk.client.post(
        f"/api/agent/tickets/{number}/reply",
        json={"text": "Bitte starten Sie den Laptop neu."},
        headers=agent["headers"],
    )
    last = (await _transcript(helpdesk, cid, employee))[-1]
    assert last["sender"] == "agent" and last["text"] == "Bitte starten Sie den Laptop neu."
    assert last["ticket"]["number"] == number
    log = (
        await helpdesk.client.get(f"/api/agent/tickets/{number}", headers=agent["headers"])
    ).json()["activity"]
    assert [a["kind"] for a in log][-2:] == ["classified", "reply"]
    bad = await helpdesk.client.patch(
        f"/api/agent/tickets/{number}", json={"status": "resolved"}, headers=agent["headers"]
    )
    assert bad.status_code == 409 and "resolution" in bad.json()["detail"]


async def test_outside_service_hours_the_employee_is_told_and_the_ticket_kept(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, service_hours="sat-sat 03:00-03:01")
    async with running_helpdesk(settings) as helpdesk:
        assert helpdesk.rasa.internal is not None
        cid = await helpdesk.start_chat(helpdesk.as_employee())
        result = (
            await helpdesk.rasa.internal.post(
                f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
            )
        ).json()
        assert result["outcome"] == "out_of_hours"
        assert result["state"] == "queued" and result["ticket_number"]


async def test_an_agent_online_changes_the_answer_to_queued(sqlite_helpdesk: Helpdesk) -> None:
    from handoff.users import service as user_service
    from handoff.users.models import User

    agent = await staff(sqlite_helpdesk, "agent")
    async with sqlite_helpdesk.app.state.open_db() as db:
        user = await db.get_one(User, agent["login"]["user"]["id"])
        await user_service.heartbeat(db=db, connection_id="c1", user=user)
    assert sqlite_helpdesk.rasa.internal is not None
    cid = await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee())
    result = (
        await sqlite_helpdesk.rasa.internal.post(
            f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
        )
    ).json()
    assert result["outcome"] == "queued" and result["agents_online"] == 1
    assert result["estimated_wait_minutes"] >= 1


async def test_waiting_too_long_tells_the_employee_once(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    async with helpdesk.app.state.open_db() as db:
        await db.execute(
            update(Conversation)
            .where(Conversation.id == cid)
            .values(queued_at=utcnow() - timedelta(minutes=30), notified_unattended=False)
        )
        await db.commit()
    queue = helpdesk.app.state.queue
    assert await queue.notify_unattended() == 1
    assert await queue.notify_unattended() == 0
    last = (await _transcript(helpdesk, cid, employee))[-1]
    assert last["sender"] == "system" and "INC-" in last["text"]


async def test_with_nobody_online_the_queue_promises_no_wait(sqlite_helpdesk: Helpdesk) -> None:
    """The employee is told nobody is there; the header shows the place, not minutes."""
    assert sqlite_helpdesk.rasa.internal is not None
    cid = await sqlite_helpdesk.start_chat(sqlite_helpdesk.as_employee())
    result = (
        await sqlite_helpdesk.rasa.internal.post(
            f"/api/internal/conversations/{cid}/handoff", json={"reason": "requested"}
        )
    ).json()
    assert result["outcome"] == "no_agents" and result["queue_position"] == 1
    assert result["estimated_wait_minutes"] is None
    assert result["desk"] == {"open": True, "opens_at": None, "staffed": False}


async def test_the_first_agent_online_tells_the_waiting_employee_their_place(
    sqlite_helpdesk: Helpdesk,
) -> None:
    """With nobody online the widget says so instead of a place in line; an agent's console
    coming online turns it into the place and an estimate, live."""
    from handoff.users import service as user_service
    from handoff.users.models import User

    helpdesk = sqlite_helpdesk
    cid, employee = await queued_chat(helpdesk)
    session = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    assert session["queue_position"] == 1 and session["desk"]["staffed"] is False
    agent = await staff(helpdesk, "agent")
    async with helpdesk.app.state.broker.subscribe(channels.conversation(cid)) as events:
        async with helpdesk.app.state.open_db() as db:
            user = await db.get_one(User, agent["login"]["user"]["id"])
            await user_service.heartbeat(db=db, connection_id="c1", user=user)
        await helpdesk.app.state.queue.presence_changed()  # as the console's socket does
        event = await asyncio.wait_for(anext(aiter(events)), 5)
    assert event["type"] == "queue" and event["position"] == 1
    assert event["desk_staffed"] is True and event["estimated_wait_minutes"] >= 1
    session = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    assert session["desk"]["staffed"] is True
    # A chat the bot has does not ask who is online: its desk says nothing about it.
    other = helpdesk.as_employee("kai.lenz@brandt.example", "Kai Lenz")
    bot_chat = await helpdesk.start_chat(other)
    bot_session = (
        await helpdesk.client.get(f"/api/chat/sessions/{bot_chat}", headers=other)
    ).json()
    assert bot_session["state"] == "bot" and bot_session["desk"]["staffed"] is None
