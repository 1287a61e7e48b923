"""Rasa's endpoints file: action server, tracker store and lock store.

One Rasa process keeps the default of `make run`: trackers in a SQLite file,
locks in memory. Several Rasa processes share the SQL tracker store on
PostgreSQL and the Redis lock store, which serialises each conversation's
messages across processes. Secrets are written as `${VAR}` (Rasa expands them
from its environment, in plain scalars only: never quote them), so they appear
neither in the file nor in `ps`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

TRACKER_ENV = "HELPDESK_RASA_TRACKER_URL"
LOCK_PASSWORD_ENV = "HELPDESK_RASA_LOCK_PASSWORD"
LOCK_KEY_PREFIX = "helpdesk"
# Rasa's Redis lock store, with atomic changes of a lock (bot/lock_store.py says why).
LOCK_STORE_CLASS = "bot.lock_store.AtomicRedisLockStore"
# Seconds a conversation's lock outlives a Rasa process killed while holding it; the
# service gives up on Rasa after 30 s (HELPDESK_RASA_TIMEOUT_SECONDS) anyway.
LOCK_LIFETIME_SECONDS = 30


class StoreError(ValueError):
    """A store URL that Rasa cannot use."""


def _postgres(url: str) -> SplitResult:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgresql") or not parts.path.strip("/"):
        raise StoreError(f"expected a postgresql://…/DATABASE URL, got scheme {parts.scheme!r}")
    # Rasa (SQLAlchemy 1.4) talks to PostgreSQL through psycopg2, the default driver.
    return parts._replace(scheme="postgresql")


def tracker_url(environ: Mapping[str, str]) -> str:
    """The tracker store's URL: HELPDESK_RASA_TRACKER_URL, else <database>_rasa beside
    a PostgreSQL HELPDESK_DATABASE_URL, else "" (SQLite)."""
    explicit = (environ.get(TRACKER_ENV) or "").strip()
    if explicit:
        return urlunsplit(_postgres(explicit))
    database = (environ.get("HELPDESK_DATABASE_URL") or "").strip()
    if not database.startswith("postgresql"):
        return ""
    parts = _postgres(database)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_rasa"))


def secrets_env(*, tracker_url: str, lock_url: str) -> dict[str, str]:
    """The environment Rasa needs to expand the endpoints file written for these stores."""
    env: dict[str, str] = {}
    if tracker_url:
        env[TRACKER_ENV] = tracker_url
    if lock_url:
        env["TICKET_LOCK_LIFETIME"] = str(LOCK_LIFETIME_SECONDS)
        if urlsplit(lock_url).password:
            env[LOCK_PASSWORD_ENV] = urlsplit(lock_url).password or ""
    return env


def _lock_store(lock_url: str, key_prefix: str) -> list[str]:
    parts = urlsplit(lock_url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise StoreError(f"expected a redis://HOST[:PORT][/DB] URL, got {lock_url!r}")
    db = parts.path.strip("/") or "0"
    lines = [
        "lock_store:",
        f"  type: {LOCK_STORE_CLASS}",
        f'  url: "{parts.hostname}"',
        f"  port: {parts.port or 6379}",
        f"  db: {int(db)}",
        f"  key_prefix: {key_prefix}",
    ]
    if parts.scheme == "rediss":
        lines.append("  use_ssl: true")
    if parts.password:
        lines.append(f"  password: ${{{LOCK_PASSWORD_ENV}}}")
    return lines


def endpoints_yaml(
    *,
    actions_url: str,
    sqlite_file: Path,
    tracker_url: str = "",
    lock_url: str = "",
    key_prefix: str = LOCK_KEY_PREFIX,
) -> str:
    """The endpoints file's text; Rasa expands the ${...} from its environment."""
    lines = [
        "action_endpoint:",
        f'  url: "{actions_url}"',
        "  headers:",
        "    X-Action-Token: ${HELPDESK_ACTIONS_SECRET}",
        "tracker_store:",
        "  type: SQL",
    ]
    if tracker_url:
        lines += ['  dialect: "postgresql"', f"  url: ${{{TRACKER_ENV}}}"]
    else:
        lines += ['  dialect: "sqlite"', f'  db: "{sqlite_file}"']
    if lock_url:
        if not key_prefix.isalnum():
            raise StoreError(f"the lock store's key prefix must be alphanumeric: {key_prefix!r}")
        lines += _lock_store(lock_url, key_prefix)
    return "\n".join(lines) + "\n"


async def _ensure_database(url: str) -> bool:
    import asyncpg  # the service's environment has it

    parts = urlsplit(url)
    name = parts.path.strip("/")
    # Connect to the server's maintenance database to create the tracker's.
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    connection = await asyncpg.connect(admin, timeout=10)
    try:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        quoted = '"' + name.replace('"', '""') + '"'
        await connection.execute(f"CREATE DATABASE {quoted}")
        return True
    finally:
        await connection.close()


def ensure_database(url: str) -> bool:
    """Create the tracker store's PostgreSQL database if missing; True if created."""
    return asyncio.run(_ensure_database(url))


def ping_postgres(url: str) -> None:
    """Raise unless the PostgreSQL server of url answers."""

    async def ping() -> None:
        import asyncpg

        connection = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
        await connection.close()

    asyncio.run(ping())
