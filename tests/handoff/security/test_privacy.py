"""Privacy: export and erase one employee's data (API and CLI), retention."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from handoff import safeguards
from handoff.conversations.models import Conversation
from handoff.database import Base, utcnow
from handoff.models import load_all_models
from handoff.privacy import service as privacy
from handoff.problems.models import Problem, ProblemNotice
from handoff.tickets.models import Ticket, TicketActivity

from ..conftest import Helpdesk
from ..factories import cli_env, queued_chat, run_cli, staff
from ..insights import data

ROOT = Path(__file__).resolve().parents[3]
ANNA = "anna.berger@brandt.example"


async def test_export_then_erase_through_the_admin_api(helpdesk: Helpdesk) -> None:
    h = helpdesk
    admin = await staff(h, "admin")
    cid, anna = await queued_chat(h, email=ANNA, text="Mein Laptop von Anna Berger startet nicht")
    bob = h.as_employee("bob@brandt.example", "Bob")
    bob_chat = await h.start_chat(bob)
    screenshot = await h.client.post(
        f"/api/chat/sessions/{cid}/attachments",
        files={"file": ("fehler.txt", b"Fehler 0x80070005", "text/plain")},
        headers=anna,
    )
    assert screenshot.status_code == 201
    files = h.settings.attachment_dir
    export = await h.client.post(
        "/api/admin/privacy/export", json={"email": ANNA}, headers=admin["headers"]
    )
    data = export.json()
    assert [c["id"] for c in data["conversations"]] == [cid]
    assert "Mein Laptop" in json.dumps(data)
    assert data["tickets"][0]["number"] == "INC-000001"
    assert [a["name"] for a in data["conversations"][0]["attachments"]] == ["fehler.txt"]
    assert [p for p in files.rglob("*") if p.is_file()]
    erase = await h.client.post(
        "/api/admin/privacy/erase", json={"email": ANNA}, headers=admin["headers"]
    )
    changed = erase.json()["changed"]
    assert changed["conversations deleted"] == 1 and changed["tickets anonymised"] == 1
    assert changed["attachments deleted"] == 1
    assert [p for p in files.rglob("*") if p.is_file()] == []
    after = await h.client.post(
        "/api/admin/privacy/export", json={"email": ANNA}, headers=admin["headers"]
    )
    assert after.json()["conversations"] == after.json()["tickets"] == []
    ticket = await h.client.get("/api/agent/tickets/INC-000001", headers=admin["headers"])
    assert "Anna" not in ticket.text and "Laptop" not in ticket.text
    assert ticket.json()["priority"]  # what ITIL counts stays
    gone = await h.client.get(f"/api/chat/sessions/{cid}/messages", headers=anna)
    assert gone.status_code == 404
    kept = await h.client.get(f"/api/chat/sessions/{bob_chat}/messages", headers=bob)
    assert kept.status_code == 200
    audit = await h.client.get(
        "/api/admin/audit", params={"action": "privacy."}, headers=admin["headers"]
    )
    actions = [e["action"] for e in audit.json()["events"]]
    assert actions == ["privacy.export", "privacy.erase", "privacy.export"]


QUESTION = "Mein Laptop ZX-4711 von Anna Berger startet nicht"


async def _everything(h: Helpdesk) -> str:
    """Every row of every table, as text (to search for what should be gone)."""
    load_all_models()
    rows: list[str] = []
    async with h.app.state.open_db() as db:
        for table in Base.metadata.sorted_tables:
            rows += [f"{table.name}: {tuple(row)}" for row in await db.execute(select(table))]
    return "\n".join(rows)


async def test_export_holds_ratings_and_notices_and_erase_leaves_no_copy(
    helpdesk: Helpdesk,
) -> None:
    h = helpdesk
    admin = (await staff(h, "admin"))["headers"]
    editor = (await staff(h, "editor"))["headers"]
    cid, anna = await queued_chat(h, email=ANNA, text=QUESTION)
    rated = await h.client.post(
        f"/api/chat/sessions/{cid}/rating",
        json={"score": 2, "comment": "Der Zebrafink-Laptop läuft immer noch nicht"},
        headers=anna,
    )
    assert rated.status_code == 200, rated.text
    async with h.app.state.open_db() as db:
        problem = Problem(title="VPN gestört", notice={"de": "VPN gestört"}, created_by="lead")
        db.add(problem)
        await db.flush()
        db.add(ProblemNotice(problem_id=problem.id, conversation_id=cid, employee_id=ANNA))
        await db.commit()
    # An editor deals with Anna's question in the knowledge gaps and the suggestions.
    dismissed = await h.client.post(
        "/api/kb/gaps/dismiss", json={"questions": [QUESTION], "reason": "person"}, headers=editor
    )
    assert dismissed.status_code == 200, dismissed.text
    rejected = await h.client.post(
        "/api/kb/suggestions/reject",
        json={"slug": "laptop-start", "lang": "de", "text": QUESTION},
        headers=editor,
    )
    assert rejected.status_code == 204, rejected.text

    export = await h.client.post("/api/admin/privacy/export", json={"email": ANNA}, headers=admin)
    [chat] = export.json()["conversations"]
    assert chat["rating"]["score"] == 2
    assert chat["rating"]["comment"] == "Der Zebrafink-Laptop läuft immer noch nicht"
    assert [n["problem"] for n in chat["problem_notices"]] == ["VPN gestört"]
    assert chat["email"] == ANNA and chat["name"] == "Anna Berger"
    [ticket] = export.json()["tickets"]
    assert ticket["requester"]["name"] == "Anna Berger"
    assert any(QUESTION in json.dumps(m) for m in ticket["transcript"])
    assert "priority" in ticket and "resolution" in ticket and "since" in ticket

    erased = await h.client.post("/api/admin/privacy/erase", json={"email": ANNA}, headers=admin)
    changed = erased.json()["changed"]
    assert changed["ratings deleted"] == 1 and changed["problem notices deleted"] == 1
    held = await _everything(h)
    for words in ("ZX-4711", "Anna Berger", "Zebrafink"):
        assert words not in held, [line for line in held.splitlines() if words in line]
    # The editors' decisions stand (by the question's hash): the gap stays dismissed.
    assert "kb_gap_resolutions: (" in held and "kb_suggestion_decisions: (" in held
    audit = await h.client.post("/api/admin/privacy/export", json={"email": ANNA}, headers=admin)
    assert [e["action"] for e in audit.json()["audit"]] == [
        "privacy.export",
        "privacy.erase",
    ]


async def _old_support(h: Helpdesk, days: int) -> dict[str, int]:
    """Three requesters of `days` ago: a resolved ticket from a chat, a ticket from a chat
    still on hold, a closed ticket taken by phone (no chat)."""
    then = utcnow() - timedelta(days=days)
    async with h.app.state.open_db() as db:
        tickets = {}
        for who, status, with_chat in (
            ("anna", "resolved", True),
            ("carla", "on_hold", True),
            ("dave", "closed", False),
        ):
            chat = await data.chat(db, who, then, employee_name=who.title()) if with_chat else None
            ticket = await data.ticket(
                db, who, then, chat, status=status, requester_name=who.title(),
                requester_email=f"{who}@brandt.example", description=f"{who.title()}s Laptop",
                since="seit Montag", resolution="neu installiert",
                transcript=[{"sender": "user", "text": f"{who.title()}s Laptop"}],
            )  # fmt: skip
            db.add(TicketActivity(ticket_id=ticket.id, actor="agent:maria", kind="reply",
                                  text=f"Hallo {who.title()}", created_at=then))  # fmt: skip
            tickets[who] = ticket.id
        await db.commit()
    return tickets


async def test_retention_anonymises_done_tickets_and_keeps_open_ones(helpdesk: Helpdesk) -> None:
    h = helpdesk
    tickets = await _old_support(h, days=40)
    fresh = await h.start_chat(h.as_employee("bob@brandt.example", "Bob"))
    async with h.app.state.open_db() as db:
        changed = await privacy.expire(db=db, storage=h.app.state.uploads.storage, days=30)
        await db.commit()
    assert changed["conversations deleted"] == 2 and changed["tickets anonymised"] == 2
    async with h.app.state.open_db() as db:
        for who in ("anna", "dave"):
            ticket = await db.get(Ticket, tickets[who])
            assert ticket is not None
            assert ticket.requester_id.startswith("erased:") and ticket.requester_email == ""
            assert ticket.requester_name == ticket.subject == ticket.description == "(erased)"
            assert (
                ticket.resolution == "(erased)" and ticket.since == "" and ticket.transcript == []
            )
            assert ticket.conversation_id is None and ticket.status in ("resolved", "closed")
            assert ticket.priority == 4 and ticket.category == "general"  # ITIL's figures stay
            log = await db.scalars(
                select(TicketActivity.text).where(TicketActivity.ticket_id == ticket.id)
            )
            assert list(log) == ["(erased)"]
        open_ticket = await db.get(Ticket, tickets["carla"])
        assert open_ticket is not None  # still being worked on: the agent needs the requester
        assert (open_ticket.requester_name, open_ticket.description) == ("Carla", "Carlas Laptop")
        assert open_ticket.conversation_id is None  # the chat itself is gone
        assert await db.get(Conversation, fresh) is not None
        again = await privacy.expire(db=db, storage=h.app.state.uploads.storage, days=30)
    assert again["conversations deleted"] == again["tickets anonymised"] == 0


async def test_the_retention_job_expires_at_start_and_then_on_schedule(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = sqlite_helpdesk
    monkeypatch.setattr(safeguards, "RETENTION_EVERY_SECONDS", 0.05)
    tickets = await _old_support(h, days=40)

    async def requester(ticket_id: int) -> str:
        async with h.app.state.open_db() as db:
            ticket = await db.get(Ticket, ticket_id)
            assert ticket is not None
            return ticket.requester_name

    async def waited_for(ticket_id: int) -> str:
        for _ in range(100):
            if (name := await requester(ticket_id)) == "(erased)":
                break
            await asyncio.sleep(0.05)
        return name

    job = asyncio.create_task(
        safeguards.retention(h.app.state.open_db, h.app.state.uploads.storage, 30)
    )
    try:
        assert await waited_for(tickets["anna"]) == "(erased)"  # the first run, at start
        assert await requester(tickets["carla"]) == "Carla"
        async with h.app.state.open_db() as db:  # Carla's ticket is closed later
            await db.execute(
                update(Ticket)
                .where(Ticket.id == tickets["carla"])
                .values(status="closed", updated_at=utcnow() - timedelta(days=31))
            )
            await db.commit()
        assert await waited_for(tickets["carla"]) == "(erased)"  # a later run
    finally:
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job


async def test_retention_deletes_old_conversations_only(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    old = await h.start_chat(h.as_employee())
    new = await h.start_chat(h.as_employee("bob@brandt.example", "Bob"))
    async with h.app.state.open_db() as db:
        storage = h.app.state.uploads.storage
        changed = await privacy.expire(
            db=db, storage=storage, days=30, now=utcnow() + timedelta(days=31)
        )
        await db.rollback()
        assert changed["conversations deleted"] == 2
        changed = await privacy.expire(db=db, storage=storage, days=30)
        assert changed["conversations deleted"] == 0
    assert old != new


def test_users_and_privacy_commands(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    created = run_cli(
        env,
        *("users", "create", "--username", "maria", "--role", "agent", "--password-stdin"),
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "disabled maria" in run_cli(env, "users", "disable", "--username", "maria").stdout
    assert "enabled maria" in run_cli(env, "users", "enable", "--username", "maria").stdout
    role = run_cli(env, "users", "set-role", "--username", "maria", "--role", "editor")
    assert "now editor" in role.stdout
    reset = run_cli(env, "users", "reset-password", "--username", "maria")
    assert "new password for maria" in reset.stdout
    missing = run_cli(env, "users", "disable", "--username", "nobody")
    assert missing.returncode == 2 and "no account" in missing.stderr
    erase = run_cli(env, "privacy", "erase", "--email", ANNA)
    assert erase.returncode == 0 and "conversations deleted: 0" in erase.stdout
    export = run_cli(env, "privacy", "export", "--email", ANNA, "--out", str(tmp_path / "a.json"))
    assert export.returncode == 0, export.stderr
    assert json.loads((tmp_path / "a.json").read_text())["email"] == ANNA


async def test_the_privacy_page_is_for_admins(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")
    h.client.cookies.update(agent["cookies"])
    assert (await h.client.get("/console/privacy")).status_code == 403
    h.client.cookies.clear()
    h.client.cookies.update((await staff(h, "admin"))["cookies"])
    page = await h.client.get("/console/privacy")
    assert page.status_code == 200
    assert 'id="erase-dialog"' in page.text and "console/privacy" in page.text
    assert 'href="/console/privacy" aria-current="page"' in page.text
