"""Live chats over WebSockets: employee -> agent -> employee, 50 chats at once.

One helpdesk process (uvicorn, no bot: the chats are already with agents),
SQLite and then PostgreSQL (when reachable). Each of the 50 employees sends a
message over REST and waits for the agent's socket to see it; the agent then
answers over REST and the employee's socket must see that. Delivery latency =
from sending the REST request until the other side's socket has the message.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import websockets

from handoff.auth.employees import issue_token
from scripts.stack import free_port

from .common import ROOT, table

CHATS = int(os.environ.get("BENCH_LIVE_CHATS", "50"))
AGENTS = 5
SECONDS = float(os.environ.get("BENCH_LIVE_SECONDS", "20"))
POSTGRES = os.environ.get(
    "HELPDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _server(
    data_dir: Path, database_url: str | None
) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "HELPDESK_ENV": "test",
        "HELPDESK_DATA_DIR": str(data_dir),
        "HELPDESK_RASA_URL": "",
        "HELPDESK_LOG_LEVEL": "WARNING",
        "HELPDESK_PORT": str(port),
    }
    for name in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN"):
        env[f"HELPDESK_{name}"] = secrets.token_hex(32)
    if database_url:
        env["HELPDESK_DATABASE_URL"] = database_url
    for i in range(AGENTS):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "handoff",
                "users",
                "create",
                "--username",
                f"agent{i}",
                "--role",
                "agent",
                "--password-stdin",
            ],
            env=env,
            input=b"benchmark password\n",
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    log = (data_dir / "server.log").open("wb")  # shown if the run fails
    proc = subprocess.Popen(
        [sys.executable, "-m", "handoff", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"http://{url}/health", timeout=2).status_code == 200:
                return proc, url, env
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("helpdesk did not start")


async def _until(ws: Any, text: str) -> None:
    while True:
        event = json.loads(await ws.recv())
        if event.get("type") == "message" and event["message"]["text"] == text:
            return


async def _pair(
    http: httpx.AsyncClient,
    url: str,
    cid: str,
    employee: dict[str, str],
    agent: dict[str, str],
    widget: Any,
    console: Any,
    deadline: float,
    latencies: list[float],
) -> int:
    relayed = 0
    while time.monotonic() < deadline:
        text = f"frage {uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        await http.post(
            f"http://{url}/api/chat/sessions/{cid}/messages", json={"text": text}, headers=employee
        )
        await _until(console, text)
        latencies.append((time.perf_counter() - started) * 1000)
        answer = f"antwort {uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        await http.post(
            f"http://{url}/api/agent/conversations/{cid}/messages",
            json={"text": answer},
            headers=agent,
        )
        await _until(widget, answer)
        latencies.append((time.perf_counter() - started) * 1000)
        relayed += 2
    return relayed


async def _measure(url: str, env: dict[str, str]) -> tuple[float, list[float]]:
    service = {"Authorization": f"Bearer {env['HELPDESK_SERVICE_TOKEN']}"}
    # Pooled connections expire before the server's 5 s keep-alive can close them under us.
    limits = httpx.Limits(max_connections=200, keepalive_expiry=2)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        agents = []
        for i in range(AGENTS):
            login = await http.post(
                f"http://{url}/api/auth/login",
                json={"username": f"agent{i}", "password": "benchmark password"},
            )
            agents.append(login.json()["token"])
        chats = []
        for i in range(CHATS):
            token = issue_token(
                secret=env["HELPDESK_EMPLOYEE_TOKEN_SECRET"],
                issuer="intranet",
                email=f"employee{i}@brandt.example",
                name=f"Employee {i}",
            )
            headers = {"Authorization": f"Bearer {token}"}
            cid = (await http.post(f"http://{url}/api/chat/sessions", headers=headers)).json()[
                "conversation_id"
            ]
            await http.post(
                f"http://{url}/api/internal/conversations/{cid}/handoff",
                json={"reason": "requested"},
                headers=service,
            )
            agent = agents[i % AGENTS]
            await http.post(
                f"http://{url}/api/agent/conversations/{cid}/claim",
                headers={"Authorization": f"Bearer {agent}"},
            )
            chats.append((cid, token, headers, agent))
        consoles = [await websockets.connect(f"ws://{url}/ws/agent?token={a}") for a in agents]
        widgets = []
        for cid, token, _, _agent in chats:
            widgets.append(
                await websockets.connect(f"ws://{url}/ws/chat/{cid}?token={token}&after=0")
            )
        # One console socket per chat, so that each pair reads only its own events.
        watchers = []
        for cid, _, _, agent in chats:
            ws = await websockets.connect(f"ws://{url}/ws/agent?token={agent}")
            await ws.send(json.dumps({"type": "watch", "conversation_id": cid, "after": 0}))
            watchers.append(ws)
        await asyncio.sleep(1)
        latencies: list[float] = []
        deadline = time.monotonic() + SECONDS
        started = time.perf_counter()
        counts = await asyncio.gather(
            *[
                _pair(
                    http,
                    url,
                    cid,
                    headers,
                    {"Authorization": f"Bearer {agent}"},
                    widget,
                    watcher,
                    deadline,
                    latencies,
                )
                for (cid, _, headers, agent), widget, watcher in zip(
                    chats, widgets, watchers, strict=True
                )
            ]
        )
        elapsed = time.perf_counter() - started
        for ws in [*consoles, *widgets, *watchers]:
            await ws.close()
    return sum(counts) / elapsed, latencies


def _postgres_database() -> str | None:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(POSTGRES.replace("+asyncpg", ""), timeout=3)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    try:
        asyncio.run(create())
    except Exception as exc:  # not reachable here
        print(f"(PostgreSQL skipped: {type(exc).__name__})")
        return None
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await asyncpg.connect(POSTGRES.replace("+asyncpg", ""), timeout=3)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(drop())


def main() -> None:
    rows = []
    for label, database in (("SQLite", None), ("PostgreSQL", "pg")):
        url_db = _postgres_database() if database else None
        if database and url_db is None:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            proc, url, env = _server(Path(tmp), url_db)
            try:
                rate, latencies = asyncio.run(_measure(url, env))
            except Exception:
                sys.stderr.write((Path(tmp) / "server.log").read_text(errors="replace")[-5000:])
                raise
            finally:
                proc.terminate()
                proc.wait(15)
                if url_db:
                    _drop_postgres_database(url_db)
        rows.append(
            [
                label,
                CHATS,
                f"{rate:.0f}",
                f"{np.percentile(latencies, 50):.1f}",
                f"{np.percentile(latencies, 95):.1f}",
                len(latencies),
            ]
        )
    print(
        table(
            [
                "database",
                "live chats",
                "messages/s relayed",
                "delivery p50 ms",
                "delivery p95 ms",
                "messages",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
