"""Logout ends the whole login; admins disable, re-role, reset and revoke; the audit log."""

from __future__ import annotations

import csv
import io

from handoff.users import service as user_service

from ..conftest import Helpdesk
from ..factories import PASSWORD, staff


async def test_logout_with_the_token_ends_the_cookie_too(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")
    cookie = agent["cookies"]["helpdesk_session"]
    out = await h.client.post("/api/auth/logout", headers=agent["headers"])
    assert out.status_code == 204
    assert (await h.client.get("/api/auth/me", headers=agent["headers"])).status_code == 401
    h.client.cookies.set("helpdesk_session", cookie)
    assert (await h.client.get("/api/auth/me")).status_code == 401


async def test_disabling_ends_every_login_at_once(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    agent = await staff(h, "agent")
    second = await h.client.post(
        "/api/auth/login", json={"username": agent["username"], "password": PASSWORD}
    )
    h.client.cookies.clear()
    url = f"/api/admin/users/{agent['username']}"
    disabled = await h.client.post(f"{url}/disable", headers=admin["headers"])
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    for token in (agent["login"]["token"], second.json()["token"]):
        me = await h.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
    login = await h.client.post(
        "/api/auth/login", json={"username": agent["username"], "password": PASSWORD}
    )
    assert login.status_code == 401
    assert (await h.client.post(f"{url}/enable", headers=admin["headers"])).status_code == 200
    assert (await h.client.post(f"{url}/disable", headers=agent["headers"])).status_code == 401
    missing = await h.client.post("/api/admin/users/nobody/disable", headers=admin["headers"])
    assert missing.status_code == 404


async def test_reset_password_role_change_and_revoke(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    editor = await staff(h, "editor")
    url = f"/api/admin/users/{editor['username']}"
    reset = await h.client.post(f"{url}/reset-password", headers=admin["headers"])
    new = reset.json()["password"]
    assert (await h.client.get("/api/auth/me", headers=editor["headers"])).status_code == 401
    login = await h.client.post(
        "/api/auth/login", json={"username": editor["username"], "password": new}
    )
    assert login.status_code == 200
    role = await h.client.post(f"{url}/role", json={"role": "agent"}, headers=admin["headers"])
    assert role.json()["role"] == "agent"
    revoke = await h.client.post(f"{url}/revoke", headers=admin["headers"])
    assert revoke.json() == {"revoked": 0}  # the role change had ended the logins already


async def test_weak_passwords_are_refused(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    for weak in ("1234567890ab", " " * 12, "password1234", "short-pw1"):
        response = await h.client.post(
            "/api/admin/users",
            json={"username": "newbie", "password": weak, "role": "agent"},
            headers=admin["headers"],
        )
        assert response.status_code == 422, weak
    long = await h.client.post(
        "/api/admin/users",
        json={"username": "longpw", "password": "Zq8-" * 40, "role": "agent"},
        headers=admin["headers"],
    )
    assert long.status_code in (201, 422), long.text  # judged, never a 500
    unstorable = await h.client.post(
        "/api/admin/users",
        content=b'{"username": "odd", "password": "Tr0ub4dor&3xx\\ud800", "role": "agent"}',
        headers={**admin["headers"], "content-type": "application/json"},
    )
    assert unstorable.status_code == 422
    surrogate = await h.client.post(
        "/api/auth/login",
        content=b'{"username": "longpw", "password": "\\ud800x"}',
        headers={"content-type": "application/json"},
    )
    assert surrogate.status_code in (401, 422), surrogate.text  # never a 500
    async with h.app.state.open_db() as db:
        assert await user_service.admin_exists(db=db)


async def test_failed_logins_are_limited_per_account(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")
    attempts = h.settings.login_attempts
    for _ in range(attempts):
        wrong = await h.client.post(
            "/api/auth/login", json={"username": agent["username"], "password": "wrong guess"}
        )
        assert wrong.status_code == 401
    refused = await h.client.post(
        "/api/auth/login", json={"username": agent["username"], "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= h.settings.login_window_seconds


async def test_the_audit_log_records_and_exports(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    agent = await staff(h, "agent")
    await h.client.post("/api/auth/login", json={"username": "=cmd|' /C calc'!A0", "password": "x"})
    await h.client.post(f"/api/admin/users/{agent['username']}/disable", headers=admin["headers"])
    events = await h.client.get("/api/admin/audit", headers=admin["headers"])
    actions = [e["action"] for e in events.json()["events"]]
    assert actions[:2] == ["user.disable", "login.failed"]
    assert "login" in actions
    only = await h.client.get(
        "/api/admin/audit", params={"action": "user."}, headers=admin["headers"]
    )
    assert {e["action"] for e in only.json()["events"]} == {"user.disable"}
    assert (await h.client.get("/api/admin/audit", headers=agent["headers"])).status_code == 401
    export = await h.client.get("/api/admin/audit/export", headers=admin["headers"])
    rows = list(csv.DictReader(io.StringIO(export.text)))
    failed = next(r for r in rows if r["action"] == "login.failed")
    assert failed["target"].startswith("'=")  # no formula for a spreadsheet to run
    again = await h.client.get("/api/admin/audit", headers=admin["headers"])
    assert again.json()["events"][0]["action"] == "audit.export"
