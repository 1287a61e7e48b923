"""A real uvicorn process of the service (fake embedder, no bot) whose output a test reads."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, url: str, env: dict[str, str], log: Path) -> None:
        self.url, self.env, self.log = url, env, log

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def live_server(tmp_path: Path, **settings: str) -> Iterator[Server]:
    """Start `tests.handoff.serve_fake` on a free port; stop it afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "HELPDESK_ENV": "test",
        "HELPDESK_DATA_DIR": str(tmp_path / "var"),
        "HELPDESK_RASA_URL": "",
        "HELPDESK_LOG_LEVEL": "INFO",
        "HELPDESK_LOG_FORMAT": "console",
        **{f"HELPDESK_{k.upper()}": v for k, v in settings.items()},
    }
    for name in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN"):
        env.setdefault(f"HELPDESK_{name}", secrets.token_hex(32))
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.handoff.serve_fake", str(port)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", env, log)
        try:
            _wait(server, proc)
            yield server
        finally:
            proc.terminate()
            proc.wait(20)


def _wait(server: Server, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"service exited:\n{server.output()[-3000:]}")
        try:
            if httpx.get(server.url + "/health/live", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("service not ready")
