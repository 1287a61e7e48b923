"""make cluster under fire: SIGKILL a Rasa and a helpdesk process, then Redis, mid-chat.

Run by `make fault-test` (HELPDESK_FAULT_TEST=1, and by CI after make test): it
starts a cluster of its own on a fresh PostgreSQL database and a redis-server of
its own, which takes minutes. Every message an employee sent is stored exactly
once and answered (by a surviving process, or after "the assistant is
unreachable, your message is saved" on the employee's next try), and Rasa's
trackers keep every answered turn. Asked for and unable to run (no PostgreSQL,
Redis or nginx), it fails rather than skips; on a failure it shows the end of
the processes' log; the processes and the database go in every case.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from handoff.conversations import texts
from scripts import cluster

from ..handoff.realtime.test_redis_faults import REDIS_SERVER, RedisProcess
from .conftest import POSTGRES_URL, stores_missing

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


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="module", autouse=True)
def _prerequisites() -> Iterator[None]:
    """Asked for by make fault-test: a missing part fails it (a skip would pass CI).

    A SIGTERM (a CI job's timeout) becomes an interrupt, so that the teardowns still
    stop the processes and drop the database.
    """
    environ = {**os.environ, "HELPDESK_DATABASE_URL": POSTGRES_URL}
    environ["HELPDESK_REDIS_URL"] = "redis://127.0.0.1:6379/0"  # only checked for its form
    reason = stores_missing() or (None if REDIS_SERVER else "redis-server is not installed")
    reason = reason or cluster.missing(environ)
    if reason:
        pytest.fail(f"make fault-test cannot run here: {reason}", pytrace=False)
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    """The cluster's own Redis (the tests kill it; the shared one stays up)."""
    redis = RedisProcess(tmp_path_factory.mktemp("redis"))
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()


@dataclass
class Running:
    cluster: cluster.Cluster
    redis: RedisProcess
    log: Path
    sink: Callable[[str], None]


@pytest.fixture(scope="module")
def running_cluster(
    fresh_database: str, redis_server: RedisProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    environ = {
        **os.environ,
        "HELPDESK_DATABASE_URL": fresh_database,
        "HELPDESK_REDIS_URL": redis_server.url,
        "HELPDESK_LOG_LEVEL": "WARNING",
        "HELPDESK_SERVICE_HOURS": "mon-sun 00:00-23:59",
    }
    data_dir = tmp_path_factory.mktemp("cluster")
    path = data_dir / "processes.log"
    log = path.open("a", encoding="utf-8")

    def sink(line: str) -> None:
        print(line, file=log, flush=True)

    try:
        with (
            _log_on_failure(path),
            cluster.running(environ, data_dir=data_dir, sink=sink) as (
                running,
                _admin,
            ),
        ):
            yield Running(running, redis_server, path, sink)
    finally:
        log.close()


@contextmanager
def _log_on_failure(path: Path) -> Iterator[None]:
    """A failure says where the processes' log is and shows its end."""
    try:
        yield
    except Exception as exc:
        tail = path.read_text(encoding="utf-8", errors="replace")[-6000:] if path.exists() else ""
        raise AssertionError(f"{exc}\n--- the end of {path} ---\n{tail}") from exc


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


def _restart_dead(running: Running) -> None:
    """Start again what an earlier test killed (make cluster's supervisor would)."""
    for proc in running.cluster.processes:
        if proc.popen is not None and proc.popen.poll() is not None:
            cluster.start(proc, running.sink)
            cluster.wait_ready(proc, timeout=300)


def _chat_under_fire(
    running: Running, first: int, fault: Callable[[], Awaitable[None]]
) -> list[Employee]:
    """EMPLOYEES employees (numbered from first) chat while fault() runs; check every message."""
    base = running.cluster.config.helpdesk_url

    async def chat() -> list[Employee]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            people = [await _start(http, first + n) for n in range(EMPLOYEES)]

            async def employee(n: int) -> None:
                for i in range(MESSAGES):
                    await _say(http, people[n], _question(first + n, i))

            await asyncio.gather(fault(), *(employee(n) for n in range(EMPLOYEES)))
            return people

    async def check(people: list[Employee]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for n, who in enumerate(people):
                transcript = await _transcript(http, who)
                sent = [m["text"] for m in transcript if m["sender"] == "user"]
                for i in range(MESSAGES):
                    text = _question(first + n, i)
                    assert sent.count(text) == who.stored[text], (text, sent)
                    assert _answered(transcript, text), text
                await _tracker_keeps(http, running.cluster.config, who, transcript)

    with _log_on_failure(running.log):
        started = time.monotonic()
        people = asyncio.run(chat())
        assert time.monotonic() - started < 600
        asyncio.run(check(people))
    return people


def test_killing_a_rasa_and_a_helpdesk_process_loses_nothing(running_cluster: Running) -> None:
    tiers = running_cluster.cluster

    async def fault() -> None:
        await asyncio.sleep(3)
        _kill(tiers.rasas[0])
        await asyncio.sleep(3)
        _kill(tiers.helpdesks[0])

    _chat_under_fire(running_cluster, 0, fault)


def test_killing_and_restarting_redis_loses_nothing(running_cluster: Running) -> None:
    """Redis carries live events and Rasa's conversation locks: chat waits for it, no more."""
    _restart_dead(running_cluster)

    async def fault() -> None:
        await asyncio.sleep(3)
        running_cluster.redis.kill()
        await asyncio.sleep(8)
        running_cluster.redis.start()

    people = _chat_under_fire(running_cluster, 100, fault)
    assert all(p.stored for p in people)


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
