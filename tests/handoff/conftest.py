"""Fixtures: a helpdesk app per test on its own database, with fake edges by default."""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from handoff.config import Settings
from handoff.main import create_app

from .fakes import FakeEmbedder, FakeRasa

POSTGRES_URL = os.environ.get(
    "HELPDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> str | None:
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # any failure means: not here
        return f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__})"
    return None


@pytest.fixture(scope="session")
def postgres_skip_reason() -> str | None:
    return _postgres_available()


@pytest.fixture
def postgres_url(postgres_skip_reason: str | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    if postgres_skip_reason:
        pytest.skip(postgres_skip_reason)
    import asyncpg

    name = f"helpdesk_test_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES_URL.replace("+asyncpg", "")

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'helpdesk.db'}"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "data_dir": tmp_path / "var",
        "secret_key": secrets.token_hex(32),
        "employee_token_secret": secrets.token_hex(32),
        "service_token": secrets.token_hex(32),
        "rasa_token": secrets.token_hex(32),
        "rasa_url": "http://rasa.test",
        "log_format": "console",
        "log_level": "WARNING",
        "service_hours": "mon-sun 00:00-24:00",
        "holidays": [],
    }
    values.update(overrides)
    return Settings(**values)


class Helpdesk:
    """A running app with clients for employees, the action server and a fake Rasa."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, rasa: FakeRasa) -> None:
        self.app = app
        self.client = client
        self.rasa = rasa
        self.settings: Settings = app.state.settings

    def employee_token(
        self, email: str = "anna.berger@brandt.example", name: str = "Anna Berger"
    ) -> str:
        from handoff.auth.employees import issue_token

        return issue_token(
            secret=self.settings.employee_token_secret.get_secret_value(),
            issuer=self.settings.employee_token_issuer,
            email=email,
            name=name,
        )

    def as_employee(
        self, email: str = "anna.berger@brandt.example", name: str = "Anna Berger"
    ) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.employee_token(email, name)}"}

    @property
    def service(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.service_token.get_secret_value()}"}

    async def start_chat(self, headers: dict[str, str], locale: str = "de") -> str:
        response = await self.client.post(
            "/api/chat/sessions", json={"locale": locale}, headers=headers
        )
        assert response.status_code == 201, response.text
        return str(response.json()["conversation_id"])


@asynccontextmanager
async def running_helpdesk(settings: Settings) -> AsyncIterator[Helpdesk]:
    rasa = FakeRasa()
    app = create_app(settings, embedder=FakeEmbedder(), bot_transport=rasa.transport())
    async with LifespanManager(app, startup_timeout=120):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://helpdesk.test") as c:
            helpdesk = Helpdesk(app, c, rasa)
            rasa.internal = httpx.AsyncClient(
                transport=transport, base_url="http://helpdesk.test", headers=helpdesk.service
            )
            try:
                yield helpdesk
            finally:
                await rasa.internal.aclose()


@pytest.fixture
async def helpdesk(tmp_path: Path, database_url: str) -> AsyncIterator[Helpdesk]:
    """The helpdesk service on SQLite and on PostgreSQL, with a fake embedder and Rasa."""
    async with running_helpdesk(make_settings(tmp_path, database_url=database_url)) as h:
        yield h


@pytest.fixture
async def sqlite_helpdesk(tmp_path: Path) -> AsyncIterator[Helpdesk]:
    """The helpdesk service on SQLite only (for tests about the API, not the database)."""
    async with running_helpdesk(make_settings(tmp_path)) as h:
        yield h
