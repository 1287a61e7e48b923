"""Cleaning images: off the event loop, a bounded number at a time."""

from __future__ import annotations

import asyncio
import io
import random
import threading
import time
from typing import IO, Any

import pytest
from PIL import Image

from handoff.attachments import images


async def test_images_are_cleaned_one_at_a_time_while_the_loop_keeps_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def slow_clean(source: Any, content_type: str) -> IO[bytes]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # decoding and encoding: CPU work that would block the loop
        with lock:
            running -= 1
        return io.BytesIO(b"clean")

    monkeypatch.setattr(images, "clean", slow_clean)
    cleaner = images.Cleaner(at_once=1)
    cleaning = asyncio.gather(*[cleaner.clean(io.BytesIO(b""), "image/png") for _ in range(5)])
    ticks = 0
    while not cleaning.done():  # a chat served meanwhile
        ticks += 1
        await asyncio.sleep(0.005)
    assert most == 1
    assert ticks >= 20  # the loop ran all the while (5 x 50 ms of cleaning)
    assert [r.read() for r in await cleaning] == [b"clean"] * 5


def test_a_large_cleaned_image_waits_on_disk_not_in_memory() -> None:
    side = 900  # noise does not compress: well over the 1 MB spool
    noise = Image.frombytes("RGB", (side, side), random.Random(7).randbytes(side * side * 3))
    out = io.BytesIO()
    noise.save(out, "PNG", compress_level=0)
    cleaned = images.clean(out, "image/png")
    try:
        assert cleaned.seek(0, io.SEEK_END) > images.SPOOL
        assert getattr(cleaned, "_rolled", True)  # a real file behind it, not a buffer
    finally:
        cleaned.close()


async def test_uploads_wait_on_disk_beyond_64_kb(sqlite_helpdesk: Any) -> None:
    from starlette.formparsers import MultiPartParser

    from handoff.limits import UPLOAD_SPOOL

    assert MultiPartParser.spool_max_size == UPLOAD_SPOOL == 64 * 1024
