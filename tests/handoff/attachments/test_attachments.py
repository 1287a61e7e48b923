"""Attachments through the real service: types by content, limits, clean images, who sees them."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from handoff.attachments import service as attachment_service
from handoff.attachments.storage import DiskStorage

from ..conftest import Helpdesk, make_settings, running_helpdesk
from ..factories import queued_chat, staff

GPS_TAG = 0x8825


def screenshot(fmt: str = "PNG", *, gps: bool = True) -> bytes:
    """A small image with a GPS position in its EXIF data, as phones write them."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[GPS_TAG] = {1: "N", 2: (48.0, 46.0, 0.0), 3: "E", 4: (9.0, 10.0, 0.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


async def _upload(
    helpdesk: Helpdesk, cid: str, headers: dict[str, str], name: str, data: bytes, ctype: str
) -> Any:
    return await helpdesk.client.post(
        f"/api/chat/sessions/{cid}/attachments",
        files={"file": (name, data, ctype)},
        headers=headers,
    )


async def test_a_screenshot_is_kept_clean_and_shown_only_to_its_employee_and_agents(
    helpdesk: Helpdesk,
) -> None:
    employee = helpdesk.as_employee()
    cid = await helpdesk.start_chat(employee)
    original = screenshot()
    assert Image.open(io.BytesIO(original)).getexif().get(GPS_TAG) is not None
    created = await _upload(helpdesk, cid, employee, "Fehler.png", original, "image/png")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "Fehler.png" and body["content_type"] == "image/png"
    transcript = (
        await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=employee)
    ).json()["messages"]
    assert transcript[0]["attachments"] == [body]
    assert transcript[1]["sender"] == "system" and "Datei" in transcript[1]["text"]
    path = body["url"].removeprefix(helpdesk.settings.public_url)
    mine = await helpdesk.client.get(path, headers=employee)
    assert mine.status_code == 200 and mine.headers["content-type"] == "image/png"
    assert mine.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in mine.headers["content-security-policy"]
    assert mine.headers["content-disposition"].startswith("inline")
    kept = Image.open(io.BytesIO(mine.content))
    assert kept.size == (64, 48) and kept.getexif().get(GPS_TAG) is None
    assert b"PhoneMaker" not in mine.content
    agent = await staff(helpdesk, "agent")
    assert (await helpdesk.client.get(path, headers=agent["headers"])).status_code == 200
    editor = await staff(helpdesk, "editor")
    assert (await helpdesk.client.get(path, headers=editor["headers"])).status_code == 404
    other = helpdesk.as_employee("ben.kraus@brandt.example", "Ben Kraus")
    assert (await helpdesk.client.get(path, headers=other)).status_code == 404
    assert (await helpdesk.client.get(path)).status_code == 404
    guessed = path[:-4] + "0000"
    assert (await helpdesk.client.get(guessed, headers=employee)).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "ctype"),
    [
        ("bild.png", b"<!DOCTYPE html><script>alert(1)</script>", "image/png"),
        ("bild.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/png"),
        ("x.jpg", b"\xff\xd8\xff\xe0 this is no jpeg at all" * 10, "image/jpeg"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "application/octet-stream"),
        ("doc.docx", b"PK\x03\x04\x14\x00\x06\x00", "application/vnd.openxmlformats"),
    ],
)
async def test_disguised_and_unsupported_files_are_refused(
    sqlite_helpdesk: Helpdesk, name: str, data: bytes, ctype: str
) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    refused = await _upload(sqlite_helpdesk, cid, employee, name, data, ctype)
    assert refused.status_code == 415, refused.text
    transcript = await sqlite_helpdesk.client.get(
        f"/api/chat/sessions/{cid}/messages", headers=employee
    )
    assert transcript.json()["messages"] == []  # nothing stored half
    assert [p for p in sqlite_helpdesk.settings.attachment_dir.rglob("*") if p.is_file()] == []


async def test_a_polyglot_loses_what_was_appended_to_the_image(sqlite_helpdesk: Helpdesk) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    polyglot = screenshot(gps=False) + b"<html><script>alert(document.cookie)</script></html>"
    created = await _upload(sqlite_helpdesk, cid, employee, "a.png", polyglot, "image/png")
    assert created.status_code == 201
    path = created.json()["url"].removeprefix(sqlite_helpdesk.settings.public_url)
    served = await sqlite_helpdesk.client.get(path, headers=employee)
    assert b"<script>" not in served.content
    assert Image.open(io.BytesIO(served.content)).format == "PNG"


async def test_text_and_pdf_files_are_downloads_with_their_true_name(
    sqlite_helpdesk: Helpdesk,
) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    log = b"2026-11-30 08:00 VPN: Verbindung getrennt (Fehler 809)\n"
    created = await _upload(sqlite_helpdesk, cid, employee, "../../vpn.log", log, "text/x-log")
    assert created.status_code == 201 and created.json()["name"] == "vpn.txt"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    created_pdf = await _upload(sqlite_helpdesk, cid, employee, "Bericht.pdf", pdf, "x/y")
    assert created_pdf.json()["content_type"] == "application/pdf"
    path = created_pdf.json()["url"].removeprefix(sqlite_helpdesk.settings.public_url)
    served = await sqlite_helpdesk.client.get(path, headers=employee)
    assert served.content == pdf and served.headers["content-disposition"].startswith("attachment")


