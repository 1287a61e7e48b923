"""Request bodies are limited by the bytes read, chunked or not; the import route takes more."""

from __future__ import annotations

from collections.abc import AsyncIterator

from handoff.kb import transfer

from ..conftest import Helpdesk
from ..factories import staff

CHUNK = b"x" * 65_536


class Chunks:
    """A chunked body (no Content-Length) that counts how much of it was read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            self.sent += len(CHUNK)
            yield CHUNK


async def test_a_chunked_login_body_stops_at_the_limit(sqlite_helpdesk: Helpdesk) -> None:
    body = Chunks(50 * 1024 * 1024)
    response = await sqlite_helpdesk.client.post(
        "/api/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "request body larger than 1000000 bytes"
    assert body.sent < 2 * 1024 * 1024  # the rest was never read


async def test_a_chunked_chat_message_over_the_limit_is_413(sqlite_helpdesk: Helpdesk) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    response = await sqlite_helpdesk.client.post(
        f"/api/chat/sessions/{cid}/messages",
        content=Chunks(3 * 1024 * 1024),
        headers={**employee, "content-type": "application/json"},
    )
    assert response.status_code == 413
    transcript = await sqlite_helpdesk.client.get(
        f"/api/chat/sessions/{cid}/messages", headers=employee
    )
    assert all(m["sender"] != "user" for m in transcript.json()["messages"])


async def test_a_declared_length_over_the_limit_is_refused(sqlite_helpdesk: Helpdesk) -> None:
    response = await sqlite_helpdesk.client.post(
        "/api/auth/login", content=b"{" + b" " * 1_000_001 + b"}"
    )
    assert response.status_code == 413
    assert response.json()["limit"] == 1_000_000


async def test_the_import_route_takes_more_than_the_default(sqlite_helpdesk: Helpdesk) -> None:
    editor = await staff(sqlite_helpdesk, "editor")
    files = {"file": ("kb.zip", b"P" * (5 * 1024 * 1024), "application/zip")}
    response = await sqlite_helpdesk.client.post(
        "/api/kb/import", files=files, headers=editor["headers"]
    )
    assert response.status_code != 413, response.text
    files = {"file": ("kb.zip", b"P" * (transfer.MAX_UPLOAD + 128 * 1024), "application/zip")}
    response = await sqlite_helpdesk.client.post(
        "/api/kb/import", files=files, headers=editor["headers"]
    )
    assert response.status_code == 413
