"""Fixtures for browser tests: the whole system under test, Chromium, an agent account."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from scripts.stack import StackConfig

from .live import CHROMIUM, CHROMIUM_ARGS, Stack, from_system

PASSWORD = "browser test password"
_agents = itertools.count(1)


@pytest.fixture(scope="session")
def stack(system: StackConfig) -> Stack:
    """The whole system (helpdesk, Rasa, action server), shared by the session."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium: make browser)")
    return from_system(system)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium: make browser)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def agent(stack: Stack) -> dict[str, str]:
    """A fresh agent account: username, password, display name."""
    number = next(_agents)
    account = {
        "username": f"agent{number}",
        "password": PASSWORD,
        "name": f"Anna Schmidt {number}" if number > 1 else "Anna Schmidt",
    }
    await stack.create_staff(account["username"], "agent", account["name"], PASSWORD)
    return account
