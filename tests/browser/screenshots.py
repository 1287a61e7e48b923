"""Take the README screenshots: docs/screenshots/widget.png and console.png.

    .venv/bin/python -m tests.browser.screenshots            # starts the whole system
    .venv/bin/python -m tests.browser.screenshots --base-url http://127.0.0.1:8000 \\
        --service-token dev-insecure-service-token             # a running `make run`

An employee asks for a person, an agent takes the chat over in the console, they write;
a second chat waits in the queue. Staff accounts are made with the service's CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import tempfile
from contextlib import ExitStack
from pathlib import Path

from playwright.async_api import Browser, async_playwright, expect

from scripts import stack as system

from .live import CHROMIUM, CHROMIUM_ARGS, ROOT, Stack, from_system
from .pages import Console, Widget

OUT = ROOT / "docs" / "screenshots"


async def _queued(stack: Stack, widget: Widget, text: str) -> None:
    """Queue the widget's chat (as the bot would), then the employee writes."""
    await widget.open()
    await stack.hand_off(await widget.conversation_id())
    await expect(widget.state).to_contain_text("Position")
    await widget.send(text)


async def scene(stack: Stack, browser: Browser) -> None:
    password = secrets.token_hex(8)
    await stack.create_staff(f"anna-{password[:4]}", "agent", "Anna Schmidt", password)
    staff = await browser.new_context(viewport={"width": 1440, "height": 900})
    employee = await browser.new_context(viewport={"width": 1280, "height": 800})
    other = await browser.new_context()
    console = await Console(await staff.new_page()).login(stack, f"anna-{password[:4]}", password)
    widget = await Widget(await employee.new_page()).visit(
        stack, "Ben Wolf", f"ben.wolf.{password[:4]}@brandt.example"
    )
    await _queued(
        stack, widget, "Hallo, mein Laptop verbindet sich seit heute Morgen nicht mehr mit dem VPN."
    )
    await console.open_from_queue("Ben Wolf")
    await console.claim()
    await console.page.locator("#canned").select_option(label="Begrüßung / Greeting")
    await console.page.locator("#reply").press("Enter")
    await console.reply("Welche Fehlermeldung zeigt GlobalProtect an?")
    await widget.send("„Gateway nicht erreichbar“ – im Büro klappt alles.")
    await console.note("Zertifikat des Laptops prüfen (läuft diese Woche ab?)")
    await console.reply(
        "Danke! Bitte verbinden Sie sich einmal im Büro-WLAN und melden Sie sich ab und "
        "wieder an:\n1. Windows-Taste + L\n2. mit Ihrem Passwort entsperren"
    )
    carla = await Widget(await other.new_page()).visit(
        stack, "Carla Neumann", f"carla.neumann.{password[:4]}@brandt.example"
    )
    await _queued(stack, carla, "Outlook fragt ständig nach meinem Passwort.")
    await expect(console.queue_item("Carla Neumann")).to_be_visible()
    await widget.host.locator("textarea").fill("Mache ich, danke")
    await expect(widget.messages("Windows-Taste")).to_have_count(1)
    await console.page.locator("#reply").fill("Melden Sie sich bitte, sobald ")
    OUT.mkdir(parents=True, exist_ok=True)
    await widget.page.screenshot(path=str(OUT / "widget.png"))
    await console.page.wait_for_timeout(1200)  # the suggestions refresh after a message
    await console.page.screenshot(path=str(OUT / "console.png"))
    for context in (staff, employee, other):
        await context.close()


async def main(base_url: str | None, service_token: str) -> None:
    with ExitStack() as cleanup:
        if base_url:
            stack = Stack(base_url=base_url.rstrip("/"), service_token=service_token, env={})
        else:
            tmp = Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
            config = system.StackConfig.ephemeral(
                tmp, HELPDESK_LOG_LEVEL="WARNING", HELPDESK_SERVICE_HOURS="mon-sun 00:00-24:00"
            )
            procs = system.run_all(config, system.train_bot(), sink=lambda line: None)
            cleanup.callback(system.stop, procs)
            stack = from_system(config)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                await scene(stack, browser)
            finally:
                await browser.close()
    print(f"saved {OUT / 'widget.png'} and {OUT / 'console.png'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running helpdesk (default: start one)")
    parser.add_argument(
        "--service-token",
        default=os.environ.get("HELPDESK_SERVICE_TOKEN", "dev-insecure-service-token"),
    )
    arguments = parser.parse_args()
    asyncio.run(main(arguments.base_url, arguments.service_token))
