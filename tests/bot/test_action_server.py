"""The action server listens on loopback only and refuses requests without the secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.actions.server import ServerSettings, authorized
from bot.actions.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-shared-with-rasa-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on port, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table, encoding="ascii") as handle:
            for line in list(handle)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                    found.add(address)
    return found


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "HELPDESK_ACTIONS_PORT": str(port), "HELPDESK_ACTIONS_SECRET": SECRET}
    env.pop("HELPDESK_ACTIONS_HOST", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.actions.server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("the action server did not start")
        yield url
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode(errors="replace")
        # Nothing an employee wrote reaches the log (the request below carries it).
        assert "Mein Drucker brennt" not in output


def _call(text: str) -> dict[str, object]:
    return {
        "next_action": "action_ticket_status",
        "sender_id": "conversation-1",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "conversation-1",
            "slots": {},
            "latest_message": {"text": text, "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def test_listens_on_loopback_only(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    addresses = _listening_addresses(port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, not 0.0.0.0 or ::


def test_request_without_the_secret_is_refused(server: str) -> None:
    response = httpx.post(f"{server}/webhook", json=_call("Mein Drucker brennt"), timeout=10)
    assert response.status_code == 401
    wrong = httpx.get(f"{server}/actions", headers={"X-Action-Token": "guess"}, timeout=10)
    assert wrong.status_code == 401


def test_request_with_the_secret_reaches_the_actions(server: str) -> None:
    listed = httpx.get(f"{server}/actions", headers={"X-Action-Token": SECRET}, timeout=10)
    assert listed.status_code == 200
    assert {"name": "action_ticket_status"} in listed.json()


def test_health_needs_no_secret(server: str) -> None:
    assert httpx.get(f"{server}/health", timeout=10).json() == {"status": "ok"}


def test_settings_refuse_a_public_address_without_a_secret() -> None:
    assert ServerSettings.from_env({}).host == "127.0.0.1"
    with pytest.raises(SettingsError, match="HELPDESK_ACTIONS_SECRET"):
        ServerSettings.from_env({"HELPDESK_ACTIONS_HOST": "0.0.0.0"})
    public = ServerSettings.from_env(
        {"HELPDESK_ACTIONS_HOST": "0.0.0.0", "HELPDESK_ACTIONS_SECRET": SECRET}
    )
    assert public.host == "0.0.0.0"
    with pytest.raises(SettingsError, match="PORT"):
        ServerSettings.from_env({"HELPDESK_ACTIONS_PORT": "http"})


def test_authorized_compares_the_whole_secret() -> None:
    assert authorized("", None)
    assert authorized(SECRET, SECRET)
    assert not authorized(SECRET, None)
    assert not authorized(SECRET, SECRET[:-1])
