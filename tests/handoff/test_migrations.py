"""The migrations build exactly the schema the models describe, and go down again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from handoff.database import Base, create_engine
from handoff.migrate import alembic_config, upgrade
from handoff.models import load_all_models


async def _differences(url: str) -> list[Any]:
    """What autogenerate would still change after the migrations (nothing, if they are right)."""
    load_all_models()

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def test_the_migrated_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    path = tmp_path / "schema.db"
    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}")
    assert await _differences(f"sqlite+aiosqlite:///{path}") == []


@pytest.mark.postgres
async def test_the_migrated_postgres_schema_matches_the_models_and_downgrades(
    postgres_url: str,
) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    assert await _differences(postgres_url) == []
    await asyncio.to_thread(command.downgrade, alembic_config(postgres_url), "base")
