"""Login limits shared through Redis between service processes, in memory without it."""

from __future__ import annotations

from pathlib import Path

from handoff.users.ratelimit import LoginLimiter

from ..realtime.test_redis_faults import RedisProcess, pytestmark  # noqa: F401


async def test_failed_logins_count_across_processes_through_redis(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path)
    redis.start()
    try:
        one, two = (
            LoginLimiter(attempts=3, window_seconds=60, redis_url=redis.url) for _ in range(2)
        )
        who = {"username": "olaf", "address": "10.1.2.3"}
        await one.failed(**who)
        await two.failed(**who)
        assert await one.check(**who) is None
        await one.failed(**who)
        refused = await two.check(**who)
        assert refused is not None and 0 < refused.retry_after <= 60
        assert await two.check(username="maria", address="10.9.9.9") is None
        redis.kill()
        await one.failed(username="maria", address="10.9.9.9")  # Redis away: counted in memory
        assert await one.check(username="maria", address="10.9.9.9") is None
    finally:
        redis.kill()
