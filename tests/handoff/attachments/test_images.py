"""Cleaning images: off the event loop, a bounded number at a time."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import random
import threading
import time
from pathlib import Path
from typing import IO, Any

import psutil
import pytest
from PIL import Image

from handoff.attachments import images


async def test_images_are_cleaned_one_at_a_time_while_the_loop_keeps_serving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def slow_clean(source: Any, content_type: str, out: IO[bytes]) -> IO[bytes]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # decoding and encoding: CPU work that would block the loop
        with lock:
            running -= 1
        out.write(b"clean")
        return out

    monkeypatch.setattr(images, "clean", slow_clean)
    # threads: they see the slow clean
    cleaner = images.Cleaner(at_once=1, processes=False, directory=tmp_path)
    cleaning = asyncio.gather(*[cleaner.clean(b"", "image/png") for _ in range(5)])
    ticks = 0
    while not cleaning.done():  # a chat served meanwhile
        ticks += 1
        await asyncio.sleep(0.005)
    assert most == 1
    assert ticks >= 20  # the loop ran all the while (5 x 50 ms of cleaning)
    cleaned = await cleaning
    assert [c.read() for c in cleaned] == [b"clean"] * 5
    assert len({c.path for c in cleaned}) == 5  # a file each, in the cleaner's directory
    assert all(c.path.parent == tmp_path for c in cleaned)


def _png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "52.52N 13.40E")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


async def test_images_are_cleaned_in_a_worker_process_of_idle_priority(tmp_path: Path) -> None:
    cleaner = images.Cleaner(directory=tmp_path)
    try:
        cleaned = await cleaner.clean(_png_with_text(), "image/png")
        data = cleaned.read()  # written by the worker: only its name, size and hash came back
        assert cleaned.path.parent == tmp_path and cleaned.size == len(data)
        assert b"52.52N" not in data
        assert cleaned.sha256 == hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as kept:
            assert kept.size == (64, 48)
            assert kept.getpixel((5, 5)) == (10, 120, 200)
        worker = psutil.Process(
            await asyncio.get_running_loop().run_in_executor(cleaner._workers(), os.getpid)
        )
        assert worker.pid != os.getpid()
        assert worker.nice() == min(psutil.Process().nice() + images.NICENESS, 19)  # 19: lowest
        if hasattr(os, "SCHED_IDLE"):  # Linux: only CPU time that no other process wants
            assert os.sched_getscheduler(worker.pid) == os.SCHED_IDLE
            assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the service itself is not
    finally:
        cleaner.close()


async def test_a_killed_worker_is_replaced_and_a_bad_image_still_refused(tmp_path: Path) -> None:
    cleaner = images.Cleaner(directory=tmp_path)
    try:
        (await cleaner.clean(_png_with_text(), "image/png")).discard()
        pid = await asyncio.get_running_loop().run_in_executor(cleaner._workers(), os.getpid)
        psutil.Process(pid).kill()  # out of memory, or killed by hand
        psutil.Process(pid).wait(timeout=10)
        cleaned = await cleaner.clean(_png_with_text(), "image/png")
        assert b"52.52N" not in cleaned.read()
        cleaned.discard()
        with pytest.raises(images.BadImage):  # the worker's error reaches the service as such
            await cleaner.clean(b"<svg onload=alert(1)>", "image/png")
        assert list(tmp_path.iterdir()) == []  # the refused image left no file behind
    finally:
        cleaner.close()


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


async def test_uploads_wait_on_disk_beyond_4_mb(sqlite_helpdesk: Any) -> None:
    from starlette.formparsers import MultiPartParser

    from handoff.limits import UPLOAD_SPOOL

    assert MultiPartParser.spool_max_size == UPLOAD_SPOOL == 4 * 1024 * 1024


def _png(**save: Any) -> tuple[Image.Image, bytes]:
    image = Image.frombytes("RGB", (40, 30), random.Random(3).randbytes(40 * 30 * 3))
    out = io.BytesIO()
    image.save(out, "PNG", **save)
    return image, out.getvalue()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    found, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        found.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return found


def test_a_png_keeps_its_pixels_bit_for_bit_and_loses_text_exif_and_tail() -> None:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Max Mustermann, Raum 4.12")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 46.0, 0.0)}  # a GPS position
    image, original = _png(pnginfo=text, exif=exif)
    assert {b"tEXt", b"eXIf"} <= {kind for kind, _ in _chunks(original)}
    cleaned = images.clean(io.BytesIO(original + b"<html>appended</html>"), "image/png").read()
    kinds = [kind for kind, _ in _chunks(cleaned)]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    assert not {b"tEXt", b"eXIf"} & set(kinds)
    assert cleaned.endswith(b"IEND\xaeB`\x82")  # nothing after the end
    # The compressed pixel data itself is what it was: not decoded and encoded again.
    idat = [body for kind, body in _chunks(original) if kind == b"IDAT"]
    assert [body for kind, body in _chunks(cleaned) if kind == b"IDAT"] == idat
    with Image.open(io.BytesIO(cleaned)) as kept:
        assert kept.tobytes() == image.tobytes() and not kept.getexif()


def test_a_png_turned_by_its_exif_is_stored_upright_without_it() -> None:
    exif = Image.Exif()
    exif[images.ORIENTATION] = 6  # shown turned 90 degrees clockwise
    _, original = _png(exif=exif)
    with Image.open(images.clean(io.BytesIO(original), "image/png")) as kept:
        assert kept.size == (30, 40) and images.ORIENTATION not in kept.getexif()


def test_a_damaged_png_chunk_is_refused() -> None:
    _, original = _png()
    end = original.rindex(b"IEND") - 4
    damaged = bytearray(original)
    damaged[end - 5] ^= 0xFF  # inside the last IDAT's CRC
    with pytest.raises(images.BadImage):
        images.clean(io.BytesIO(bytes(damaged)), "image/png")
    with pytest.raises(images.BadImage):  # cut off before its end
        images.clean(io.BytesIO(original[: end - 20]), "image/png")
