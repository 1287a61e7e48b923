"""A locked database gives a clear 503 quickly, and /health checks that it can write."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ..conftest import make_settings, running_helpdesk


async def test_a_locked_database_is_503_and_not_ready(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, db_busy_seconds=0.3)
    async with running_helpdesk(settings) as h:
        employee = h.as_employee()
        cid = await h.start_chat(employee)
        assert (await h.client.get("/health")).status_code == 200
        path = settings.database_url.split("///", 1)[1]
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            response = await h.client.post(
                f"/api/chat/sessions/{cid}/messages", json={"text": "Hallo"}, headers=employee
            )
            assert response.status_code == 503
            assert "send it again" in response.json()["detail"]
            assert response.headers["retry-after"] == "5"
            health = await h.client.get("/health")
            assert health.status_code == 503
            assert health.json()["checks"]["database"].startswith("not writable")
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        again = await h.client.post(
            f"/api/chat/sessions/{cid}/messages", json={"text": "Hallo"}, headers=employee
        )
        assert again.status_code == 200
        assert (await h.client.get("/health")).status_code == 200


async def test_every_connection_busy_is_503_too(tmp_path: Path, monkeypatch: Any) -> None:
    """When the pool has no connection free in time, the answer is the same clear 503."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from handoff.conversations import store

    async with running_helpdesk(make_settings(tmp_path)) as h:
        employee = h.as_employee()
        cid = await h.start_chat(employee)

        async def no_connection(**_: Any) -> None:
            raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached")

        monkeypatch.setattr(store, "get_for_employee", no_connection)
        response = await h.client.get(f"/api/chat/sessions/{cid}", headers=employee)
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert "send it again" in response.json()["detail"]
