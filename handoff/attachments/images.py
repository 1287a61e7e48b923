"""Images are decoded and encoded anew: metadata (EXIF location) and anything appended go.

That is the one step that holds a file whole: the decoded pixels (at most MAX_PIXELS) and
the encoder's buffers. `Cleaner` runs it in worker threads, `at_once` images at a time, so
the event loop keeps serving chats and the memory it takes is bounded by `at_once` images
of the pixel limit, however many employees upload at once; the result is spooled to a
temporary file beyond 1 MB.
"""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

# A screenshot of four 4K screens side by side; more is a decompression bomb, not a screenshot.
MAX_PIXELS = 4 * 3840 * 2160
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
SPOOL = 1024 * 1024  # a cleaned image larger than this waits on disk, not in memory


class BadImage(ValueError):
    """Not a decodable image of its kind, or far too large."""


class Cleaner:
    """Cleans images off the event loop, at most `at_once` at a time."""

    def __init__(self, at_once: int = 1) -> None:
        self._slots = asyncio.Semaphore(at_once)

    async def clean(self, source: BinaryIO, content_type: str) -> IO[bytes]:
        async with self._slots:
            return await asyncio.to_thread(clean, source, content_type)


def clean(source: BinaryIO, content_type: str) -> IO[bytes]:
    """Return the image re-encoded in its own format, without metadata."""
    source.seek(0)
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(f"images may have at most {MAX_PIXELS} pixels")
            if FORMATS.get(content_type) != image.format:
                raise BadImage("the image's content does not match its type")
            image.load()
            return _encode(image, FORMATS[content_type])
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise BadImage(f"not a readable image ({type(exc).__name__})") from exc


def _encode(image: Image.Image, fmt: str) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # the caller closes it
    if fmt == "GIF":
        frames = getattr(image, "n_frames", 1)
        image.save(out, "GIF", save_all=frames > 1)
    else:
        upright = ImageOps.exif_transpose(image) or image  # keep the orientation, drop EXIF
        if fmt == "JPEG":
            upright.convert("RGB").save(out, "JPEG", quality=90)
        else:
            upright.save(out, fmt)
    out.seek(0)
    return out
