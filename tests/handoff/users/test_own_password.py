"""Staff change their own password: the login used stays, every other one ends; audited."""

from __future__ import annotations

import re

from ..conftest import Helpdesk
from ..factories import PASSWORD, staff

NEW = "a brand new staircase of words"


async def _me(h: Helpdesk, token: str) -> int:
    response = await h.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_changing_the_password_ends_the_other_logins(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    agent = await staff(h, "agent")
    second = await h.client.post(
        "/api/auth/login", json={"username": agent["username"], "password": PASSWORD}
    )
    other_cookie = second.cookies["helpdesk_session"]
    h.client.cookies.clear()
    url = "/api/auth/password"
    changed = await h.client.post(
        url, json={"current_password": PASSWORD, "new_password": NEW}, headers=agent["headers"]
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"ended": 2}  # the other login's cookie and bearer token
    assert await _me(h, agent["login"]["token"]) == 200
    h.client.cookies.set("helpdesk_session", agent["cookies"]["helpdesk_session"])
    assert (await h.client.get("/api/auth/me")).status_code == 200  # same login: kept
    h.client.cookies.set("helpdesk_session", other_cookie)
    assert (await h.client.get("/api/auth/me")).status_code == 401
    h.client.cookies.clear()
    assert await _me(h, second.json()["token"]) == 401
    old = {"username": agent["username"], "password": PASSWORD}
    assert (await h.client.post("/api/auth/login", json=old)).status_code == 401
    new = {"username": agent["username"], "password": NEW}
    assert (await h.client.post("/api/auth/login", json=new)).status_code == 200
    events = (await h.client.get("/api/admin/audit", headers=admin["headers"])).json()["events"]
    change = next(e for e in events if e["action"] == "user.password_change")
    assert change["actor"] == f"user:{agent['username']}"
    assert change["detail"] == {"via": "api", "ended": 2}


async def test_wrong_weak_or_unchanged_passwords_are_refused(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    admin = await staff(h, "admin")
    editor = await staff(h, "editor")
    url = "/api/auth/password"

    async def change(current: str, new: str) -> tuple[int, str]:
        body = {"current_password": current, "new_password": new}
        response = await h.client.post(url, json=body, headers=editor["headers"])
        return response.status_code, response.text

    assert (await change("not my password", NEW))[0] == 400
    weak = await change(PASSWORD, "password1234")
    assert weak[0] == 422 and "too weak" in weak[1]
    assert (await change(PASSWORD, "short"))[0] == 422
    same = await change(PASSWORD, PASSWORD)
    assert same[0] == 422 and "differ" in same[1]
    assert await _me(h, editor["login"]["token"]) == 200  # nothing ended
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert (await h.client.post(url, json=body)).status_code == 401
    h.client.cookies.update(editor["cookies"])
    assert (await h.client.post(url, json=body)).status_code == 403  # cookie without CSRF
    h.client.cookies.clear()
    events = (await h.client.get("/api/admin/audit", headers=admin["headers"])).json()["events"]
    assert [e["action"] for e in events if e["target"] == editor["username"]] == [
        "user.password_change.failed"
    ]


async def test_guessing_the_current_password_is_limited(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")
    body = {"current_password": "a guess", "new_password": NEW}
    for _ in range(h.settings.login_attempts):
        wrong = await h.client.post("/api/auth/password", json=body, headers=agent["headers"])
        assert wrong.status_code == 400
    body["current_password"] = PASSWORD
    refused = await h.client.post("/api/auth/password", json=body, headers=agent["headers"])
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


async def test_every_staff_member_changes_it_on_the_account_page(
    sqlite_helpdesk: Helpdesk,
) -> None:
    h = sqlite_helpdesk
    editor = await staff(h, "editor")  # not an agent: the account page is for every role
    other = (
        await h.client.post(
            "/api/auth/login", json={"username": editor["username"], "password": PASSWORD}
        )
    ).json()["token"]
    h.client.cookies.clear()
    assert (await h.client.get("/console/account")).status_code == 303  # to the login
    h.client.cookies.update(editor["cookies"])
    page = await h.client.get("/console/account")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert 'href="/console/account" aria-current="page"' in page.text
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    csrf = match.group(1)
    form = {"current_password": PASSWORD, "new_password": NEW, "repeat_password": NEW}
    url = "/console/account/password"
    assert (await h.client.post(url, data={**form, "csrf": "wrong"})).status_code == 403
    differ = await h.client.post(url, data={**form, "csrf": csrf, "repeat_password": "x" * 12})
    assert "the new passwords differ" in differ.text
    wrong = await h.client.post(url, data={**form, "csrf": csrf, "current_password": "nope"})
    assert "the current password is wrong" in wrong.text
    weak = {"new_password": "password1234", "repeat_password": "password1234"}
    assert "too weak" in (await h.client.post(url, data={**form, **weak, "csrf": csrf})).text
    done = await h.client.post(url, data={**form, "csrf": csrf})
    assert done.status_code == 200 and "password changed; 2 other logins ended" in done.text
    assert (await h.client.get("/console/account")).status_code == 200  # this login stays
    assert await _me(h, editor["login"]["token"]) == 200  # and its bearer token
    assert await _me(h, other) == 401
