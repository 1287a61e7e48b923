"""Images lose their metadata (EXIF location, text, times) and anything appended.

Every image is decoded in full first: what does not decode as its declared kind, or is far
too large, is refused. A PNG (the screenshot format) is then rewritten chunk by chunk: the
chunks that draw the image and its colours are copied bit for bit, every other chunk
(text, EXIF, time, private ones) and whatever follows its end are dropped; no pixel is
encoded again, which is what made cleaning a screenshot cost about 90 ms of CPU. A PNG whose
EXIF turns it (orientation), and every JPEG, WebP and GIF, is encoded anew instead (the
orientation applied, EXIF dropped).

Decoding holds the pixels (at most MAX_PIXELS), the one step that holds a file whole.
`Cleaner` runs it in worker processes of its own, `at_once` images at a time, at idle CPU
priority (Linux's SCHED_IDLE; elsewhere a niceness of NICENESS): the event loop keeps serving
chats, and the workers run only on CPU time the chats leave over (a burst of screenshots
waits, a chat does not). On a machine the chats keep fully busy, images wait until they
leave some.
The memory it takes is bounded by `at_once` images of the pixel limit, however many
employees upload at once, and lives in the workers; the workers start with the first image
and are started again if one dies. A worker writes the cleaned image to a file of its own
in the cleaner's directory, next to the store, and hands back only its name, size and
SHA-256: the service neither receives the image back nor writes it (about 3.5 ms of its
CPU for a 2 MB screenshot); it moves the file into the store.
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
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
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
NICENESS = 10  # where SCHED_IDLE is not available: about a tenth of a core the service wants
PREFIX, SUFFIX = "cleaned-", ".part"  # a cleaned image's file until it is moved into the store
STALE = 3600  # seconds after which such a file is left over from a crash, not on its way


class BadImage(ValueError):
    """Not a decodable image of its kind, or far too large."""


@dataclass(frozen=True)
class Cleaned:
    """A cleaned image in a file of its own: the caller moves it into the store or deletes it."""

    path: Path
    size: int
    sha256: str

    def read(self) -> bytes:
        return self.path.read_bytes()

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class Cleaner:
    """Cleans images in worker processes of lower priority, at most `at_once` at a time, into
    files in `directory` (the system's temporary directory if none is given).

    With `processes=False` it uses a thread of the service instead (tests that replace
    `clean`).
    """

    def __init__(
        self, at_once: int = 1, *, processes: bool = True, directory: Path | None = None
    ) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._at_once = at_once
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self.directory = directory or Path(tempfile.gettempdir())
        self._swept = 0.0

    async def clean(self, data: bytes, content_type: str) -> Cleaned:
        if time.monotonic() - self._swept > STALE / 4 or not self._swept:
            self._swept = time.monotonic()
            await asyncio.to_thread(sweep, self.directory)
        async with self._slots:
            if not self._processes:
                return await asyncio.to_thread(clean_to_file, data, content_type, self.directory)
            for _ in range(2):
                try:
                    return await asyncio.get_running_loop().run_in_executor(
                        self._workers(), clean_to_file, data, content_type, self.directory
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
    """The worker runs on CPU time no other process wants (SCHED_IDLE, Linux): the kernel
    hands its core at once to any other process that wakes, where a niceness only lowers
    its share of a contended core. Where that policy is not available, the niceness alone."""
    with contextlib.suppress(AttributeError, OSError):  # not on every system
        os.nice(NICENESS)
    with contextlib.suppress(AttributeError, OSError):  # Linux only
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def sweep(directory: Path) -> None:
    """Delete the cleaned images a crash left behind (older than STALE)."""
    with contextlib.suppress(OSError):
        for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < time.time() - STALE:
                    path.unlink()


def clean_to_file(data: bytes, content_type: str, directory: Path) -> Cleaned:
    """`clean` for a worker: the cleaned image written to a new file in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller owns the file
        dir=directory, prefix=PREFIX, suffix=SUFFIX, delete=False
    )
    path = Path(handle.name)
    try:
        with handle:
            clean(io.BytesIO(data), content_type, out=handle)
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as written:
            while block := written.read(COPY):
                digest.update(block)
                size += len(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Cleaned(path, size, digest.hexdigest())


def clean(source: BinaryIO, content_type: str, out: IO[bytes] | None = None) -> IO[bytes]:
    """The image without metadata, written to `out` or else to a new temporary file (which
    the caller closes), and returned rewound to where the image starts."""
    source.seek(0)
    target = out or tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
    start = target.tell()
    try:
        _clean(source, content_type, target)
    except BaseException:
        if out is None:
            target.close()
        raise
    target.seek(start)
    return target


def _clean(source: BinaryIO, content_type: str, out: IO[bytes]) -> None:
    try:
        with Image.open(source) as image:
            if image.width * image.height > MAX_PIXELS:
                raise BadImage(f"images may have at most {MAX_PIXELS} pixels")
            if FORMATS.get(content_type) != image.format:
                raise BadImage("the image's content does not match its type")
            image.load()
            if image.format == "PNG" and image.getexif().get(ORIENTATION, 1) == 1:
                _strip_png(source, out)
            else:
                _encode(image, FORMATS[content_type], out)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise BadImage(f"not a readable image ({type(exc).__name__})") from exc


def _strip_png(source: BinaryIO, out: IO[bytes]) -> None:
    """The PNG with only the chunks of PNG_KEPT, each checked against its CRC, up to IEND."""
    source.seek(0)
    if source.read(8) != PNG_SIGNATURE:
        raise BadImage("not a PNG")
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


def _encode(image: Image.Image, fmt: str, out: IO[bytes]) -> None:
    if fmt == "GIF":
        frames = getattr(image, "n_frames", 1)
        image.save(out, "GIF", save_all=frames > 1)
    else:
        upright = ImageOps.exif_transpose(image) or image  # keep the orientation, drop EXIF
        if fmt == "JPEG":
            upright.convert("RGB").save(out, "JPEG", quality=90)
        else:
            upright.save(out, fmt)
