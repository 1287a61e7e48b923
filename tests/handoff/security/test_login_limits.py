"""Finding 4: failed logins are limited per client address too, and Argon2 runs off the loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from handoff.users import service as user_service

from ..conftest import Helpdesk
from ..factories import PASSWORD, staff


async def test_many_accounts_from_one_address_are_limited(sqlite_helpdesk: Helpdesk) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")  # logged in once: its own count is 0
    for n in range(h.settings.login_attempts):
        wrong = await h.client.post(
            "/api/auth/login", json={"username": f"guess{n}", "password": "wrong guess"}
        )
        assert wrong.status_code == 401
    # Every account was tried once only; the address is over its limit, so even the right
    # password of an account never tried is refused.
    refused = await h.client.post(
        "/api/auth/login", json={"username": agent["username"], "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= h.settings.login_window_seconds
    # Another address is not affected.
    elsewhere = httpx.ASGITransport(app=h.app, client=("10.20.30.40", 5000))
    async with httpx.AsyncClient(transport=elsewhere, base_url="http://helpdesk.test") as other:
        login = await other.post(
            "/api/auth/login", json={"username": agent["username"], "password": PASSWORD}
        )
    assert login.status_code == 200


async def _longest_pause_during(work: Awaitable[Any]) -> tuple[float, float]:
    """Run `work` while a coroutine ticks every 5 ms; return (longest gap between ticks, time
    `work` took). A blocked event loop shows as a long gap."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    try:
        await work
    finally:
        took = time.perf_counter() - started
        done.set()
        await ticker
    return max(gaps), took


async def test_password_hashing_leaves_the_event_loop_serving(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = sqlite_helpdesk
    agent = await staff(h, "agent")

    def login() -> Awaitable[httpx.Response]:
        body = {"username": agent["username"], "password": PASSWORD}
        return h.client.post("/api/auth/login", json=body)

    await login()  # warm up
    off_loop, took = await _longest_pause_during(login())

    # The same measurement with the hashing forced onto the loop, to show what it detects.
    async def inline(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    monkeypatch.setattr(user_service.asyncio, "to_thread", inline)
    on_loop, _ = await _longest_pause_during(login())
    monkeypatch.undo()

    assert on_loop > 0.05, on_loop  # an Argon2 check takes tens of milliseconds at least
    assert off_loop < on_loop / 2, (off_loop, on_loop, took)
