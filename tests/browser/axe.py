"""axe-core (vendored, tests/browser/vendor/axe-core) on a page: WCAG 2.1 A/AA rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


async def violations(page: Page, include: str | None = None) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations on the page (or inside `include`).

    The script is evaluated through the DevTools protocol, so the pages' strict
    Content-Security-Policy (no inline script) does not have to be loosened for it.
    """
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(f"(() => {{ {_source()}\n }})()")
    result: dict[str, Any] = await page.evaluate(
        """async ([tags, include]) => {
            const context = include ? { include: [include] } : document;
            const found = await window.axe.run(context, { runOnly: { type: "tag", values: tags } });
            return found;
        }""",
        [TAGS, include],
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


async def assert_accessible(page: Page, include: str | None = None) -> None:
    """Fail with the rule names and elements when axe finds serious or critical problems."""
    found = await violations(page, include)
    assert found == [], f"axe (WCAG 2.1 A/AA) found: {found}"
