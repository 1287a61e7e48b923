"""make cluster under fire: SIGKILL a Rasa and a helpdesk process while employees chat.

Run by `make fault-test` (HELPDESK_FAULT_TEST=1): it starts a cluster of its own
on a fresh PostgreSQL database, which takes minutes. Every message an employee
sent is stored exactly once and answered (by a surviving process, or after "the
assistant is unreachable, your message is saved" on the employee's next try),
and Rasa's trackers keep every answered turn.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from handoff.conversations import texts
from scripts import cluster

from .conftest import REDIS_URL

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        os.environ.get("HELPDESK_FAULT_TEST") != "1",
        reason="starts a whole cluster and kills parts of it: make fault-test runs it",
    ),
]
EMPLOYEES = 8
MESSAGES = 6
UNREACHABLE = texts.text("bot_unavailable", "de")
QUESTIONS = [
    "Der Drucker druckt nicht",
    "Mein VPN bricht ständig ab",
    "Ich habe mein Passwort vergessen",
    "Outlook sendet keine E-Mails",
    "Mein Laptop ist sehr langsam",
    "Wie verbinde ich mich mit dem WLAN?",
]


def _question(n: int, i: int) -> str:
    return f"{QUESTIONS[(n + i) % len(QUESTIONS)]} ({n}.{i})"


def _is_answer(message: dict[str, Any]) -> bool:
    """A reply that answers: the bot's, or the system's (queue), not "unreachable"."""
    return message["sender"] in ("bot", "agent", "system") and message["text"] != UNREACHABLE


@pytest.fixture(scope="module")
def running_cluster(
    fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[cluster.Cluster]:
    environ = {
        **os.environ,
        "HELPDESK_DATABASE_URL": fresh_database,
        "HELPDESK_REDIS_URL": REDIS_URL,
        "HELPDESK_LOG_LEVEL": "WARNING",
        "HELPDESK_SERVICE_HOURS": "mon-sun 00:00-23:59",
    }
    reason = cluster.missing(environ)
    if reason:
        pytest.skip(reason)
    data_dir = tmp_path_factory.mktemp("cluster")
    log = (data_dir / "processes.log").open("a", encoding="utf-8")
    try:
        with cluster.running(
            environ, data_dir=data_dir, sink=lambda line: print(line, file=log, flush=True)
        ) as (running, _admin):
            yield running
    finally:
        log.close()


@dataclass
class Employee:
    headers: dict[str, str]
    conversation: str
    # How often the employee knows each text was stored (sent again after "unreachable").
    stored: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0


async def _start(http: httpx.AsyncClient, n: int) -> Employee:
    token = (
        await http.post("/api/dev/token", json={"email": f"f{n}@brandt.example", "name": "F"})
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    session = await http.post("/api/chat/sessions", json={"locale": "de"}, headers=headers)
    return Employee(headers, session.json()["conversation_id"])


async def _transcript(http: httpx.AsyncClient, who: Employee) -> list[dict[str, Any]]:
    for _ in range(60):
        try:
            response = await http.get(
                f"/api/chat/sessions/{who.conversation}/messages", headers=who.headers
            )
            if response.status_code == 200:
                return list(response.json()["messages"])
        except httpx.HTTPError:
            pass
        await asyncio.sleep(1)
    raise AssertionError("the transcript stayed unreachable")


async def _say(http: httpx.AsyncClient, who: Employee, text: str) -> None:
    """Send until answered; after a lost request, look whether it was stored first."""
    for _attempt in range(20):
        try:
            response = await http.post(
                f"/api/chat/sessions/{who.conversation}/messages",
                json={"text": text},
                headers=who.headers,
            )
            reply = response.json() if response.status_code == 200 else None
        except httpx.HTTPError:
            reply = None
        if reply is None:  # the request was lost: was the message stored?
            stored = [m for m in await _transcript(http, who) if m["text"] == text]
            if len(stored) == who.stored.get(text, 0):
                await asyncio.sleep(1)
                continue
            who.stored[text] = len(stored)
            if _answered(await _transcript(http, who), text):
                return
        else:
            who.stored[text] = who.stored.get(text, 0) + 1
            if any(_is_answer(m) for m in reply["messages"]):
                return
            who.unreachable += 1
        await asyncio.sleep(2)  # the employee tries again
    raise AssertionError(f"{text!r} was never answered")


def _answered(transcript: list[dict[str, Any]], text: str) -> bool:
    for n, message in enumerate(transcript):
        if message["sender"] == "user" and message["text"] == text:
            rest = transcript[n + 1 :]
            upto = next((i for i, m in enumerate(rest) if m["sender"] == "user"), len(rest))
            if any(_is_answer(m) for m in rest[:upto]):
                return True
    return False


def _kill(proc: cluster.Process) -> None:
    assert proc.popen is not None and proc.popen.poll() is None
    os.killpg(proc.popen.pid, signal.SIGKILL)


def test_killing_a_rasa_and_a_helpdesk_process_loses_nothing(
    running_cluster: cluster.Cluster,
) -> None:
    base = running_cluster.config.helpdesk_url

    async def chat() -> list[Employee]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            people = [await _start(http, n) for n in range(EMPLOYEES)]

            async def employee(n: int) -> None:
                for i in range(MESSAGES):
                    await _say(http, people[n], _question(n, i))

            async def killer() -> None:
                await asyncio.sleep(3)
                _kill(running_cluster.rasas[0])
                await asyncio.sleep(3)
                _kill(running_cluster.helpdesks[0])

            await asyncio.gather(killer(), *(employee(n) for n in range(EMPLOYEES)))
            return people

    started = time.monotonic()
    people = asyncio.run(chat())
    assert time.monotonic() - started < 600

    async def check() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for n, who in enumerate(people):
                transcript = await _transcript(http, who)
                texts = [m["text"] for m in transcript if m["sender"] == "user"]
                for i in range(MESSAGES):
                    text = _question(n, i)
                    assert texts.count(text) == who.stored[text], (text, texts)
                    assert _answered(transcript, text), text
                await _tracker_keeps(http, running_cluster.config, who, transcript)

    asyncio.run(check())


async def _tracker_keeps(
    http: httpx.AsyncClient,
    config: cluster.StackConfig,
    who: Employee,
    transcript: list[dict[str, Any]],
) -> None:
    """Rasa's tracker (through the Rasa tier) has every turn the bot answered."""
    by_bot = [
        m["text"]
        for n, m in enumerate(transcript)
        if m["sender"] == "user"
        and n + 1 < len(transcript)
        and transcript[n + 1]["sender"] == "bot"
    ]
    response = await http.get(
        f"{config.rasa_url}/conversations/{who.conversation}/tracker",
        params={"token": config.rasa_token},
    )
    assert response.status_code == 200
    in_tracker = [e["text"] for e in response.json()["events"] if e["event"] == "user"]
    missing = [text for text in dict.fromkeys(by_bot) if text not in in_tracker]
    assert not missing, missing
