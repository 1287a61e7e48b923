"""Knowledge-base articles as HTML: Markdown with raw HTML switched off (it is escaped)."""

from __future__ import annotations

from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup


def _link_open(
    renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if href.startswith(("http://", "https://")):
        token.attrSet("rel", "noopener noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


@cache
def _markdown() -> MarkdownIt:
    # "html": False escapes any raw HTML in an article; markdown-it also refuses
    # javascript:, vbscript:, file: and data: link targets.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.add_render_rule("link_open", _link_open)
    return md


def render(markdown: str) -> Markup:
    """Return the article body as HTML that is safe to put in a page as it is."""
    return Markup(_markdown().render(markdown))  # safe: raw HTML was escaped by the parser


def language_links(slug: str, current: str) -> list[dict[str, Any]]:
    """Links to the article in each language, the current one marked."""
    names = {"de": "Deutsch", "en": "English"}
    return [
        {"lang": lang, "name": name, "href": f"/kb/{slug}?lang={lang}", "current": lang == current}
        for lang, name in names.items()
    ]
