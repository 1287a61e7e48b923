"""Images are decoded and encoded anew: metadata (EXIF location) and anything appended go."""

from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

# A screenshot of four 4K screens side by side; more is a decompression bomb, not a screenshot.
MAX_PIXELS = 4 * 3840 * 2160
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


class BadImage(ValueError):
    """Not a decodable image of its kind, or far too large."""


def clean(source: BinaryIO, content_type: str) -> io.BytesIO:
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


def _encode(image: Image.Image, fmt: str) -> io.BytesIO:
    out = io.BytesIO()
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
