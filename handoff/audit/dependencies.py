"""The audit log as a dependency: routes record what they did in one line."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.deps import OpenDbDep

from . import service


class Auditor:
    """Records one event in its own short transaction (after the change was committed)."""

    def __init__(self, open_db: async_sessionmaker[AsyncSession]) -> None:
        self.open_db = open_db

    async def __call__(self, *, actor: str, action: str, target: str = "", **detail: Any) -> None:
        async with self.open_db() as db:
            await service.record(db=db, actor=actor, action=action, target=target, detail=detail)
            await db.commit()


def get_auditor(open_db: OpenDbDep) -> Auditor:
    return Auditor(open_db)


AuditDep = Annotated[Auditor, Depends(get_auditor)]
