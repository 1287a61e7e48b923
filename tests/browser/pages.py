"""Page objects: the chat widget on the demo page and the agent console."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.async_api import Dialog, Locator, Page, expect

from .live import Stack

LAUNCHER = re.compile(r"IT-Assistenten|IT assistant")
BOT_TYPING = re.compile(r"Assistent schreibt|Assistant is typing")


class Session:
    """One person's page, recording JavaScript dialogs and errors (there must be none)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    async def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()


class Widget:
    """The employee's chat widget (inside its shadow root; Playwright's locators pierce it)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host = page.locator("helpdesk-widget")

    async def visit(self, stack: Stack, name: str, email: str, lang: str = "de") -> Widget:
        query = urlencode({"name": name, "email": email, "lang": lang})
        await self.page.goto(f"{stack.base_url}/demo?{query}")
        return self

    async def open(self) -> None:
        """Open the panel (a reload may have reopened it already)."""
        launcher = self.host.get_by_role("button", name=LAUNCHER)
        await expect(launcher).to_be_attached()  # mounted: the panel's state is settled now
        if await launcher.get_attribute("aria-expanded") != "true":
            await launcher.click()
        await expect(self.panel).to_be_visible()

    @property
    def panel(self) -> Locator:
        return self.host.get_by_role("dialog")

    @property
    def log(self) -> Locator:
        return self.host.get_by_role("log")

    @property
    def state(self) -> Locator:
        return self.host.locator(".state")

    @property
    def connection(self) -> Locator:
        """The banner that says the connection is gone (or coming back)."""
        return self.panel.locator("p.banner")

    def messages(self, text: str | re.Pattern[str]) -> Locator:
        return self.log.locator("li.msg", has_text=text)

    @property
    def box(self) -> Locator:
        return self.host.locator("#hd-input")

    async def send(self, text: str) -> None:
        box = self.box
        await box.fill(text)
        await box.press("Enter")
        # The bot answers within the request (Rasa and its actions): slow on a busy machine.
        await expect(self.log.locator("li.msg.user.pending")).to_have_count(0, timeout=30_000)
        # Stored is not answered: "Assistant is typing" stays until the answer is shown.
        await expect(self.typing).not_to_contain_text(BOT_TYPING, timeout=60_000)

    @property
    def typing(self) -> Locator:
        return self.host.locator(".typing")

    async def paste_file(self, data: bytes, name: str, content_type: str) -> None:
        """Paste a file into the message box, as the clipboard does with a screenshot."""
        await self.box.evaluate(
            """(box, [b64, name, type]) => {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name, { type }));
                const init = { clipboardData: transfer, bubbles: true, cancelable: true };
                box.dispatchEvent(new ClipboardEvent("paste", init));
            }""",
            [base64.b64encode(data).decode(), name, content_type],
        )

    async def drop_file(self, data: bytes, name: str, content_type: str) -> None:
        """Drag a file over the chat and drop it there (the events a file manager's drag sends).

        While it is dragged over, the panel shows where it can go (a dashed outline).
        """
        transfer = await self.page.evaluate_handle(
            """([b64, name, type]) => {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name, { type }));
                return transfer;
            }""",
            [base64.b64encode(data).decode(), name, content_type],
        )
        await self.log.dispatch_event("dragenter", {"dataTransfer": transfer})
        await self.log.dispatch_event("dragover", {"dataTransfer": transfer})
        await expect(self.panel).to_have_class(re.compile(r"\bdropping\b"))
        await self.log.dispatch_event("drop", {"dataTransfer": transfer})
        await expect(self.panel).not_to_have_class(re.compile(r"\bdropping\b"))

    @property
    def waiting_files(self) -> Locator:
        """The files that go with the next message (the preview above the box)."""
        return self.host.locator(".pending-files li")

    async def conversation_id(self, timeout: float = 10) -> str:
        """The conversation the widget keeps in localStorage (waits until it has one)."""
        for _ in range(int(timeout * 10)):
            stored = await self.page.evaluate(
                "() => Object.keys(localStorage).filter(k => k.startsWith('helpdesk-widget:'))"
                ".map(k => localStorage.getItem(k))"
            )
            ids = [json.loads(s).get("conversationId") for s in stored]
            if any(ids):
                return str(next(i for i in ids if i))
            await self.page.wait_for_timeout(100)
        raise AssertionError("the widget has no conversation")


class Console:
    """The agent console."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def login(self, stack: Stack, username: str, password: str) -> Console:
        await self.page.goto(f"{stack.base_url}/console")
        await self.page.get_by_label("Username").fill(username)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Log in").click()
        await expect(self.page.locator("#connection")).to_have_text("live")
        return self

    def queue_item(self, name: str) -> Locator:
        return self.page.locator("#queue .chat-item", has_text=name)

    @property
    def transcript(self) -> Locator:
        return self.page.locator("#transcript")

    def messages(self, text: str | re.Pattern[str]) -> Locator:
        return self.transcript.locator("li.msg", has_text=text)

    async def open_from_queue(self, name: str) -> None:
        await self.queue_item(name).click()
        await expect(self.page.locator("#chat-title")).to_contain_text(name)

    async def claim(self) -> None:
        await self.page.keyboard.press("c")
        await expect(self.page.locator("#act-escalate")).to_be_enabled()

    async def reply(self, text: str) -> None:
        box = self.page.locator("#reply")
        await box.fill(text)
        await box.press("Enter")
        await expect(box).to_have_value("")

    async def note(self, text: str) -> None:
        box = self.page.locator("#reply")
        await box.fill(text)
        await box.press("Control+Enter")
        await expect(box).to_have_value("")

    async def escalate(self, summary: str) -> None:
        await self.page.locator("#reply").blur()
        await self.page.keyboard.press("e")
        dialog = self.page.get_by_role("dialog", name="Escalate to second level")
        await dialog.get_by_label("Summary for the specialists").fill(summary)
        await dialog.get_by_role("button", name="Escalate").click()
        await expect(dialog).to_be_hidden(timeout=15_000)


