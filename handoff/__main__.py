"""`python -m handoff`: serve, prepare data, manage the knowledge base and accounts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from handoff.config import Settings, get_settings
from handoff.insights.demo import register as register_demo_data

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from handoff.kb.rebuild import Rebuilder, RebuildOutcome


# How uvicorn serves the app (the tests' real servers use the same): our logging, and
# WebSocket frames over 256 KiB refused before they are read whole.
UVICORN_OPTIONS: dict[str, object] = {"log_config": None, "ws_max_size": 256 * 1024}


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "handoff.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers,
        **UVICORN_OPTIONS,  # type: ignore[arg-type]
    )
    return 0


def _rebuilder(settings: Settings, open_db: async_sessionmaker[AsyncSession]) -> Rebuilder:
    from handoff.kb.rebuild import Rebuilder
    from kb_index.embedder import load_embedder

    embedder = load_embedder(settings.embedding_model)
    return Rebuilder(open_db=open_db, settings=settings, embedder=embedder)


def _prepare(args: argparse.Namespace) -> int:
    from handoff import bootstrap
    from handoff.cli_support import database
    from kb_index import ProgressBar

    settings = get_settings()

    async def run() -> RebuildOutcome | None:
        async with database(settings) as open_db:
            return await bootstrap.prepare(
                settings=settings,
                open_db=open_db,
                rebuilder=None if args.no_index else _rebuilder(settings, open_db),
                progress=ProgressBar(),
            )

    outcome = asyncio.run(run())
    return 0 if outcome is None else _report_rebuild(outcome, settings)


def _kb_rebuild(args: argparse.Namespace) -> int:
    from handoff import bootstrap
    from handoff.cli_support import database
    from kb_index import ProgressBar

    settings = get_settings()

    async def run() -> RebuildOutcome:
        async with database(settings) as open_db:
            await bootstrap.seed_articles(settings=settings, open_db=open_db)
            return await _rebuilder(settings, open_db).rebuild(
                requested_by="cli",
                quality_gate=not args.no_quality_gate,
                force=args.force,
                progress=None if args.quiet else ProgressBar(),
            )

    return _report_rebuild(asyncio.run(run()), settings)


def _report_rebuild(outcome: RebuildOutcome, settings: Settings) -> int:
    """Say how a rebuild ended; 0 if the live index is current, else 1."""
    build = outcome.build
    if outcome.skipped:
        print(f"live index unchanged, kept: build {build.id}", file=sys.stderr)
        return 0
    joined = f"joined the rebuild requested by {build.requested_by}: " if outcome.joined else ""
    if build.state == "succeeded":
        print(
            f"{joined}live index built: build {build.id}, {build.documents} documents "
            f"({build.embedded} embedded) at {settings.live_index_path}; {build.message}",
            file=sys.stderr,
        )
        return 0
    quality = build.details.get("quality") or {}
    if build.state == "rejected":
        print(
            f"{joined}build {build.id} rejected by the quality gate: {quality.get('baseline')} "
            f"-> {quality.get('candidate')} of the evaluation questions right; the live index "
            "is unchanged (an admin can publish it anyway in the editor)",
            file=sys.stderr,
        )
        return 1
    print(f"{joined}build {build.id} {build.state}: {build.message}", file=sys.stderr)
    return 1


def _db_upgrade(args: argparse.Namespace) -> int:
    from handoff import migrate

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url, args.revision)
    return 0


def _kb_import(args: argparse.Namespace) -> int:
    from handoff.cli_support import database
    from handoff.kb import service, source

    articles = source.read_all(Path(args.directory))

    async def run() -> None:
        async with database(get_settings()) as open_db, open_db() as db:
            report = await service.import_articles(db=db, articles=articles, author=args.author)
        print(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}",
            file=sys.stderr,
        )

    asyncio.run(run())
    return 0


def _kb_export(args: argparse.Namespace) -> int:
    from handoff.cli_support import database
    from handoff.kb import service, source

    async def run() -> int:
        async with database(get_settings()) as open_db, open_db() as db:
            articles = await service.export_articles(db=db)
        for article, status in articles:
            source.write_article(Path(args.directory), article, status)
        return len(articles)

    count = asyncio.run(run())
    print(f"exported {count} articles to {args.directory}", file=sys.stderr)
    return 0


def _users_create(args: argparse.Namespace) -> int:
    from handoff.cli_support import database
    from handoff.users import service

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else ""
    if not password:
        raise ValueError("give the password on standard input with --password-stdin")

    async def run() -> None:
        async with database(get_settings()) as open_db, open_db() as db:
            user = await service.create_user(
                db=db,
                username=args.username,
                password=password,
                role=args.role,
                display_name=args.display_name or "",
            )
            await db.commit()
        print(f"created {user.role} {user.username}", file=sys.stderr)

    asyncio.run(run())
    return 0


def _users_ensure_admin(args: argparse.Namespace) -> int:
    """Create the first admin with a random password, printed once (dev set-up)."""
    import secrets

    from handoff.cli_support import database
    from handoff.users import service

    async def run() -> str | None:
        async with database(get_settings()) as open_db, open_db() as db:
            if await service.admin_exists(db=db):
                return None
            password = secrets.token_urlsafe(12)
            await service.create_user(
                db=db,
                username=args.username,
                password=password,
                role="admin",
                display_name=args.display_name,
            )
            await db.commit()
            return password

    password = asyncio.run(run())
    if password is None:
        print("an admin account exists already", file=sys.stderr)
    else:
        print(
            f"created the first admin: username {args.username}, password {password} "
            "(shown only now)"
        )
    return 0


def _add_kb_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = sub.add_parser("kb", help="knowledge base: files and the index").add_subparsers(
        dest="kb", required=True
    )
    kb_import = kb.add_parser("import", help="import articles in the source format")
    kb_import.add_argument("directory")
    kb_import.add_argument("--author", default="import")
    kb_import.set_defaults(func=_kb_import)
    kb_export = kb.add_parser("export", help="write every article in the source format")
    kb_export.add_argument("directory")
    kb_export.set_defaults(func=_kb_export)
    rebuild = kb.add_parser(
        "rebuild", help="build the live search index from the published articles"
    )
    rebuild.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    rebuild.add_argument(
        "--no-quality-gate",
        action="store_true",
        help="make the build live without checking it against the evaluation set",
    )
    rebuild.add_argument("--quiet", action="store_true", help="no progress bar")
    rebuild.set_defaults(func=_kb_rebuild)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m handoff", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the helpdesk service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
    prepare = sub.add_parser("prepare", help="migrate, seed, build the index if articles changed")
    prepare.add_argument("--no-index", action="store_true")
    prepare.set_defaults(func=_prepare)
    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    upgrade = db.add_parser("upgrade", help="apply migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_db_upgrade)
    _add_kb_commands(sub)
    users = sub.add_parser("users", help="staff accounts").add_subparsers(
        dest="users", required=True
    )
    create = users.add_parser("create", help="create an agent, editor or admin account")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["agent", "editor", "lead", "admin"])
    create.add_argument("--display-name")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    create.set_defaults(func=_users_create)
    ensure = users.add_parser("ensure-admin", help="create the first admin if there is none")
    ensure.add_argument("--username", default="admin")
    ensure.add_argument("--display-name", default="IT Admin")
    ensure.set_defaults(func=_users_ensure_admin)
    _hardening_commands(sub, users)
    register_demo_data(sub)
    return parser


def _hardening_commands(sub: argparse._SubParsersAction, users: argparse._SubParsersAction) -> None:
    from handoff.cli_support import database
    from handoff.insights import cli as insights_cli
    from handoff.privacy import cli as privacy_cli
    from handoff.users import cli as users_cli

    users_cli.add_commands(users, database)
    privacy_cli.add_commands(sub, database)
    insights_cli.add_commands(sub, database)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, OSError) as exc:
        print(f"handoff: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
