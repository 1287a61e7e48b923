"""The action server listens on loopback only and refuses requests without the secret."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from bot.actions.server import ServerSettings, authorized
from bot.actions.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-shared-with-rasa-0123456789"
MARKER = "Kennwort-xq7-Zettel-unter-der-Tastatur"


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


class _Helpdesk(BaseHTTPRequestHandler):
    """The helpdesk's internal API as the actions see it: no article, no ticket."""

    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.asked.append(self.path)
        body = json.dumps({"hits": [], "confident": False, "tickets": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Server:
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def helpdesk() -> Iterator[str]:
    stub = ThreadingHTTPServer(("127.0.0.1", 0), _Helpdesk)
    thread = threading.Thread(target=stub.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{stub.server_address[1]}"
    finally:
        stub.shutdown()
        stub.server_close()


@pytest.fixture(scope="module")
def server(helpdesk: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = _free_port()
    env = {
        **os.environ,
        "HELPDESK_ACTIONS_PORT": str(port),
        "HELPDESK_ACTIONS_SECRET": SECRET,
        "HELPDESK_URL": helpdesk,
        "HELPDESK_ENV": "dev",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("HELPDESK_ACTIONS_HOST", None)
    log = tmp_path_factory.mktemp("actions") / "output.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.actions.server"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    running = Server(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, running.output()
            try:
                if httpx.get(f"{running.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("the action server did not start")
        yield running
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        # Nothing an employee wrote reaches the log (the requests below carry it).
        output = running.output()
        assert "Mein Drucker brennt" not in output
        assert MARKER not in output


def _call(text: str, action: str = "action_ticket_status") -> dict[str, object]:
    return {
        "next_action": action,
        "sender_id": "conversation-1",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "conversation-1",
            "slots": {},
            "latest_message": {"text": text, "intent": {"name": "it_question"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def test_listens_on_loopback_only(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    addresses = _listening_addresses(port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1, not 0.0.0.0 or ::


def test_request_without_the_secret_is_refused(server: Server) -> None:
    response = httpx.post(f"{server.url}/webhook", json=_call("Mein Drucker brennt"), timeout=10)
    assert response.status_code == 401
    wrong = httpx.get(f"{server.url}/actions", headers={"X-Action-Token": "guess"}, timeout=10)
    assert wrong.status_code == 401


def test_request_with_the_secret_reaches_the_actions(server: Server) -> None:
    listed = httpx.get(f"{server.url}/actions", headers={"X-Action-Token": SECRET}, timeout=10)
    assert listed.status_code == 200
    assert {"name": "action_ticket_status"} in listed.json()


def test_health_needs_no_secret(server: Server) -> None:
    assert httpx.get(f"{server.url}/health", timeout=10).json() == {"status": "ok"}


@pytest.mark.parametrize("action", ["action_answer_from_kb", "action_ticket_status"])
def test_an_authorised_request_leaves_no_employee_text_in_the_log(
    server: Server, action: str
) -> None:
    asked, marker = len(_Helpdesk.asked), f"{MARKER}-{action}"
    response = httpx.post(
        f"{server.url}/webhook",
        json=_call(f"{marker} Drucker druckt nicht", action),
        headers={"X-Action-Token": SECRET},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert len(_Helpdesk.asked) > asked  # the action did its work with the helpdesk
    if action == "action_answer_from_kb":
        assert any(marker in path for path in _Helpdesk.asked[asked:])  # sent as the query
    assert marker not in server.output()


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
