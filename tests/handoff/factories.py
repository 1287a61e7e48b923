"""Factories for staff accounts and chats in a given state."""

from __future__ import annotations

import itertools
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from handoff.users import service as user_service

from .conftest import Helpdesk

ROOT = Path(__file__).resolve().parents[2]
_counter = itertools.count(1)
PASSWORD = "correct horse battery"


async def staff(helpdesk: Helpdesk, role: str = "agent", name: str | None = None) -> dict[str, Any]:
    """Create a staff account and log it in; return bearer headers and the login body."""
    username = f"{role}{next(_counter)}"
    async with helpdesk.app.state.open_db() as db:
        await user_service.create_user(
            db=db,
            username=username,
            password=PASSWORD,
            role=role,
            display_name=name or username.title(),
        )
        await db.commit()
    response = await helpdesk.client.post(
        "/api/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    helpdesk.client.cookies.clear()  # each test chooses cookie or bearer explicitly
    body = response.json()
    return {
        "headers": {"Authorization": f"Bearer {body['token']}"},
        "login": body,
        "username": username,
        "cookies": dict(response.cookies),
    }


async def queued_chat(
    helpdesk: Helpdesk,
    email: str = "anna.berger@brandt.example",
    text: str = "Ich brauche einen Menschen",
) -> tuple[str, dict[str, str]]:
    """A conversation that asked for a person (via the internal API, as the bot does)."""
    headers = helpdesk.as_employee(email, email.split("@")[0].replace(".", " ").title())

    async def handoff(sender: str, message: str, metadata: dict[str, Any]) -> list[Any]:
        assert helpdesk.rasa.internal is not None
        await helpdesk.rasa.internal.post(
            f"/api/internal/conversations/{sender}/handoff", json={"reason": "requested"}
        )
        return [{"recipient_id": sender, "text": "Ich verbinde Sie mit dem IT Service Desk."}]

    helpdesk.rasa.on_message = handoff
    cid = await helpdesk.start_chat(headers)
    response = await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=headers
    )
    assert response.json()["state"] == "queued", response.text
    helpdesk.rasa.on_message = helpdesk.rasa._echo
    return cid, headers


def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment for `python -m handoff` on its own SQLite database in data_dir."""
    env = {**os.environ, "HELPDESK_ENV": "test", "HELPDESK_DATA_DIR": str(data_dir)}
    for name in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN"):
        env[f"HELPDESK_{name}"] = secrets.token_hex(32)
    return env


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m handoff ARGS` in a process of its own, from the project's root."""
    return subprocess.run(
        [sys.executable, "-m", "handoff", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