async def ask_for_person(stack: Stack, widget: Widget, text: str) -> str:
    """The employee asks for a person; without a bot the test hands off as the bot would."""
    await widget.send(text)
    conversation_id = await widget.conversation_id()
    if not stack.bot:
        await stack.hand_off(conversation_id)
    return conversation_id


class EmployeeApi:
    """The chat API as one employee's other device would call it (dev token endpoint)."""

    def __init__(self, stack: Stack, headers: dict[str, str]) -> None:
        self.stack = stack
        self.headers = headers

    @classmethod
    async def sign_in(cls, stack: Stack, name: str, email: str) -> EmployeeApi:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
            token = await client.post("/api/dev/token", json={"email": email, "name": name})
        token.raise_for_status()
        return cls(stack, {"Authorization": f"Bearer {token.json()['token']}"})

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(
            base_url=self.stack.base_url, headers=self.headers, timeout=60
        ) as client:
            return await client.request(method, path, **kwargs)

    async def start(self, locale: str = "de") -> str:
        created = await self.call("POST", "/api/chat/sessions", json={"locale": locale})
        created.raise_for_status()
        return str(created.json()["conversation_id"])

    async def send(self, conversation_id: str, text: str) -> dict[str, Any]:
        sent = await self.call(
            "POST", f"/api/chat/sessions/{conversation_id}/messages", json={"text": text}
        )
        sent.raise_for_status()
        result: dict[str, Any] = sent.json()
        return result


class AgentApi:
    """The agent API with a bearer token (what the console does, without the page)."""

    def __init__(self, stack: Stack, headers: dict[str, str]) -> None:
        self.stack = stack
        self.headers = headers

    @classmethod
    async def log_in(cls, stack: Stack, account: dict[str, str]) -> AgentApi:
        credentials = {"username": account["username"], "password": account["password"]}
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
            login = await client.post("/api/auth/login", json=credentials)
        login.raise_for_status()
        return cls(stack, {"Authorization": f"Bearer {login.json()['token']}"})

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(
            base_url=self.stack.base_url, headers=self.headers, timeout=60
        ) as client:
            response = await client.request(method, path, **kwargs)
        response.raise_for_status()
        result: dict[str, Any] = response.json() if response.content else {}
        return result

    async def chat(self, conversation_id: str, action: str, **body: Any) -> dict[str, Any]:
        path = f"/api/agent/conversations/{conversation_id}/{action}"
        return await self.call("POST", path, json=body)

    async def ticket(self, number: str) -> dict[str, Any]:
        return await self.call("GET", f"/api/agent/tickets/{number}")
