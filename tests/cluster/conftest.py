"""PostgreSQL and Redis for the scale-out tests: skipped with the reason where absent."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_URL = os.environ.get(
    "HELPDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def stores_missing() -> str | None:
    """Why PostgreSQL or Redis cannot be used here, or None."""
    from redis import Redis

    try:
        _admin("SELECT 1")
    except Exception as exc:  # any failure means: not here
        return f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__})"
    try:
        Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # any failure means: not here
        return f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__})"
    return None


@pytest.fixture(scope="module")
def fresh_database() -> Iterator[str]:
    """A PostgreSQL database name for one module, created empty and dropped afterwards."""
    reason = stores_missing()
    if reason:
        pytest.skip(reason)
    name = f"helpdesk_cluster_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'DROP DATABASE IF EXISTS "{name}_rasa" WITH (FORCE)')
