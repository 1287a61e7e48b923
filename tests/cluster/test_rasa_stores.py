"""Two Rasa processes on one PostgreSQL tracker store and one Redis lock store."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts import rasa_stores, stack

from .conftest import REDIS_URL

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def two_rasas(
    fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[stack.StackConfig, list[str]]]:
    """Helpdesk and action server once, Rasa twice, on the shared stores."""
    if not stack.BOT_RASA.exists():
        pytest.skip("the Rasa environment .venv-bot is missing (make install creates it)")
    model = stack.train_bot()
    config = stack.StackConfig.ephemeral(
        tmp_path_factory.mktemp("two-rasas"),
        HELPDESK_DATABASE_URL=fresh_database,
        HELPDESK_LOG_LEVEL="WARNING",
    )
    config.use_shared_stores(
        {"HELPDESK_DATABASE_URL": fresh_database, "HELPDESK_REDIS_URL": REDIS_URL}
    )
    assert config.tracker_url.endswith("_rasa")
    rasa_stores.ensure_database(config.tracker_url)
    second = stack.rasa_process(config, model, name="rasa-2", port=stack.free_port())
    log = (config.data_dir / "processes.log").open("a", encoding="utf-8")
    procs = stack.processes(config, model) + [second]
    try:
        for proc in procs:
            stack.start(proc, lambda line: print(line, file=log, flush=True))
            stack.wait_ready(proc, 600)
        yield config, [config.rasa_url, second.ready_url.rstrip("/")]
    finally:
        stack.stop(procs)
        log.close()


async def _say(client: httpx.AsyncClient, rasa: str, sender: str, text: str) -> list[Any]:
    response = await client.post(
        f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    )
    response.raise_for_status()
    return list(response.json())


def _tracker(config: stack.StackConfig, rasa: str, sender: str) -> dict[str, Any]:
    response = httpx.get(
        f"{rasa}/conversations/{sender}/tracker",
        params={"token": config.rasa_token},
        timeout=30,
    )
    response.raise_for_status()
    return dict(response.json())


def _user_texts(tracker: dict[str, Any]) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def test_a_conversation_continues_in_the_other_process(
    two_rasas: tuple[stack.StackConfig, list[str]],
) -> None:
    config, (first, second) = two_rasas
    sender = uuid.uuid4().hex

    async def talk() -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            assert await _say(client, first, sender, "Hallo")
            assert await _say(client, second, sender, "Ich möchte ein Ticket aufmachen")

    asyncio.run(talk())
    seen_by_first = _tracker(config, first, sender)
    seen_by_second = _tracker(config, second, sender)
    assert _user_texts(seen_by_second) == ["Hallo", "Ich möchte ein Ticket aufmachen"]
    # The second process worked on the first one's tracker: one session, one history.
    assert seen_by_first["events"] == seen_by_second["events"]
    starts = [e for e in seen_by_second["events"] if e["event"] == "session_started"]
    assert len(starts) == 1


def test_two_processes_never_work_on_one_conversation_at_once(
    two_rasas: tuple[stack.StackConfig, list[str]],
) -> None:
    config, rasas = two_rasas
    sender = uuid.uuid4().hex
    texts = [f"Mein Drucker druckt nicht {n}" for n in range(8)]

    async def flood() -> None:
        async with httpx.AsyncClient(timeout=120) as client:
            await _say(client, rasas[0], sender, "Hallo")
            await asyncio.gather(
                *(_say(client, rasas[n % 2], sender, text) for n, text in enumerate(texts))
            )

    asyncio.run(flood())
    events = _tracker(config, rasas[0], sender)["events"]
    # Every message was kept, and each turn ran to its action_listen before the next
    # began: without the shared lock the processes overwrite or interleave turns.
    assert sorted(_user_texts({"events": events})[1:]) == sorted(texts)
    turns = _turns(events)
    assert len(turns) == 1 + len(texts)
    for turn in turns:
        assert turn[-1] == "action_listen", turn


def _turns(events: list[dict[str, Any]]) -> list[list[str]]:
    """The actions after each user message, up to the next user message."""
    turns: list[list[str]] = []
    for event in events:
        if event["event"] == "user":
            turns.append([])
        elif event["event"] == "action" and turns:
            turns[-1].append(event["name"])
    return turns


def test_default_endpoints_stay_single_machine(tmp_path: Path) -> None:
    config = stack.StackConfig(data_dir=tmp_path)
    config.use_shared_stores({})
    text = config.endpoints_file().read_text()
    assert 'dialect: "sqlite"' in text
    assert "lock_store" not in text
    assert "${HELPDESK_ACTIONS_SECRET}" in text
    assert config.actions_secret not in text
