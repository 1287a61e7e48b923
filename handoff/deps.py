"""Dependencies every route shares (settings, the database), declared once as Annotated aliases.

They take an HTTPConnection, so WebSocket endpoints use them as well as HTTP routes.

Each domain declares its own (its flows, load-or-404) in its ``dependencies.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from handoff.config import Settings


def get_settings_dep(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


def get_open_db(connection: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    open_db: async_sessionmaker[AsyncSession] = connection.app.state.open_db
    return open_db


async def get_db(connection: HTTPConnection) -> AsyncIterator[AsyncSession]:
    async with connection.app.state.open_db() as db:
        yield db


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DbDep = Annotated[AsyncSession, Depends(get_db)]
OpenDbDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_open_db)]
