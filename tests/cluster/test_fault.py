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
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from scripts import cluster

from ..handoff.realtime.test_redis_faults import REDIS_SERVER, RedisProcess
from . import employees
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


def _kill(proc: cluster.Process) -> None:
    assert proc.popen is not None and proc.popen.poll() is None
    os.killpg(proc.popen.pid, signal.SIGKILL)


def _restart_dead(running: Running) -> None:
    """Start again what an earlier test killed (make cluster's supervisor would)."""
    for proc in running.cluster.processes:
        if proc.popen is not None and proc.popen.poll() is not None:
            cluster.start(proc, running.sink)
            cluster.wait_ready(proc, timeout=300)


def _chat_under_fire(running: Running, first: int, fault: Callable[[], Awaitable[None]]) -> None:
    """EMPLOYEES employees (numbered from first) chat while fault() runs; check every message."""
    base = running.cluster.config.helpdesk_url

    async def chat() -> list[employees.Employee]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            people = [await employees.start(http, first + n) for n in range(EMPLOYEES)]

            async def employee(n: int) -> None:
                for i in range(MESSAGES):
                    await employees.say(http, people[n], employees.question(first + n, i))

            chatting = [asyncio.create_task(employee(n)) for n in range(EMPLOYEES)]
            await fault()
            # The fault hit the chat, not its end: someone was still waiting for an answer.
            assert not all(task.done() for task in chatting), "the chat ended before the fault"
            await asyncio.gather(*chatting)
            return people

    async def check(people: list[employees.Employee]) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for n, who in enumerate(people):
                transcript = await employees.transcript(http, who)
                sent = [m["text"] for m in transcript if m["sender"] == "user"]
                for i in range(MESSAGES):
                    text = employees.question(first + n, i)
                    assert sent.count(text) == who.stored[text], (text, sent)
                    assert employees.answered(transcript, text), text
                await employees.tracker_keeps(http, running.cluster.config, who, transcript)
                assert who.silent == [], f"answered with nothing: {who.silent}"

    with _log_on_failure(running.log):
        started = time.monotonic()
        people = asyncio.run(chat())
        assert time.monotonic() - started < 600
        asyncio.run(check(people))


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

    _chat_under_fire(running_cluster, 100, fault)
