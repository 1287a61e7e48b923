"""Two service processes behind a load balancer share events through Redis."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from handoff.auth.employees import issue_token

pytestmark = pytest.mark.redis
REDIS_URL = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[3]


def _redis_reason() -> str | None:
    from redis import Redis

    try:
        Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # any failure: not available here
        return f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__})"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"service exited: {proc.stdout.read().decode() if proc.stdout else ''}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready")


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[dict[str, Any]]:
    reason = _redis_reason()
    if reason:
        pytest.skip(reason)
    env = {
        **os.environ,
        "HELPDESK_ENV": "test",
        "HELPDESK_DATA_DIR": str(tmp_path),
        "HELPDESK_REDIS_URL": REDIS_URL,
        "HELPDESK_RASA_URL": "",
        "HELPDESK_LOG_LEVEL": "WARNING",
    }
    for name in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN"):
        env[f"HELPDESK_{name}"] = secrets.token_hex(32)
    procs, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.handoff.serve_fake", str(port)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            procs.append(proc)
            urls.append(f"127.0.0.1:{port}")
            _wait(f"http://{urls[-1]}/health", proc)  # one at a time: the first one migrates
        yield {"urls": urls, "env": env}
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)


async def _next(ws: Any, kind: str, text: str | None = None) -> dict[str, Any]:
    while True:
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if event["type"] == kind and (text is None or event["message"]["text"] == text):
            return dict(event)


async def test_events_cross_from_one_process_to_the_other(two_processes: dict[str, Any]) -> None:
    a, b = two_processes["urls"]
    env = two_processes["env"]
    token = issue_token(
        secret=env["HELPDESK_EMPLOYEE_TOKEN_SECRET"],
        issuer="intranet",
        email="anna.berger@brandt.example",
        name="Anna Berger",
    )
    employee = {"Authorization": f"Bearer {token}"}
    service = {"Authorization": f"Bearer {env['HELPDESK_SERVICE_TOKEN']}"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "handoff",
            "users",
            "create",
            "--username",
            "olaf",
            "--role",
            "agent",
            "--password-stdin",
        ],
        input=b"a long password\n",
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    async with httpx.AsyncClient(timeout=10) as http:
        login = await http.post(
            f"http://{b}/api/auth/login", json={"username": "olaf", "password": "a long password"}
        )
        agent = {"Authorization": f"Bearer {login.json()['token']}"}
        cid = (await http.post(f"http://{a}/api/chat/sessions", headers=employee)).json()[
            "conversation_id"
        ]
        async with (
            websockets.connect(f"ws://{b}/ws/agent?token={login.json()['token']}") as console,
            websockets.connect(f"ws://{a}/ws/chat/{cid}?token={token}") as widget,
        ):
            await _next(console, "presence")
            await http.post(
                f"http://{a}/api/chat/sessions/{cid}/messages",
                json={"text": "Hilfe bitte"},
                headers=employee,
            )
            await http.post(
                f"http://{a}/api/internal/conversations/{cid}/handoff",
                json={"reason": "requested"},
                headers=service,
            )
            assert (await _next(console, "chat_waiting"))["conversation_id"] == cid
            claim = await http.post(
                f"http://{b}/api/agent/conversations/{cid}/claim", headers=agent
            )
            assert claim.status_code == 200
            await console.send(json.dumps({"type": "watch", "conversation_id": cid, "after": 0}))
            await http.post(
                f"http://{b}/api/agent/conversations/{cid}/messages",
                json={"text": "Hallo von Prozess B"},
                headers=agent,
            )
            got = await _next(widget, "message", "Hallo von Prozess B")
            assert got["message"]["sender"] == "agent"
            await http.post(
                f"http://{a}/api/chat/sessions/{cid}/messages",
                json={"text": "Antwort über Prozess A"},
                headers=employee,
            )
            seen = await _next(console, "message", "Antwort über Prozess A")
            assert seen["message"]["sender"] == "user"