async def test_size_limits_per_file_and_per_conversation(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, attachment_max_bytes=100, attachment_conversation_max_bytes=250
    )
    async with running_helpdesk(settings) as helpdesk:
        employee = helpdesk.as_employee()
        cid = await helpdesk.start_chat(employee)

        async def send(size: int) -> int:
            response = await _upload(helpdesk, cid, employee, "a.txt", b"x" * size, "text/plain")
            return response.status_code

        assert await send(0) == 422
        assert await send(101) == 413  # one byte over
        assert [await send(100), await send(100)] == [201, 201]
        assert await send(51) == 413  # 250 per conversation
        assert await send(50) == 201


async def test_a_chunked_upload_without_content_length_is_accepted(
    sqlite_helpdesk: Helpdesk,
) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    boundary = "xyzBOUNDARY"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + screenshot()
        + f"\r\n--{boundary}--\r\n".encode()
    )

    async def chunks() -> Any:
        for start in range(0, len(body), 700):
            yield body[start : start + 700]

    response = await sqlite_helpdesk.client.post(
        f"/api/chat/sessions/{cid}/attachments",
        content=chunks(),
        headers={**employee, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 201, response.text


async def test_files_go_with_the_ticket_and_agents_can_send_files(helpdesk: Helpdesk) -> None:
    cid, employee = await queued_chat(helpdesk)
    agent = await staff(helpdesk, "agent")
    created = await _upload(helpdesk, cid, employee, "fehler.png", screenshot(), "image/png")
    assert created.status_code == 201
    state = (await helpdesk.client.get(f"/api/chat/sessions/{cid}", headers=employee)).json()
    listed = await helpdesk.client.get(
        "/api/agent/attachments",
        params={"ticket": state["ticket_number"]},
        headers=agent["headers"],
    )
    assert [a["id"] for a in listed.json()["attachments"]] == [created.json()["id"]]
    url = f"/api/agent/conversations/{cid}/attachments"
    files = {"file": ("anleitung.txt", b"Schritt 1: neu starten", "text/plain")}
    not_claimed = await helpdesk.client.post(url, files=files, headers=agent["headers"])
    assert not_claimed.status_code == 409
    await helpdesk.client.post(f"/api/agent/conversations/{cid}/claim", headers=agent["headers"])
    sent = await helpdesk.client.post(url, files=files, headers=agent["headers"])
    assert sent.status_code == 201
    transcript = (
        await helpdesk.client.get(f"/api/chat/sessions/{cid}/messages", headers=employee)
    ).json()["messages"]
    last = transcript[-1]
    assert last["sender"] == "agent" and last["attachments"][0]["name"] == "anleitung.txt"


async def test_erasing_a_conversation_removes_its_files(sqlite_helpdesk: Helpdesk) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    await _upload(sqlite_helpdesk, cid, employee, "a.png", screenshot(), "image/png")
    root = sqlite_helpdesk.settings.attachment_dir
    assert len([p for p in root.rglob("*") if p.is_file()]) == 1
    async with sqlite_helpdesk.app.state.open_db() as db:
        erased = await attachment_service.erase_conversation(
            db=db, storage=DiskStorage(root), conversation_id=cid
        )
        await db.commit()
    assert erased == 1 and [p for p in root.rglob("*") if p.is_file()] == []


async def test_a_burst_of_uploads_is_taken_a_few_at_a_time(
    sqlite_helpdesk: Helpdesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handoff.conversations.uploads import UPLOADS_AT_ONCE

    storage = sqlite_helpdesk.app.state.uploads.storage
    put = storage.put
    running, most = 0, 0

    async def slow_put(key: str, source: Any) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.05)
        await put(key, source)
        running -= 1

    monkeypatch.setattr(storage, "put", slow_put)
    people = [sqlite_helpdesk.as_employee(f"b{n}@brandt.example", f"B {n}") for n in range(6)]
    chats = [await sqlite_helpdesk.start_chat(p) for p in people]
    sent = await asyncio.gather(
        *[
            _upload(sqlite_helpdesk, cid, p, "log.txt", b"error 0x80070005\n", "text/plain")
            for cid, p in zip(chats, people, strict=True)
        ]
    )
    assert [r.status_code for r in sent] == [201] * 6  # every one kept, none refused
    assert most == UPLOADS_AT_ONCE


async def test_a_body_that_is_not_a_file_gets_a_clear_error(sqlite_helpdesk: Helpdesk) -> None:
    employee = sqlite_helpdesk.as_employee()
    cid = await sqlite_helpdesk.start_chat(employee)
    url = f"/api/chat/sessions/{cid}/attachments"
    other_field = await sqlite_helpdesk.client.post(
        url, files={"screenshot": ("a.txt", b"x", "text/plain")}, headers=employee
    )
    assert other_field.status_code == 422 and "`file`" in other_field.json()["detail"]
    text_field = await sqlite_helpdesk.client.post(
        url,
        content=b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
        headers={**employee, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert text_field.status_code == 422  # a field named file, but text, not a file
    broken = await sqlite_helpdesk.client.post(
        url, content=b"--b\r\n", headers={**employee, "Content-Type": "multipart/form-data"}
    )
    assert broken.status_code == 400 and "multipart" in broken.json()["detail"], broken.text
    transcript = await sqlite_helpdesk.client.get(
        f"/api/chat/sessions/{cid}/messages", headers=employee
    )
    assert transcript.json()["messages"] == []  # nothing stored half
