"""One chat message through the whole stack, and a handoff reaching the agent console.

Starts the real system (helpdesk with the real model, Rasa, action server) on free
ports. For each question: the chat API (helpdesk -> Rasa -> action -> KB search ->
back, messages stored) against Rasa's own REST webhook for the same message in the
same conversation (the action still calls the helpdesk's search). p50/p95 for one
user at a time and for 20 conversations at once. Then the time from "I want a
person" until the chat appears on an agent's console socket.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import websockets

from scripts import stack as system

from .common import ROOT, table

QUESTIONS = [
    ("de", "Ich habe mein Passwort vergessen"),
    ("en", "My VPN keeps disconnecting"),
    ("de", "Der Drucker druckt nicht"),
    ("en", "Outlook is not sending emails"),
    ("de", "Mein Laptop ist sehr langsam"),
]
ROUNDS = int(os.environ.get("BENCH_CHAT_ROUNDS", "40"))
CONCURRENT = 20


async def _employee(http: httpx.AsyncClient, n: int) -> dict[str, str]:
    token = (
        await http.post(
            "/api/dev/token", json={"email": f"bench{n}@brandt.example", "name": f"Bench {n}"}
        )
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def _one(
    http: httpx.AsyncClient, headers: dict[str, str], lang: str, text: str, rasa: str | None
) -> float:
    cid = (await http.post("/api/chat/sessions", json={"locale": lang}, headers=headers)).json()[
        "conversation_id"
    ]
    started = time.perf_counter()
    if rasa is None:
        response = await http.post(
            f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=headers
        )
    else:
        response = await http.post(
            f"{rasa}/webhooks/rest/webhook",
            json={"sender": cid, "message": text, "metadata": {"locale": lang}},
        )
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text
    return elapsed


async def _series(config: system.StackConfig, rasa: str | None, parallel: int) -> list[float]:
    async with httpx.AsyncClient(base_url=config.helpdesk_url, timeout=120) as http:
        people = [await _employee(http, n) for n in range(parallel)]

        async def user(n: int) -> list[float]:
            out = []
            for i in range(ROUNDS // parallel if parallel > 1 else ROUNDS):
                lang, text = QUESTIONS[(n + i) % len(QUESTIONS)]
                out.append(await _one(http, people[n], lang, text, rasa))
            return out

        results = await asyncio.gather(*[user(n) for n in range(parallel)])
    return [x for r in results for x in r]


async def _handoff_to_console(config: system.StackConfig, rounds: int = 10) -> list[float]:
    async with httpx.AsyncClient(base_url=config.helpdesk_url, timeout=120) as http:
        login = await http.post(
            "/api/auth/login", json={"username": "benchagent", "password": "bench password 1"}
        )
        token = login.json()["token"]
        headers = await _employee(http, 999)
        waits = []
        async with websockets.connect(
            f"ws://127.0.0.1:{config.helpdesk_port}/ws/agent?token={token}"
        ) as console:
            for _ in range(rounds):
                cid = (
                    await http.post("/api/chat/sessions", json={"locale": "de"}, headers=headers)
                ).json()["conversation_id"]
                started = time.perf_counter()
                send = asyncio.create_task(
                    http.post(
                        f"/api/chat/sessions/{cid}/messages",
                        json={"text": "Ich möchte mit einem Menschen sprechen"},
                        headers=headers,
                    )
                )
                while True:
                    event = json.loads(await asyncio.wait_for(console.recv(), 60))
                    if event.get("type") == "chat_waiting" and event["conversation_id"] == cid:
                        waits.append((time.perf_counter() - started) * 1000)
                        break
                await send
                await http.post(
                    f"/api/agent/conversations/{cid}/claim",
                    headers={"Authorization": f"Bearer {token}"},
                )
                await http.post(
                    f"/api/agent/conversations/{cid}/close",
                    headers={"Authorization": f"Bearer {token}"},
                )
    return waits


def _row(label: str, values: list[float]) -> list[object]:
    return [
        label,
        len(values),
        f"{np.percentile(values, 50):.0f}",
        f"{np.percentile(values, 95):.0f}",
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = system.StackConfig.ephemeral(
            Path(tmp), HELPDESK_LOG_LEVEL="WARNING", HELPDESK_SERVICE_HOURS="mon-sun 00:00-24:00"
        )
        procs = system.run_all(config, system.train_bot(), sink=lambda line: None)
        try:
            import subprocess

            subprocess.run(
                [
                    str(system.PY),
                    "-m",
                    "handoff",
                    "users",
                    "create",
                    "--username",
                    "benchagent",
                    "--role",
                    "agent",
                    "--password-stdin",
                ],
                input=b"bench password 1\n",
                env={**os.environ, **config.helpdesk_env()},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            asyncio.run(_series(config, None, 1))  # warm-up
            rows, ratios = [], []
            for parallel in (1, CONCURRENT):
                via = asyncio.run(_series(config, None, parallel))
                direct = asyncio.run(_series(config, config.rasa_url, parallel))
                rows.append(_row(f"chat API, {parallel} at once", via))
                rows.append(_row(f"Rasa REST webhook, {parallel} at once", direct))
                ratios.append(
                    (
                        parallel,
                        np.percentile(via, 50) / np.percentile(direct, 50),
                        np.percentile(via, 95) / np.percentile(direct, 95),
                    )
                )
            print(table(["one message, whole stack", "messages", "p50 ms", "p95 ms"], rows))
            print()
            print(
                table(
                    ["conversations at once", "service overhead p50 (ratio)", "p95 (ratio)"],
                    [[p, f"{a:.2f}", f"{b:.2f}"] for p, a, b in ratios],
                )
            )
            print()
            waits = asyncio.run(_handoff_to_console(config))
            print(
                table(
                    [
                        '"I want a person" until the console shows it',
                        "handoffs",
                        "p50 ms",
                        "p95 ms",
                    ],
                    [_row("bot + handoff + agent socket", waits)],
                )
            )
        finally:
            system.stop(procs)


if __name__ == "__main__":
    main()
