"""One rebuild pipeline: start-up, the command line and editors share slot, ids and gate."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from handoff.database import utcnow
from handoff.kb import quality
from handoff.kb.models import IndexBuild
from handoff.kb.owners import process_owner
from handoff.kb.rebuild import Rebuilder

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..factories import staff

ROOT = Path(__file__).resolve().parents[3]
BUILD_ID = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{8}$")


def _rebuilder(helpdesk: Helpdesk) -> Rebuilder:
    """A rebuilder like another process's: it does not tell this app's search."""
    app = helpdesk.app
    return Rebuilder(
        open_db=app.state.open_db, settings=helpdesk.settings, embedder=app.state.search.embedder
    )


async def test_start_up_builds_through_the_pipeline(sqlite_helpdesk: Helpdesk) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    state = (await sqlite_helpdesk.client.get("/api/kb/index", headers=editor)).json()
    live = state["live"]
    assert BUILD_ID.match(live["id"]) and live["requested_by"] == "startup"
    assert live["state"] == "succeeded" and live["progress"] == 1.0
    assert live["message"] == "live (published without the quality gate)"
    assert live["quality"] is None
    started = (await sqlite_helpdesk.client.post("/api/kb/index/rebuild", headers=editor)).json()
    assert BUILD_ID.match(started["id"]) and started["id"] != live["id"]


async def test_the_command_line_joins_an_editors_rebuild_instead_of_starting_one(
    sqlite_helpdesk: Helpdesk,
) -> None:
    editor = (await staff(sqlite_helpdesk, "editor"))["headers"]
    rebuilder = _rebuilder(sqlite_helpdesk)
    held, started = await rebuilder.claim(requested_by="editor-elsewhere")
    assert started
    joined = await sqlite_helpdesk.client.post("/api/kb/index/rebuild", headers=editor)
    assert joined.json()["id"] == held.id and joined.json()["state"] == "queued"
    cli = asyncio.create_task(rebuilder.rebuild(requested_by="cli", quality_gate=True, force=True))
    await asyncio.sleep(0.2)
    assert not cli.done()  # it waits for the build in the slot
    await rebuilder.run(build_id=held.id, quality_gate=True)
    outcome = await asyncio.wait_for(cli, timeout=30)
    assert outcome.joined and outcome.build.id == held.id
    assert outcome.build.state == "succeeded" and outcome.build.active_slot is None


async def test_a_first_build_is_let_through_and_says_so(sqlite_helpdesk: Helpdesk) -> None:
    async with sqlite_helpdesk.app.state.open_db() as db:
        await db.execute(update(IndexBuild).values(live=False))
        await db.commit()
    outcome = await _rebuilder(sqlite_helpdesk).rebuild(requested_by="cli", quality_gate=True)
    build = outcome.build
    assert not outcome.skipped and build.state == "succeeded" and build.live
    verdict = build.details["quality"]
    assert verdict["passed"] and verdict["baseline"] is None
    assert verdict["note"] == quality.FIRST_BUILD
    assert build.message == f"live ({quality.FIRST_BUILD})"


async def test_unchanged_articles_are_not_rebuilt_unless_forced(sqlite_helpdesk: Helpdesk) -> None:
    rebuilder = _rebuilder(sqlite_helpdesk)
    kept = await rebuilder.rebuild(requested_by="cli", quality_gate=True)
    assert kept.skipped and kept.build.id == sqlite_helpdesk.app.state.search.build_id
    forced = await rebuilder.rebuild(requested_by="cli", quality_gate=True, force=True)
    assert not forced.skipped and forced.build.id != kept.build.id
    assert forced.build.state == "succeeded"
    assert forced.build.details["quality"]["baseline"] is not None


async def test_a_slot_whose_process_died_is_taken_over(sqlite_helpdesk: Helpdesk) -> None:
    rebuilder = _rebuilder(sqlite_helpdesk)
    dead, _ = await rebuilder.claim(requested_by="crashed")
    async with sqlite_helpdesk.app.state.open_db() as db:
        await db.execute(
            update(IndexBuild)
            .where(IndexBuild.id == dead.id)
            .values(state="running", heartbeat_at=utcnow() - timedelta(minutes=4))
        )
        await db.commit()
    fresh, started = await rebuilder.claim(requested_by="cli")
    assert started and fresh.id != dead.id
    reaped = await rebuilder.get(build_id=dead.id)
    assert reaped.state == "failed" and reaped.message == "the process running it stopped"


def _handoff(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HELPDESK_ENV": "dev",
        "HELPDESK_DATA_DIR": str(data_dir),
        "HELPDESK_EMBEDDING_MODEL": "hashing",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def test_python_m_handoff_kb_rebuild_builds_the_live_index(tmp_path: Path) -> None:
    first = _handoff("handoff", "kb", "rebuild", "--quiet", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "live index built: build" in first.stderr and "84 documents" in first.stderr
    assert quality.FIRST_BUILD in first.stderr
    again = _handoff("handoff", "kb", "rebuild", "--quiet", data_dir=tmp_path)
    assert again.returncode == 0 and "live index unchanged, kept" in again.stderr
    found = subprocess.run(
        [sys.executable, "-m", "kb_index", "search", "--json", "Drucker druckt nicht"],
        capture_output=True,
        text=True,
        env={**os.environ, "KB_INDEX_DIR": str(tmp_path / "index" / "current")}
        | {"KB_INDEX_MODEL": "hashing", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert set(result) == {"hits", "confident"} and result["hits"]


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


async def _leave_running(helpdesk: Helpdesk, owner: dict[str, object]) -> IndexBuild:
    """A build that looks mid-run (fresh heartbeat, partial files) with the given owner."""
    build, started = await _rebuilder(helpdesk).claim(requested_by="killed")
    assert started
    partial = helpdesk.settings.index_dir / "builds" / build.id
    partial.mkdir(parents=True)
    (partial / "vectors.part").write_bytes(b"\0" * 100)
    async with helpdesk.app.state.open_db() as db:
        await db.execute(
            update(IndexBuild)
            .where(IndexBuild.id == build.id)
            .values(state="running", heartbeat_at=utcnow(), details={"owner": owner})
        )
        await db.commit()
    return build


async def test_a_build_whose_process_died_is_failed_at_once(sqlite_helpdesk: Helpdesk) -> None:
    here = process_owner()
    dead = await _leave_running(sqlite_helpdesk, {**here, "pid": _dead_pid()})
    fresh, started = await _rebuilder(sqlite_helpdesk).claim(requested_by="cli")
    assert started and fresh.id != dead.id  # not joined, though the heartbeat is fresh
    reaped = await _rebuilder(sqlite_helpdesk).get(build_id=dead.id)
    assert reaped.state == "failed" and reaped.active_slot is None
    assert not (sqlite_helpdesk.settings.index_dir / "builds" / dead.id).exists()


async def test_a_live_or_remote_owner_keeps_its_build(sqlite_helpdesk: Helpdesk) -> None:
    rebuilder = _rebuilder(sqlite_helpdesk)
    mine = await _leave_running(sqlite_helpdesk, process_owner())
    assert await rebuilder.reap_orphans() == []
    held, started = await rebuilder.claim(requested_by="cli")
    assert not started and held.id == mine.id  # joined: its process is alive
    async with sqlite_helpdesk.app.state.open_db() as db:
        remote = {"host": "another-machine", "pid": _dead_pid(), "started": 1}
        await db.execute(
            update(IndexBuild).where(IndexBuild.id == mine.id).values(details={"owner": remote})
        )
        await db.commit()
    assert await rebuilder.reap_orphans() == []  # another machine's pid says nothing here


async def test_start_up_fails_the_build_a_killed_process_left(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with running_helpdesk(settings) as first:
        dead = await _leave_running(first, {**process_owner(), "pid": _dead_pid()})
    async with running_helpdesk(settings) as again:
        reaped = await _rebuilder(again).get(build_id=dead.id)
        assert reaped.state == "failed" and reaped.message == "the process running it stopped"
        assert not (settings.index_dir / "builds" / dead.id).exists()
