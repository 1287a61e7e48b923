"""Uploads make way for the chat: few at a time, and spaced while the bot is answering."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from handoff.conversations import uploads
from handoff.conversations.uploads import UploadGate

from ..conftest import Helpdesk
from .test_attachments import _upload


async def test_with_no_chat_waiting_uploads_start_at_once_up_to_the_limit() -> None:
    gate = UploadGate(at_once=3, spacing=60.0, busy=lambda: False)
    inside, most = 0, 0

    async def upload() -> None:
        nonlocal inside, most
        async with gate:
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.wait_for(asyncio.gather(*[upload() for _ in range(7)]), 10)
    assert most == 3  # never waited for the minute's spacing, never more than three


async def test_while_the_bot_answers_uploads_start_one_per_spacing() -> None:
    busy = True
    gate = UploadGate(at_once=5, spacing=0.05, busy=lambda: busy)
    starts: list[float] = []

    async def upload() -> None:
        async with gate:
            starts.append(time.monotonic())

    await asyncio.gather(*[upload() for _ in range(4)])
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.045  # one start per 50 ms, though five may run
    busy = False
    started = time.monotonic()
    await asyncio.gather(*[upload() for _ in range(4)])
    assert starts[-1] - started < 1.0  # the chat is answered: no more spacing


async def test_an_upload_given_up_while_it_waits_frees_its_place() -> None:
    busy = True
    gate = UploadGate(at_once=1, spacing=60.0, busy=lambda: busy)
    async with gate:  # the first starts at once; the next would wait a minute
        waiting = asyncio.create_task(gate.__aenter__())
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.01)  # it has the one place now, and waits for its start
    waiting.cancel()  # the employee closed the tab
    with pytest.raises(asyncio.CancelledError):
        await waiting
    busy = False

    async def enter() -> None:
        async with gate:
            pass

    await asyncio.wait_for(enter(), 1)  # the one place was given back


async def test_an_upload_while_a_chat_is_answered_waits_its_turn(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    helpdesk = sqlite_helpdesk
    chat = helpdesk.app.state.chat
    answering, release, seen = asyncio.Event(), asyncio.Event(), []

    async def slow_bot(sender: str, text: str, metadata: dict[str, Any]) -> list[Any]:
        seen.append(chat.answering)
        answering.set()
        await release.wait()
        return [{"recipient_id": sender, "text": "Das Passwort setzen Sie so zurück: …"}]

    helpdesk.rasa.on_message = slow_bot
    flow = helpdesk.app.state.uploads
    put, starts = flow.storage.put, []

    async def timed_put(key: str, source: Any) -> None:
        starts.append(time.monotonic())
        await put(key, source)

    monkeypatch.setattr(flow.storage, "put", timed_put)
    asker = helpdesk.as_employee()
    cid = await helpdesk.start_chat(asker)
    asked = asyncio.create_task(
        helpdesk.client.post(
            f"/api/chat/sessions/{cid}/messages", json={"text": "Passwort vergessen"}, headers=asker
        )
    )
    await asyncio.wait_for(answering.wait(), 10)
    other = helpdesk.as_employee("ben.kraus@brandt.example", "Ben Kraus")
    chats = [await helpdesk.start_chat(other) for _ in range(3)]
    sent = await asyncio.gather(
        *[
            _upload(helpdesk, c, other, "log.txt", b"error 0x80070005\n", "text/plain")
            for c in chats
        ]
    )
    release.set()
    answer = await asked
    assert [r.status_code for r in sent] == [201] * 3 and answer.status_code == 200
    assert seen == [1] and chat.answering == 0  # counted while the bot answered, not after
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= uploads.UPLOAD_SPACING * 0.9
