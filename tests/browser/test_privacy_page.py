"""The privacy page: an admin exports one employee's data, then erases it after confirming."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from .axe import assert_accessible
from .live import Stack
from .pages import Session

pytestmark = pytest.mark.browser

PASSWORD = "privacy browser password"
EMAIL = "paula.privat@brandt.example"
SAID = "Mein Drucker druckt nur leere Seiten (Paula)"


@pytest.fixture
async def person(browser: Browser) -> AsyncIterator[Session]:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    try:
        yield Session(await context.new_page())
    finally:
        await context.close()


async def _employee_chat(http: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    token = (
        await http.post("/api/dev/token", json={"email": EMAIL, "name": "Paula Privat"})
    ).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    cid = (await http.post("/api/chat/sessions", json={}, headers=headers)).json()[
        "conversation_id"
    ]
    sent = await http.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": SAID}, headers=headers
    )
    assert sent.status_code == 200
    return cid, headers


async def test_an_admin_exports_then_erases_an_employee(stack: Stack, person: Session) -> None:
    admin = {"username": "privacy-admin", "password": PASSWORD}
    await stack.create_staff(admin["username"], "admin", "Petra Admin", PASSWORD)
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=60) as http:
        cid, employee = await _employee_chat(http)

        page = person.page
        await page.goto(f"{stack.base_url}/console/privacy")
        await expect(page).to_have_url(re.compile(r"/console/login\?next="))
        await page.get_by_label("Username").fill(admin["username"])
        await page.get_by_label("Password").fill(admin["password"])
        await page.get_by_role("button", name="Log in").click()
        await expect(page).to_have_url(f"{stack.base_url}/console/privacy")
        await page.wait_for_load_state("networkidle")
        await assert_accessible(page)

        await page.get_by_role("button", name="Export as JSON").click()
        await expect(page.get_by_role("alert")).to_contain_text("Enter the employee's e-mail")
        await page.get_by_label("The employee's e-mail address").fill(EMAIL.upper())
        async with page.expect_download() as waiting:
            await page.get_by_role("button", name="Export as JSON").click()
        download = await waiting.value
        assert download.suggested_filename == f"personal-data-{EMAIL}.json"
        exported = json.loads(Path(await download.path()).read_text(encoding="utf-8"))
        assert [c["id"] for c in exported["conversations"]] == [cid]
        assert SAID in json.dumps(exported, ensure_ascii=False)
        result = page.locator("#privacy-result")
        await expect(result).to_contain_text("conversations: 1")

        await page.get_by_role("button", name="Erase…").click()
        dialog = page.get_by_role("dialog", name="Erase this employee's personal data?")
        await expect(dialog).to_contain_text(EMAIL)
        confirm = dialog.get_by_role("button", name="Erase for good")
        await expect(confirm).to_be_disabled()
        await dialog.get_by_label("Type the address again to confirm").fill(
            "someone@brandt.example"
        )
        await expect(confirm).to_be_disabled()
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(dialog).to_be_hidden()
        still = await http.get(f"/api/chat/sessions/{cid}/messages", headers=employee)
        assert still.status_code == 200  # cancelled: nothing erased

        await page.get_by_role("button", name="Erase…").click()
        await dialog.get_by_label("Type the address again to confirm").fill(EMAIL)
        await confirm.click()
        await expect(result).to_contain_text(f"Erased for {EMAIL}")
        await expect(result).to_contain_text("conversations deleted: 1")
        gone = await http.get(f"/api/chat/sessions/{cid}/messages", headers=employee)
        assert gone.status_code == 404

        login = await http.post("/api/auth/login", json=admin)
        bearer = {"Authorization": f"Bearer {login.json()['token']}"}
        audit = await http.get("/api/admin/audit", params={"target": EMAIL}, headers=bearer)
        actions = [(e["actor"], e["action"]) for e in audit.json()["events"]]
        assert actions == [
            ("user:privacy-admin", "privacy.erase"),
            ("user:privacy-admin", "privacy.export"),
        ]
    assert person.dialogs == [] and person.errors == []
