"""Pub/sub of JSON events by channel name.

Channels: ``conversation:<id>`` (the widget of that conversation and the agent
who owns it) and ``agents`` (every agent console: queue changes, new chats).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

log = logging.getLogger(__name__)
QUEUE_SIZE = 1000


class Broker(Protocol):
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(
        self, *channels: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class LocalBroker:
    """In-process fan-out: enough for one service process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._subscribers.clear()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        self.deliver(channel, event)

    def deliver(self, channel: str, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # A subscriber that does not read loses live events; it catches up
                # from the database by sequence number when it reconnects.
                log.warning("subscriber queue full; dropping event", extra={"channel": channel})

    @contextlib.asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        for channel in channels:
            self._subscribers[channel].add(queue)

        async def events() -> AsyncIterator[dict[str, Any]]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            for channel in channels:
                self._subscribers[channel].discard(queue)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, default=str)
