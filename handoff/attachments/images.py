"""Images lose their metadata (EXIF location, text, times) and anything appended.

Every image is decoded in full first: what does not decode as its declared kind, or is far
too large, is refused. A PNG (the screenshot format) is then rewritten chunk by chunk: the
chunks that draw the image and its colours are copied bit for bit, every other chunk
(text, EXIF, time, private ones) and whatever follows its end are dropped; no pixel is
encoded again, which is what made cleaning a screenshot cost about 90 ms of CPU. A PNG whose
EXIF turns it (orientation), and every JPEG, WebP and GIF, is encoded anew instead (the
orientation applied, EXIF dropped).

Decoding holds the pixels (at most MAX_PIXELS), the one step that holds a file whole.
`Cleaner` runs it in worker processes of its own, `at_once` images at a time, at a lower CPU
priority (NICENESS) than the service: the event loop keeps serving chats, and while the
machine is busy the chats' CPU comes first (a burst of screenshots waits, a chat does not).
The memory it takes is bounded by `at_once` images of the pixel limit, however many
employees upload at once, and lives in the workers; the workers start with the first image
and are started again if one dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import multiprocessing
import os
import struct
import tempfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import IO, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

# A screenshot of four 4K screens side by side; more is a decompression bomb, not a screenshot.
MAX_PIXELS = 4 * 3840 * 2160
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
SPOOL = 1024 * 1024  # a cleaned image larger than this waits on disk, not in memory
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What draws a PNG and its colours; everything else (tEXt, zTXt, iTXt, eXIf, tIME, private
# and animation chunks) goes. An animated PNG keeps its still image, as re-encoding did.
PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
            b"sBIT", b"pHYs", b"bKGD"}  # fmt: skip
COPY = 256 * 1024
ORIENTATION = 0x0112
NICENESS = 10  # the workers' CPU weight is about a tenth of the service's when both want it


class BadImage(ValueError):
    """Not a decodable image of its kind, or far too large."""


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    sha256: str


class Cleaner:
    """Cleans images in worker processes of lower priority, at most `at_once` at a time.

    With `processes=False` it uses a thread of the service instead (tests that replace
    `clean`).
    """

    def __init__(self, at_once: int = 1, *, processes: bool = True) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._at_once = at_once
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def clean(self, data: bytes, content_type: str) -> Cleaned:
        async with self._slots:
            if not self._processes:
                return await asyncio.to_thread(clean_bytes, data, content_type)
            for _ in range(2):
                try:
                    return await asyncio.get_running_loop().run_in_executor(
                        self._workers(), clean_bytes, data, content_type
                    )
                except BrokenProcessPool:  # a worker was killed: start new ones, once
                    self.close()
            raise BadImage("the image could not be processed")

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the service's threads (the embedding model's) do not fork well.
            self._pool = ProcessPoolExecutor(
                self._at_once,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_lower_priority,
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # not on every system
        os.nice(NICENESS)


def clean_bytes(data: bytes, content_type: str) -> Cleaned:
    """`clean` for a worker: the cleaned image's bytes and their SHA-256."""
    with clean(io.BytesIO(data), content_type) as cleaned:
        out = cleaned.read()
    return Cleaned(out, hashlib.sha256(out).hexdigest())


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
            if image.format == "PNG" and image.getexif().get(ORIENTATION, 1) == 1:
                return _strip_png(source)
            return _encode(image, FORMATS[content_type])
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise BadImage(f"not a readable image ({type(exc).__name__})") from exc


def _strip_png(source: BinaryIO) -> IO[bytes]:
    """The PNG with only the chunks of PNG_KEPT, each checked against its CRC, up to IEND."""
    source.seek(0)
    if source.read(8) != PNG_SIGNATURE:
        raise BadImage("not a PNG")
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # the caller closes it
    try:
        out.write(PNG_SIGNATURE)
        kind = b""
        while kind != b"IEND":
            head = source.read(8)
            if len(head) < 8:
                raise BadImage("the PNG ends before its IEND chunk")
            length, kind = struct.unpack(">I4s", head)
            kept = kind in PNG_KEPT
            crc = zlib.crc32(kind)
            if kept:
                out.write(head)
            left = length
            while left:
                block = source.read(min(left, COPY))
                if not block:
                    raise BadImage("the PNG ends inside a chunk")
                crc = zlib.crc32(block, crc)
                left -= len(block)
                if kept:
                    out.write(block)
            tail = source.read(4)
            if len(tail) < 4 or struct.unpack(">I", tail)[0] != crc:
                raise BadImage(f"a damaged PNG chunk ({kind!r})")
            if kept:
                out.write(tail)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


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
