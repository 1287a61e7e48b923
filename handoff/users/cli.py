"""`python -m handoff users list`, and `users disable|enable|set-role|reset-password|revoke
--username U`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import select
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
# The audit log names these changes as the admin API does.
AUDITED = {"set-role": "role", "reset-password": "reset_password"}
LIST_COLUMNS = ("username", "display name", "role", "active", "last login")


def add_commands(users: argparse._SubParsersAction, database: Database) -> None:
    """Add `list` and the account changes to the `users` command."""
    listing = users.add_parser("list", help="list the staff accounts")
    listing.set_defaults(func=_list_command(database))
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
        action = f"user.{AUDITED.get(name, name)}"
        await audit.record(db=db, actor="cli", action=action, target=user.username)
        await db.commit()
    return said


def _list_command(database: Database) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        rows = asyncio.run(_rows(database))
        print(table(rows) if rows else "no staff accounts")
        return 0

    return run


async def _rows(database: Database) -> list[tuple[str, ...]]:
    async with database(get_settings()) as sessions, sessions() as db:
        users = (await db.scalars(select(User).order_by(User.username))).all()
    return [
        (
            u.username,
            u.display_name,
            u.role,
            "yes" if u.active else "no",
            u.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if u.last_login_at else "never",
        )
        for u in users
    ]


def table(rows: list[tuple[str, ...]]) -> str:
    """Rows under the column names, each column as wide as its widest cell."""
    lines = [LIST_COLUMNS, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(LIST_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
