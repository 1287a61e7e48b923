"""Redis away never stops chat: a real redis-server of the test's own, killed and restarted."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from handoff.auth.employees import issue_token
from handoff.main import create_app

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..fakes import FakeEmbedder, FakeRasa

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisProcess:
    """A throwaway redis-server on a free port that a test may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        self.proc = subprocess.Popen(
            [REDIS_SERVER, *args, "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    redis = RedisProcess(tmp_path)
    try:
        yield redis
    finally:
        redis.kill()


async def _redis_health(helpdesk: Helpdesk, wanted: str) -> dict[str, object]:
    for _ in range(100):
        response = await helpdesk.client.get("/health")
        assert response.status_code == 200, response.text
        if response.json()["checks"]["redis"] == wanted:
            return dict(response.json())
        await asyncio.sleep(0.1)
    raise AssertionError(f"redis never reported {wanted!r}")


async def _chat(helpdesk: Helpdesk, employees: list[dict[str, str]], chats: list[str], n: int):  # type: ignore[no-untyped-def]
    async def one(headers: dict[str, str], cid: str, i: int) -> None:
        response = await helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages", json={"text": f"Frage {i}"}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert [m["text"] for m in response.json()["messages"]] == [f"echo: Frage {i}"]

    await asyncio.gather(*(one(h, c, n) for h, c in zip(employees, chats, strict=True)))


async def test_chat_goes_on_while_redis_is_killed_and_restarted(
    tmp_path: Path, redis_process: RedisProcess
) -> None:
    redis_process.start()
    settings = make_settings(tmp_path, redis_url=redis_process.url)
    async with running_helpdesk(settings) as helpdesk:
        await _redis_health(helpdesk, "ok")
        employees = [helpdesk.as_employee(f"user{i}@brandt.example", f"User {i}") for i in range(4)]
        chats = [await helpdesk.start_chat(h) for h in employees]
        await _chat(helpdesk, employees, chats, 1)
        redis_process.kill()
        await _chat(helpdesk, employees, chats, 2)
        body = await _redis_health(helpdesk, "degraded")
        assert body["status"] == "ok"
        await _chat(helpdesk, employees, chats, 3)
        redis_process.start()
        await _redis_health(helpdesk, "ok")
        await _chat(helpdesk, employees, chats, 4)
        for headers, cid in zip(employees, chats, strict=True):
            transcript = await helpdesk.client.get(
                f"/api/chat/sessions/{cid}/messages", headers=headers
            )
            texts = [m["text"] for m in transcript.json()["messages"] if m["sender"] != "system"]
            asked = [t for t in texts if t.startswith("Frage")]
            assert asked == [f"Frage {i}" for i in range(1, 5)]  # each stored once, in order
            assert [t for t in texts if t.startswith("echo")] == [f"echo: {t}" for t in asked]


async def test_the_service_starts_without_redis_and_reconnects(
    tmp_path: Path, redis_process: RedisProcess
) -> None:
    settings = make_settings(tmp_path, redis_url=redis_process.url)
    async with running_helpdesk(settings) as helpdesk:
        await _redis_health(helpdesk, "degraded")
        headers = helpdesk.as_employee()
        cid = await helpdesk.start_chat(headers)
        await _chat(helpdesk, [headers], [cid], 1)
        redis_process.start()
        await _redis_health(helpdesk, "ok")
        await _chat(helpdesk, [headers], [cid], 2)


def test_a_socket_gets_live_messages_while_redis_is_away(
    tmp_path: Path, redis_process: RedisProcess
) -> None:
    settings = make_settings(tmp_path, redis_url=redis_process.url)
    rasa = FakeRasa()
    app = create_app(settings, embedder=FakeEmbedder(), bot_transport=rasa.transport())
    token = issue_token(
        secret=settings.employee_token_secret.get_secret_value(),
        issuer=settings.employee_token_issuer,
        email="anna.berger@brandt.example",
        name="Anna Berger",
    )
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        cid = client.post("/api/chat/sessions", json={}, headers=headers).json()["conversation_id"]
        with client.websocket_connect(f"/ws/chat/{cid}?token={token}") as ws:
            client.post(
                f"/api/chat/sessions/{cid}/messages", json={"text": "Hallo"}, headers=headers
            )
            seen = [ws.receive_json()["message"]["text"] for _ in range(2)]
    assert seen == ["Hallo", "echo: Hallo"]
