"""`python -m handoff users list` and the names the account commands write to the audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..factories import cli_env, run_cli


def test_users_list_shows_every_account(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    empty = run_cli(env, "users", "list")
    assert empty.returncode == 0, empty.stderr
    assert "no staff accounts" in empty.stdout
    for username, role in (("maria", "agent"), ("olaf", "editor")):
        created = run_cli(
            env,
            *("users", "create", "--username", username, "--role", role, "--password-stdin"),
            *("--display-name", f"{username.title()} Example"),
            stdin="a long enough password\n",
        )
        assert created.returncode == 0, created.stderr
    assert run_cli(env, "users", "disable", "--username", "olaf").returncode == 0
    assert run_cli(env, "users", "reset-password", "--username", "olaf").returncode == 0
    with sqlite3.connect(tmp_path / "helpdesk.db") as db:
        db.execute("UPDATE users SET last_login_at = '2026-11-30 09:15:00' WHERE username='maria'")
        actions = [row[0] for row in db.execute("SELECT action FROM audit_events ORDER BY id")]
    assert actions == ["user.disable", "user.reset_password"]  # named as the admin API does

    listed = run_cli(env, "users", "list")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["username", "display", "name", "role", "active", "last", "login"]
    assert rows[0].split() == [
        "maria",
        "Maria",
        "Example",
        "agent",
        "yes",
        "2026-11-30",
        "09:15",
        "UTC",
    ]
    assert rows[1].split() == ["olaf", "Olaf", "Example", "editor", "no", "never"]
    assert rows[0].index("agent") == rows[1].index("editor") == header.index("role")
