"""Pub/sub through Redis, so that every service process delivers every event."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis import asyncio as aioredis

from .broker import LocalBroker, encode

log = logging.getLogger(__name__)
PREFIX = "helpdesk:"


class RedisBroker:
    """Publishes to Redis; one pattern subscription per process feeds local subscribers."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(url, decode_responses=True)
        self._local = LocalBroker()
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        await self._redis.ping()
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._redis.aclose()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(PREFIX + channel, encode(event))

    def subscribe(
        self, *channels: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        return self._local.subscribe(*channels)

    async def _read(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.psubscribe(PREFIX + "*")
                self._ready.set()
                async for item in pubsub.listen():
                    if item.get("type") != "pmessage":
                        continue
                    channel = str(item["channel"])[len(PREFIX) :]
                    try:
                        event = json.loads(item["data"])
                    except ValueError:
                        continue
                    self._local.deliver(channel, event)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Events published while Redis is away are lost for live delivery only:
                # clients catch up from the database by sequence number.
                log.exception("redis subscription lost; reconnecting")
                await asyncio.sleep(1)
