"""The system under test for browser tests: the running helpdesk (with the Rasa bot).

The processes are started by scripts/stack.py (the `system` fixture of tests/conftest.py);
`Stack` adds what the tests do besides the browser: staff accounts, internal API calls.
With `bot=False` (a helpdesk without Rasa) the tests hand a chat to the queue through the
internal API, as the action server would.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scripts.stack import StackConfig

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]


@dataclass
class Stack:
    """A running helpdesk service (and, when `bot` is true, the Rasa bot behind it)."""

    base_url: str
    service_token: str
    env: dict[str, str] = field(default_factory=dict)  # to run CLI commands on its database
    bot: bool = False
    _admin: dict[str, str] = field(default_factory=dict, repr=False)

    async def create_staff(
        self, username: str, role: str, display_name: str, password: str
    ) -> None:
        """Create a staff account (through an admin made once with the service's CLI)."""
        if not self._admin:
            admin = {"username": f"admin-{secrets.token_hex(3)}", "password": secrets.token_hex(12)}
            subprocess.run(
                [sys.executable, "-m", "handoff", "users", "create", "--username"]
                + [admin["username"], "--role", "admin", "--password-stdin"],
                input=admin["password"] + "\n",
                text=True,
                check=True,
                capture_output=True,
                cwd=ROOT,
                env={**os.environ, **self.env},
            )
            async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
                login = await client.post("/api/auth/login", json=admin)
                login.raise_for_status()
            self._admin = {"Authorization": f"Bearer {login.json()['token']}"}
        async with httpx.AsyncClient(base_url=self.base_url, headers=self._admin) as client:
            created = await client.post(
                "/api/admin/users",
                json={
                    "username": username,
                    "password": password,
                    "role": role,
                    "display_name": display_name,
                },
            )
            created.raise_for_status()

    async def internal(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Call the internal API as the action server does (service token)."""
        headers = {"Authorization": f"Bearer {self.service_token}"}
        async with httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30) as c:
            response = await c.request(method, path, **kwargs)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def hand_off(self, conversation_id: str, reason: str = "requested") -> dict[str, Any]:
        """Queue a conversation for a person, as the bot's handoff action does."""
        return await self.internal(
            "POST",
            f"/api/internal/conversations/{conversation_id}/handoff",
            json={"reason": reason},
        )


def from_system(config: StackConfig) -> Stack:
    """The browser tests' view of a running system (scripts/stack.py)."""
    return Stack(
        base_url=config.helpdesk_url,
        service_token=config.service_token,
        env=config.helpdesk_env(),
        bot=True,
    )
