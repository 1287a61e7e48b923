"""`python -m handoff users disable|enable|set-role|reset-password|revoke --username U`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.audit import service as audit
from handoff.config import get_settings

from . import service
from .models import ROLES, User

Database = Callable[..., AbstractAsyncContextManager[async_sessionmaker[AsyncSession]]]
Change = Callable[[AsyncSession, User, argparse.Namespace], Any]


async def _disable(db: AsyncSession, user: User, args: argparse.Namespace) -> str:
    await service.set_active(db=db, user=user, active=False)
    return f"disabled {user.username}; every login ended"


async def _enable(db: AsyncSession, user: User, args: argparse.Namespace) -> str:
    await service.set_active(db=db, user=user, active=True)
    return f"enabled {user.username}"


async def _set_role(db: AsyncSession, user: User, args: argparse.Namespace) -> str:
    await service.set_role(db=db, user=user, role=args.role)
    return f"{user.username} is now {args.role}; every login ended"


async def _reset(db: AsyncSession, user: User, args: argparse.Namespace) -> str:
    password = await service.set_password(db=db, user=user)
    return f"new password for {user.username}: {password} (shown only now)"


async def _revoke(db: AsyncSession, user: User, args: argparse.Namespace) -> str:
    ended = await service.revoke_all(db=db, user=user)
    return f"ended {ended} credentials of {user.username}"


CHANGES: dict[str, tuple[str, Change]] = {
    "disable": ("disable the account and end every login", _disable),
    "enable": ("enable the account again", _enable),
    "set-role": ("change the role (ends every login)", _set_role),
    "reset-password": ("set a generated password, shown once", _reset),
    "revoke": ("end every login of the account", _revoke),
}


def add_commands(users: argparse._SubParsersAction, database: Database) -> None:
    """Add the account changes to the `users` command."""
    for name, (help_text, change) in CHANGES.items():
        parser = users.add_parser(name, help=help_text)
        parser.add_argument("--username", required=True)
        if name == "set-role":
            parser.add_argument("--role", required=True, choices=ROLES)
        parser.set_defaults(func=_command(name, change, database))


def _command(name: str, change: Change, database: Database) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        print(asyncio.run(_apply(name, change, args, database)))
        return 0

    return run


async def _apply(name: str, change: Change, args: argparse.Namespace, database: Database) -> str:
    async with database(get_settings()) as sessions, sessions() as db:
        try:
            user = await service.by_username(db=db, username=args.username)
        except service.UserNotFound as exc:
            raise ValueError(f"no account {args.username!r}") from exc
        said = str(await change(db, user, args))
        await audit.record(db=db, actor="cli", action=f"user.{name}", target=user.username)
        await db.commit()
    return said
