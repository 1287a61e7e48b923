"""The staff page for admins: server-rendered forms with the CSRF token."""

from __future__ import annotations

import re

from ..conftest import Helpdesk
from ..factories import PASSWORD, staff


async def _as_admin_cookie(h: Helpdesk) -> str:
    admin = await staff(h, "admin")
    h.client.cookies.update(admin["cookies"])
    page = await h.client.get("/console/staff")
    assert page.status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


async def test_admins_manage_staff_on_the_page(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")
    csrf = await _as_admin_cookie(h)
    page = await h.client.get("/console/staff")
    assert f'data-username="{agent["username"]}"' in page.text
    assert "Content-Security-Policy" in page.headers
    url = f"/console/staff/{agent['username']}"
    refused = await h.client.post(f"{url}/disable", data={"csrf": "wrong"})
    assert refused.status_code == 403
    disabled = await h.client.post(f"{url}/disable", data={"csrf": csrf})
    assert disabled.status_code == 200 and "disabled" in disabled.text
    me = await h.client.get("/api/auth/me", headers=agent["headers"])
    assert me.status_code == 401
    await h.client.post(f"{url}/enable", data={"csrf": csrf})
    reset = await h.client.post(f"{url}/reset-password", data={"csrf": csrf})
    shown = re.search(r'<kbd id="new-password">([^<]+)</kbd>', reset.text)
    assert shown
    again = await h.client.get("/console/staff")
    assert shown.group(1) not in again.text  # shown once
    h.client.cookies.clear()
    login = await h.client.post(
        "/api/auth/login", json={"username": agent["username"], "password": shown.group(1)}
    )
    assert login.status_code == 200


async def test_creating_on_the_page_applies_the_password_policy(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    csrf = await _as_admin_cookie(h)
    weak = await h.client.post(
        "/console/staff",
        data={"csrf": csrf, "username": "newbie", "role": "agent", "password": "password1234"},
    )
    assert "too weak" in weak.text
    made = await h.client.post(
        "/console/staff",
        data={"csrf": csrf, "username": "newbie", "role": "editor", "password": PASSWORD},
    )
    assert 'data-username="newbie"' in made.text


async def test_agents_may_not_see_the_staff_page(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")
    h.client.cookies.update(agent["cookies"])
    assert (await h.client.get("/console/staff")).status_code == 403
    csrf = agent["login"]["csrf_token"]
    posted = await h.client.post(f"/console/staff/{agent['username']}/revoke", data={"csrf": csrf})
    assert posted.status_code == 403
