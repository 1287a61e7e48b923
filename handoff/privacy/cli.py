"""`python -m handoff privacy erase|export --email E`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.attachments import storage
from handoff.audit import service as audit
from handoff.config import get_settings

from . import service

Database = Callable[..., AbstractAsyncContextManager[async_sessionmaker[AsyncSession]]]


def add_commands(sub: argparse._SubParsersAction, database: Database) -> None:
    """Add the `privacy` command; `database` opens the migrated database of the settings."""
    privacy = sub.add_parser("privacy", help="employees' personal data").add_subparsers(
        dest="privacy", required=True
    )
    erase = privacy.add_parser("erase", help="delete conversations, anonymise tickets")
    erase.add_argument("--email", required=True)
    erase.set_defaults(func=lambda args: _run(_erase(args.email, database)))
    export = privacy.add_parser("export", help="write everything held about them as JSON")
    export.add_argument("--email", required=True)
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(func=lambda args: _run(_export(args.email, args.out, database)))


def _run(work: AsyncIterator[None] | object) -> int:
    asyncio.run(work)  # type: ignore[arg-type]
    return 0


async def _erase(email: str, database: Database) -> None:
    async with database(get_settings()) as sessions, sessions() as db:
        changed = await service.erase(
            db=db, storage=storage.from_settings(get_settings()), email=email
        )
        await audit.record(db=db, actor="cli", action="privacy.erase", target=email, detail=changed)
        await db.commit()
    for what, count in changed.items():
        print(f"{what}: {count}")
    if not changed.get("conversations deleted") and not changed.get("tickets anonymised"):
        print(f"nothing held about {email}")


async def _export(email: str, out: str | None, database: Database) -> None:
    async with database(get_settings()) as sessions, sessions() as db:
        data = await service.export(db=db, email=email)
        await audit.record(db=db, actor="cli", action="privacy.export", target=email)
        await db.commit()
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        print(text)
