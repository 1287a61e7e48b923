"""Rendering pages: one Jinja2 environment, security headers and a strict CSP on every page."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from handoff.deps import get_settings_dep

from . import assets

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@cache
def templates() -> Jinja2Templates:
    """The page templates (autoescaping on), with static_url() available in them."""
    environment = Jinja2Templates(directory=str(TEMPLATE_DIR))
    environment.env.globals["static_url"] = assets.url
    return environment


def content_security_policy(request: Request) -> str:
    """No inline script, no foreign origin: markup that slips into a page cannot run."""
    host = request.url.netloc
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a template as a page with the security headers every page gets."""
    settings = get_settings_dep(request)
    values = {"dev_mode": settings.dev_mode, **(context or {})}
    response = templates().TemplateResponse(request, name, values, status_code=status_code)
    response.headers.update(
        {
            "Content-Security-Policy": content_security_policy(request),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-store",
        }
    )
    return response
