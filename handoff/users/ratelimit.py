"""Login rate limit per account and per client address (the `limits` library).

Only failed logins count. Storage is Redis when HELPDESK_REDIS_URL is set (every process
shares the counts), memory otherwise; if Redis is away, counting goes on in memory.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    retry_after: int  # seconds


class LoginLimiter:
    """Counts failed logins by account and by address; refuses while either is over."""

    def __init__(self, *, attempts: int, window_seconds: int, redis_url: str | None) -> None:
        self.item = RateLimitItemPerSecond(attempts, window_seconds, namespace="login")
        self._memory = FixedWindowRateLimiter(MemoryStorage())
        storage: Storage | None = None
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url, implementation="redispy", wrap_exceptions=True
            )
        self._shared = FixedWindowRateLimiter(storage) if storage else None

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("account", username.strip().lower()), ("address", address)]

    async def check(self, *, username: str, address: str) -> Refused | None:
        """None if a login may be tried now, else how long to wait."""
        for key in self._keys(username, address):
            limiter = await self._limiter()
            try:
                allowed = await limiter.test(self.item, *key)
                if not allowed:
                    stats = await limiter.get_window_stats(self.item, *key)
                    return Refused(max(1, math.ceil(stats.reset_time - time.time())))
            except Exception as exc:  # storage away: count in memory instead
                log.warning("login limit storage failed", extra={"error": type(exc).__name__})
                self._shared = None
        return None

    async def failed(self, *, username: str, address: str) -> None:
        """Count one failed login for the account and for the address."""
        for key in self._keys(username, address):
            limiter = await self._limiter()
            try:
                await limiter.hit(self.item, *key)
            except Exception as exc:
                log.warning("login limit storage failed", extra={"error": type(exc).__name__})
                self._shared = None
                await self._memory.hit(self.item, *key)

    async def _limiter(self) -> FixedWindowRateLimiter:
        return self._shared or self._memory
