"""Static files (JS, CSS, icons) under a version prefix, so a new release busts caches."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# The widget's modules are imported from intranet pages of other origins (CORS mode).
PUBLIC_HEADERS = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
WIDGET_LOADER = STATIC_DIR / "widget" / "loader.js"
LOADER_VERSION_MARK = "__ASSET_VERSION__"


@cache
def version() -> str:
    """A short hash of every static file: part of each asset URL."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def url(path: str) -> str:
    """The URL of a static file, e.g. url("console/main.js")."""
    return f"/static/{version()}/{path}"


def _cache_control(requested_version: str, dev_mode: bool) -> str:
    if dev_mode or requested_version != version():
        return "no-cache"  # revalidate (ETag): edits show up at once in development
    return "public, max-age=31536000, immutable"


def static_file(requested_version: str, path: str, *, dev_mode: bool) -> FileResponse:
    """Serve one file from the static directory (404 for anything outside it)."""
    target = (STATIC_DIR / path).resolve()
    content_type = CONTENT_TYPES.get(target.suffix)
    if not target.is_relative_to(STATIC_DIR) or not target.is_file() or content_type is None:
        raise HTTPException(404, "no such file")
    headers = {**PUBLIC_HEADERS, "Cache-Control": _cache_control(requested_version, dev_mode)}
    return FileResponse(target, media_type=content_type, headers=headers)


def widget_loader(*, dev_mode: bool) -> Response:
    """The one script an intranet page includes; it imports the versioned widget modules."""
    source = WIDGET_LOADER.read_text(encoding="utf-8").replace(LOADER_VERSION_MARK, version())
    headers = {
        **PUBLIC_HEADERS,
        # Short: the loader names the versioned modules, which are cached for good.
        "Cache-Control": "no-cache" if dev_mode else "public, max-age=300",
    }
    return Response(source, media_type=CONTENT_TYPES[".js"], headers=headers)
