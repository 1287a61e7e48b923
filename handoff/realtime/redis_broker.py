"""Pub/sub through Redis, so that every service process delivers every event.

Redis is for live delivery only: every message is stored before it is published, and
sockets catch up from the database. So Redis being away never stops a chat: the service
starts without it, a failed publish is logged and delivered to this process's own
subscribers, and the subscription reconnects when Redis returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from .broker import LocalBroker, encode

log = logging.getLogger(__name__)
PREFIX = "helpdesk:"
CONNECT_TIMEOUT = 2.0
RETRY_SECONDS = 1.0


class RedisBroker:
    """Publishes to Redis; one pattern subscription per process feeds local subscribers."""

    def __init__(self, url: str) -> None:
        self._redis = aioredis.from_url(
            url, decode_responses=True, socket_connect_timeout=CONNECT_TIMEOUT
        )
        self._local = LocalBroker()
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.connected = False

    async def start(self) -> None:
        """Subscribe; without Redis the service starts all the same and keeps trying."""
        self._reader = asyncio.create_task(self._read())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=CONNECT_TIMEOUT + 1)
        if not self.connected:
            log.warning("redis unreachable at start; live events stay in this process")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._redis.aclose()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Publish; if Redis is away, deliver to this process's subscribers and go on."""
        try:
            await self._redis.publish(PREFIX + channel, encode(event))
        except (RedisError, OSError) as exc:
            self.connected = False
            log.warning(
                "redis publish failed; delivered in this process only",
                extra={"channel": channel, "error": type(exc).__name__},
            )
            self._local.deliver(channel, event)

    async def ping(self) -> bool:
        """Tell whether Redis answers now."""
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    def subscribe(
        self, *channels: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        return self._local.subscribe(*channels)

    async def _read(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Events published while Redis is away are lost for live delivery only:
                # clients catch up from the database by sequence number.
                if self.connected:
                    log.warning("redis subscription lost; reconnecting", extra={"error": str(exc)})
                self.connected = False
                await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub()
        try:
            await pubsub.psubscribe(PREFIX + "*")
            if not self.connected:
                log.info("redis subscription ready")
            self.connected = True
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
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
