"""Screenshots while others chat: does the chat stay fast, does memory stay bounded?

Starts the real system (helpdesk with the real model, Rasa, action server) on free ports.
CHATTERS employees chat (each waits for its answer before the next message) alone; then
UPLOADERS employees each upload a 2 MB screenshot (a real PNG, decoded and stripped of its
metadata by the service) at once, alone; then BURSTS such bursts while the CHATTERS chat
again. Prints the chat p50/p95 without and with uploads, the uploads' p50/p95, the helpdesk
process's peak resident memory above its idle level after each phase (the uploaders never
chatted: the service does not ask the bot about their files) and the CPU per upload of the
service, of its upload workers and of the uploading clients. The uploads are sent from a
process of their own, as from other employees' browsers (sending 95 MB from the chatting
employees' event loop would delay the chat's own timing in the client, not in the
service), at a lower priority (BENCH_ATTACH_CLIENT_NICE, 10): those browsers would run
on their own machines, not on the service's two cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import psutil
from PIL import Image

from handoff.attachments import images
from scripts import stack as system

from .common import table
from .kb_speed import PeakMemory

CHATTERS = int(os.environ.get("BENCH_ATTACH_CHATTERS", "10"))
UPLOADERS = int(os.environ.get("BENCH_ATTACH_UPLOADERS", "50"))
BURSTS = int(os.environ.get("BENCH_ATTACH_BURSTS", "2"))
MESSAGES = int(os.environ.get("BENCH_ATTACH_MESSAGES", "6"))
# Another database than the stack's own SQLite file (e.g. a fresh PostgreSQL database).
DATABASE_URL = os.environ.get("BENCH_ATTACH_DATABASE_URL", "")
# The uploading employees' browsers would run on their own machines; here they share its two
# cores with the service, so they run at a lower priority than it (0: as the service).
CLIENT_NICE = int(os.environ.get("BENCH_ATTACH_CLIENT_NICE", "10"))
QUESTIONS = ["Ich habe mein Passwort vergessen", "My VPN keeps disconnecting", "Drucker offline"]


def screenshot_png(target_bytes: int = 2_000_000) -> bytes:
    """A PNG of about target_bytes: noise does not compress, as busy screenshots barely do."""
    side = int((target_bytes / 3) ** 0.5)
    pixels = np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG", compress_level=1)
    return out.getvalue()


async def _employee(http: httpx.AsyncClient, n: int) -> tuple[dict[str, str], str]:
    body = {"email": f"attach{n}@brandt.example", "name": f"Attach {n}"}
    token = (await http.post("/api/dev/token", json=body)).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    cid = (await http.post("/api/chat/sessions", json={"locale": "de"}, headers=headers)).json()[
        "conversation_id"
    ]
    return headers, cid


async def _chat(http: httpx.AsyncClient, people: list[tuple[dict[str, str], str]]) -> list[float]:
    async def one(headers: dict[str, str], cid: str, n: int) -> list[float]:
        out = []
        for i in range(MESSAGES):
            started = time.perf_counter()
            response = await http.post(
                f"/api/chat/sessions/{cid}/messages",
                json={"text": QUESTIONS[(n + i) % len(QUESTIONS)]},
                headers=headers,
            )
            response.raise_for_status()
            out.append((time.perf_counter() - started) * 1000)
        return out

    results = await asyncio.gather(*[one(h, c, n) for n, (h, c) in enumerate(people)])
    return [x for r in results for x in r]


async def _uploads(
    http: httpx.AsyncClient,
    people: list[tuple[dict[str, str], str]],
    png: bytes,
    bursts: int = BURSTS,
) -> list[float]:
    async def one(headers: dict[str, str], cid: str) -> float:
        started = time.perf_counter()
        response = await http.post(
            f"/api/chat/sessions/{cid}/attachments",
            files={"file": ("screenshot.png", png, "image/png")},
            headers=headers,
        )
        response.raise_for_status()
        return (time.perf_counter() - started) * 1000

    out: list[float] = []
    for _ in range(bursts):
        out += await asyncio.gather(*[one(h, c) for h, c in people])
    return out


def _upload_elsewhere(
    base_url: str, people: list[tuple[dict[str, str], str]], png: bytes, bursts: int
) -> tuple[list[float], float]:
    """_uploads in a process of its own (its own event loop and interpreter), at CLIENT_NICE;
    the times and the process's CPU seconds."""
    os.nice(CLIENT_NICE)

    async def run() -> list[float]:
        limits = httpx.Limits(max_connections=len(people) + 5)
        async with httpx.AsyncClient(base_url=base_url, timeout=300, limits=limits) as http:
            return await _uploads(http, people, png, bursts)

    started = time.process_time()
    times = asyncio.run(run())
    return times, time.process_time() - started


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds of a process, and of its living children (the upload workers)."""
    process = psutil.Process(pid)
    children = 0.0
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            children += sum(child.cpu_times()[:2])
    return sum(process.cpu_times()[:2]), children


async def _in_process(
    base_url: str, people: list[tuple[dict[str, str], str]], png: bytes, bursts: int
) -> tuple[list[float], float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return await asyncio.get_running_loop().run_in_executor(
            pool, _upload_elsewhere, base_url, people, png, bursts
        )


async def _run(config: system.StackConfig, helpdesk_pid: int) -> list[list[object]]:
    png = screenshot_png()
    limits = httpx.Limits(max_connections=CHATTERS + UPLOADERS + 5)
    async with httpx.AsyncClient(base_url=config.helpdesk_url, timeout=300, limits=limits) as http:
        chatters = [await _employee(http, n) for n in range(CHATTERS)]
        uploaders = [await _employee(http, 1000 + n) for n in range(UPLOADERS)]
        await _chat(http, chatters[:2])  # warm-up
        idle = psutil.Process(helpdesk_pid).memory_info().rss
        with PeakMemory(interval=0.05, pid=helpdesk_pid) as chatting:
            started = time.perf_counter()
            alone = await _chat(http, chatters)
            alone_s = time.perf_counter() - started
        url = config.helpdesk_url
        loop_before, workers_before = _cpu_seconds(helpdesk_pid)
        with PeakMemory(interval=0.05, pid=helpdesk_pid) as uploading:
            _, client_cpu = await _in_process(url, uploaders, png, 1)
        loop_after, workers_after = _cpu_seconds(helpdesk_pid)
        per_upload = 1000 / len(uploaders)

        def ms(label: str, seconds: float) -> list[object]:
            return [label, "", f"{seconds * per_upload:.0f}", ""]

        cpu_rows = [
            ms("helpdesk CPU ms per upload (the burst alone)", loop_after - loop_before),
            ms(f"... in its workers (nice {images.NICENESS})", workers_after - workers_before),
            ms(f"the uploading clients' CPU ms per upload (nice {CLIENT_NICE})", client_cpu),
        ]
        with PeakMemory(interval=0.05, pid=helpdesk_pid) as both:
            started = time.perf_counter()
            uploads = asyncio.create_task(_in_process(url, uploaders, png, BURSTS))
            during = await _chat(http, chatters)
            during_s = time.perf_counter() - started
            sent, _ = await uploads
            uploads_s = time.perf_counter() - started
    mb = 1024 * 1024

    def row(label: str, values: list[float]) -> list[object]:
        p50, p95 = np.percentile(values, 50), np.percentile(values, 95)
        return [label, len(values), f"{p50:.0f}", f"{p95:.0f}"]

    return [
        row(f"chat, {CHATTERS} employees, no uploads", alone),
        row(f"chat, {CHATTERS} employees, {UPLOADERS} uploading", during),
        row(f"uploads of {len(png) / mb:.1f} MB, {UPLOADERS} at once", sent),
        [
            "helpdesk memory above idle, peak MB: chat alone",
            "",
            f"{(chatting.peak - idle) / mb:.0f}",
            "",
        ],
        ["... then one burst of uploads alone", "", f"{(uploading.peak - idle) / mb:.0f}", ""],
        ["... then uploads while chatting", "", f"{(both.peak - idle) / mb:.0f}", ""],
        ["the files of one burst, MB (if held whole)", "", f"{UPLOADERS * len(png) / mb:.0f}", ""],
        ["wall s: chat alone, chat during", "", f"{alone_s:.1f}", f"{during_s:.1f}"],
        ["wall s: all uploads", "", f"{uploads_s:.1f}", ""],
        *cpu_rows,
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = {"HELPDESK_DATABASE_URL": DATABASE_URL} if DATABASE_URL else {}
        config = system.StackConfig.ephemeral(
            Path(tmp),
            HELPDESK_LOG_LEVEL="WARNING",
            HELPDESK_SERVICE_HOURS="mon-sun 00:00-24:00",
            **database,
        )
        procs = system.run_all(config, system.train_bot(), sink=lambda line: None)
        try:
            helpdesk = next(p for p in procs if p.name == "helpdesk")
            assert helpdesk.popen is not None
            rows = asyncio.run(_run(config, helpdesk.popen.pid))
        finally:
            system.stop(procs)
    print(table(["attachments while chatting", "requests", "p50 ms", "p95 ms"], rows))


if __name__ == "__main__":
    main()
