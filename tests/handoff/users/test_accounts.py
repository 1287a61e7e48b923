"""Staff logins: cookie with CSRF, bearer tokens, roles on every agent endpoint."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..conftest import Helpdesk
from ..factories import PASSWORD, run_cli, staff


async def test_login_sets_a_safe_cookie_and_returns_a_bearer_token(
    sqlite_helpdesk: Helpdesk,
) -> None:
    account = await staff(sqlite_helpdesk, "agent")
    login = await sqlite_helpdesk.client.post(
        "/api/auth/login", json={"username": account["username"], "password": PASSWORD}
    )
    cookies = login.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("helpdesk_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("helpdesk_csrf="))
    assert "HttpOnly" not in csrf_cookie
    assert login.json()["token"] and login.json()["user"]["role"] == "agent"
    wrong = await sqlite_helpdesk.client.post(
        "/api/auth/login", json={"username": account["username"], "password": "nope"}
    )
    assert wrong.status_code == 401


async def test_cookie_changes_need_the_csrf_token_bearer_does_not(
    sqlite_helpdesk: Helpdesk,
) -> None:
    account = await staff(sqlite_helpdesk, "admin")
    client = sqlite_helpdesk.client
    body = {"title": "Test", "text_de": "Hallo", "text_en": "Hello"}
    client.cookies.update(account["cookies"])
    try:
        assert (await client.get("/api/auth/me")).json()["role"] == "admin"
        assert (await client.post("/api/agent/canned", json=body)).status_code == 403
        with_csrf = await client.post(
            "/api/agent/canned", json=body, headers={"X-CSRF-Token": account["login"]["csrf_token"]}
        )
        assert with_csrf.status_code == 201
    finally:
        client.cookies.clear()
    assert (
        await client.post("/api/agent/canned", json=body, headers=account["headers"])
    ).status_code == 201
    await client.post("/api/auth/logout", headers=account["headers"])
    assert (await client.get("/api/auth/me", headers=account["headers"])).status_code == 401


async def test_every_agent_endpoint_refuses_employees_and_editors(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor = await staff(sqlite_helpdesk, "editor")
    agent = await staff(sqlite_helpdesk, "agent")
    employee = sqlite_helpdesk.as_employee()
    routes = [
        (method.upper(), path)
        for path, item in sqlite_helpdesk.app.openapi()["paths"].items()
        if path.startswith(("/api/agent", "/api/admin"))
        for method in item
    ]
    assert len(routes) >= 18
    for method, path in routes:
        url = (
            path.replace("{conversation_id}", "x")
            .replace("{number}", "INC-000001")
            .replace("{canned_id}", "1")
        )
        for headers, allowed in ((employee, (401,)), ({}, (401,)), (editor["headers"], (403,))):
            response = await sqlite_helpdesk.client.request(method, url, headers=headers, json={})
            assert response.status_code in allowed, (method, url, response.status_code)
        response = await sqlite_helpdesk.client.request(
            method, url, headers=agent["headers"], json={}
        )
        admin_only = path.startswith("/api/admin") or (
            path.startswith("/api/agent/canned") and method != "GET"
        )
        assert response.status_code not in (401,), (method, url)
        assert (response.status_code == 403) == admin_only, (method, url)


def test_users_create_command_reads_the_password_from_stdin(tmp_path: Path) -> None:
    env = {"HELPDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def create(username: str, password: str) -> subprocess.CompletedProcess[str]:
        command = ("users", "create", "--username", username, "--role", "agent")
        return run_cli(env, *command, "--password-stdin", stdin=f"{password}\n")

    done = create("maria", "a long enough password")
    assert done.returncode == 0, done.stderr
    again = create("maria", "a long enough password")
    assert again.returncode == 2 and "maria" in again.stderr
    short = create("olga", "short")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    admin = run_cli(env, "users", "ensure-admin")
    assert "password" in admin.stdout
    password = admin.stdout.split("password ")[1].split()[0]
    assert len(password) >= 12
    twice = run_cli(env, "users", "ensure-admin")
    assert "exists already" in twice.stderr and password not in twice.stdout
