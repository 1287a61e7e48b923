"""Privacy: export and erase one employee's data (API and CLI), retention."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from handoff.database import utcnow
from handoff.privacy import service as privacy

from ..conftest import Helpdesk
from ..factories import queued_chat, staff

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


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handoff", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_users_and_privacy_commands(tmp_path: Path) -> None:
    env = {**os.environ, "HELPDESK_ENV": "test", "HELPDESK_DATA_DIR": str(tmp_path)}
    for name in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN"):
        env[f"HELPDESK_{name}"] = secrets.token_hex(32)
    created = subprocess.run(
        [sys.executable, "-m", "handoff", "users", "create", "--username", "maria"]
        + ["--role", "agent", "--password-stdin"],
        input="a long enough password\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    assert "disabled maria" in _cli(env, "users", "disable", "--username", "maria").stdout
    assert "enabled maria" in _cli(env, "users", "enable", "--username", "maria").stdout
    role = _cli(env, "users", "set-role", "--username", "maria", "--role", "editor")
    assert "now editor" in role.stdout
    reset = _cli(env, "users", "reset-password", "--username", "maria")
    assert "new password for maria" in reset.stdout
    missing = _cli(env, "users", "disable", "--username", "nobody")
    assert missing.returncode == 2 and "no account" in missing.stderr
    erase = _cli(env, "privacy", "erase", "--email", ANNA)
    assert erase.returncode == 0 and "conversations deleted: 0" in erase.stdout
    export = _cli(env, "privacy", "export", "--email", ANNA, "--out", str(tmp_path / "a.json"))
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
