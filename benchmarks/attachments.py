"""Screenshots while others chat: does the chat stay fast, does memory stay bounded?

Starts the real system (helpdesk with the real model, Rasa, action server) on free ports.
CHATTERS employees chat (each waits for its answer before the next message), at two loads:
busy (the next message at once: the two cores are nearly saturated by the chat alone) and
everyday (a pause of THINK seconds on average, ±50%, before the next message). For each
load, ROUNDS rounds alternate a phase of chat alone (MESSAGES messages each) with a phase
of chat while UPLOADERS other employees each upload a 2 MB screenshot (a real PNG, decoded
and stripped of its metadata by the service) at once, BURSTS times, each in a chat in which
it has first asked the bot a question (BENCH_ATTACH_ASK_FIRST=0: an empty chat); the chat's
messages started before the last upload ended count. Every phase starts new conversations,
so that neither phase meets longer histories than the other, and alternating spreads any
drift of the machine over both. Prints the pooled chat p50/p95 without and with uploads per
load, the machine's CPU use during the chat alone, the uploads' p50/p95, the helpdesk
process's peak resident memory above its idle level and the CPU per upload (one burst
alone) of the service, of its image workers, of Rasa and of the uploading clients. The
uploads are sent from a process of their own, as from other employees' browsers (sending 95
MB from the chatting employees' event loop would delay the chat's own timing in the client,
not in the service), at a lower priority (BENCH_ATTACH_CLIENT_NICE, 10;
BENCH_ATTACH_CLIENT_IDLE=1: also Linux's idle policy): those browsers would run on their own
machines, not on the service's two cores. That process is started once, before any phase is
timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import psutil
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from scripts import stack as system

from .common import table
from .kb_speed import PeakMemory

CHATTERS = int(os.environ.get("BENCH_ATTACH_CHATTERS", "10"))
UPLOADERS = int(os.environ.get("BENCH_ATTACH_UPLOADERS", "50"))
BURSTS = int(os.environ.get("BENCH_ATTACH_BURSTS", "3"))
MESSAGES = int(os.environ.get("BENCH_ATTACH_MESSAGES", "8"))
ROUNDS = int(os.environ.get("BENCH_ATTACH_ROUNDS", "4"))
# Seconds an employee of the everyday load takes on average to read an answer and write on.
THINK = float(os.environ.get("BENCH_ATTACH_THINK", "1.5"))
LOADS = os.environ.get("BENCH_ATTACH_LOADS", "busy,everyday").split(",")
# Another database than the stack's own SQLite file (e.g. a fresh PostgreSQL database).
DATABASE_URL = os.environ.get("BENCH_ATTACH_DATABASE_URL", "")
# The uploading employees' browsers would run on their own machines; here they share its two
# cores with the service, so they run at a lower priority than it (0: as the service).
CLIENT_NICE = int(os.environ.get("BENCH_ATTACH_CLIENT_NICE", "10"))
# 1: the clients also run at Linux's idle scheduling policy, on CPU time the service leaves
# over (as the images' workers do), so that they take as little as they can from its cores.
CLIENT_IDLE = os.environ.get("BENCH_ATTACH_CLIENT_IDLE", "0") == "1"
CLIENT_PRIORITY = f"nice {CLIENT_NICE}" + (", idle policy" if CLIENT_IDLE else "")
QUESTIONS = ["Ich habe mein Passwort vergessen", "My VPN keeps disconnecting", "Drucker offline"]
# The uploading employees first tell the bot what is wrong, then send the screenshot (as in the
# widget); 0: they only open a chat and upload.
ASK_FIRST = os.environ.get("BENCH_ATTACH_ASK_FIRST", "1") != "0"
ASKED_FIRST = "Mein Drucker druckt nicht mehr"


def screenshot_png(target_bytes: int = 2_000_000) -> bytes:
    """A PNG of about target_bytes: noise does not compress, as busy screenshots barely do."""
    side = int((target_bytes / 3) ** 0.5)
    pixels = np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG", compress_level=1)
    return out.getvalue()


async def _employee(http: httpx.AsyncClient, n: int) -> dict[str, str]:
    """The headers of a new employee; every phase starts the chats it needs (_new_chat)."""
    body = {"email": f"attach{n}@brandt.example", "name": f"Attach {n}"}
    token = (await http.post("/api/dev/token", json=body)).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def _new_chat(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    created = await http.post("/api/chat/sessions", json={"locale": "de"}, headers=headers)
    created.raise_for_status()
    return str(created.json()["conversation_id"])


async def _new_chats(
    http: httpx.AsyncClient, people: list[dict[str, str]]
) -> list[tuple[dict[str, str], str]]:
    """A new chat for each uploading employee: (headers, conversation id); with ASK_FIRST,
    the bot has answered the employee's question in it before the screenshot comes."""
    chats = [(headers, await _new_chat(http, headers)) for headers in people]
    if ASK_FIRST:
        for headers, cid in chats:
            asked = await http.post(
                f"/api/chat/sessions/{cid}/messages", json={"text": ASKED_FIRST}, headers=headers
            )
            asked.raise_for_status()
    return chats


async def _chat(
    http: httpx.AsyncClient,
    people: list[dict[str, str]],
    *,
    think: float = 0.0,
    until: asyncio.Task[object] | None = None,
) -> list[float]:
    """Each employee in a new chat sends MESSAGES messages, or while `until` runs, as many as
    it takes (at least one); the times of those sent before `until` ended."""
    pauses = random.Random(len(people))

    async def one(headers: dict[str, str], n: int) -> list[float]:
        cid = await _new_chat(http, headers)
        out: list[float] = []
        for i in itertools.count():
            if (until is None and i == MESSAGES) or (until is not None and i and until.done()):
                return out
            started = time.perf_counter()
            counted = until is None or not until.done()
            response = await http.post(
                f"/api/chat/sessions/{cid}/messages",
                json={"text": QUESTIONS[(n + i) % len(QUESTIONS)]},
                headers=headers,
            )
            response.raise_for_status()
            if counted:
                out.append((time.perf_counter() - started) * 1000)
            if think:
                await asyncio.sleep(think * pauses.uniform(0.5, 1.5))
        return out

    results = await asyncio.gather(*[one(h, n) for n, h in enumerate(people)])
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


def _as_other_machines() -> None:
    """The uploading process's priority (CLIENT_NICE, CLIENT_IDLE), set as it starts."""
    os.nice(CLIENT_NICE)
    if CLIENT_IDLE:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _ready() -> int:
    return os.getpid()


@contextlib.asynccontextmanager
async def _uploading_process() -> AsyncIterator[ProcessPoolExecutor]:
    """The process that uploads, started and warmed before any phase is timed: starting an
    interpreter and importing this module costs about half a second of CPU, which browsers
    on other machines would not take from the service's cores."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_as_other_machines) as pool:
        await asyncio.get_running_loop().run_in_executor(pool, _ready)
        yield pool


def _upload_elsewhere(
    base_url: str, people: list[tuple[dict[str, str], str]], png: bytes, bursts: int
) -> tuple[list[float], float]:
    """_uploads in the uploading process (its own event loop and interpreter); the times and
    the CPU seconds it took."""

    async def run() -> list[float]:
        # Pooled connections expire before the server's 5 s keep-alive can close them under
        # us: between two bursts a connection can lie idle that long.
        limits = httpx.Limits(max_connections=len(people) + 5, keepalive_expiry=2)
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
    pool: ProcessPoolExecutor,
    base_url: str,
    people: list[tuple[dict[str, str], str]],
    png: bytes,
    bursts: int,
) -> tuple[list[float], float]:
    return await asyncio.get_running_loop().run_in_executor(
        pool, _upload_elsewhere, base_url, people, png, bursts
    )


@dataclass
class Load:
    """One load's pooled chat times, the machine's CPU use while chatting alone, memory."""

    name: str
    think: float
    alone: list[float] = field(default_factory=list)
    during: list[float] = field(default_factory=list)
    uploads: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the machine's CPU %, chat alone
    peak: int = 0
    # Summed (seconds, count) of the helpdesk's searches and Rasa round trips, per phase.
    spent: dict[str, list[float]] = field(default_factory=dict)

    def add(self, phase: str, before: dict[str, float], after: dict[str, float]) -> None:
        for name in METRICS:
            total = self.spent.setdefault(f"{phase} {name}", [0.0, 0.0])
            total[0] += after[f"{name}_sum"] - before[f"{name}_sum"]
            total[1] += after[f"{name}_count"] - before[f"{name}_count"]

    def mean_ms(self, phase: str, name: str) -> float:
        seconds, count = self.spent.get(f"{phase} {name}", [0.0, 0.0])
        return seconds / count * 1000 if count else float("nan")


# What the helpdesk's own metrics say a chat message spent where: histogram, its labels.
METRICS: dict[str, tuple[dict[str, str], str]] = {
    "helpdesk_search_seconds": ({}, "searches (helpdesk thread)"),
    "helpdesk_bot_round_trip_seconds": ({"call": "message"}, "Rasa's turns (searches included)"),
}


async def _metrics(http: httpx.AsyncClient) -> dict[str, float]:
    """The _sum and _count of each histogram of METRICS, as the helpdesk serves them now."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families((await http.get("/metrics")).text):
        if family.name not in METRICS:
            continue
        labels, _ = METRICS[family.name]
        for sample in family.samples:
            if sample.name.endswith(("_sum", "_count")) and labels.items() <= sample.labels.items():
                found[sample.name] = sample.value
    return found


async def _round(
    http: httpx.AsyncClient,
    url: str,
    chatters: list[dict[str, str]],
    uploaders: list[dict[str, str]],
    png: bytes,
    load: Load,
    helpdesk_pid: int,
    pool: ProcessPoolExecutor,
) -> None:
    uploading = await _new_chats(http, uploaders)
    psutil.cpu_percent()
    before = await _metrics(http)
    load.alone += await _chat(http, chatters, think=load.think)
    load.cpu.append(psutil.cpu_percent())
    load.add("alone", before, after := await _metrics(http))
    with PeakMemory(interval=0.05, pid=helpdesk_pid) as both:
        uploads = asyncio.create_task(_in_process(pool, url, uploading, png, BURSTS))
        load.during += await _chat(http, chatters, think=load.think, until=uploads)
        sent, _ = await uploads
    load.add("during", after, await _metrics(http))
    load.uploads += sent
    load.peak = max(load.peak, both.peak)


async def _run(config: system.StackConfig, helpdesk_pid: int, rasa_pid: int) -> list[list[object]]:
    png = screenshot_png()
    limits = httpx.Limits(max_connections=CHATTERS + UPLOADERS + 5, keepalive_expiry=2)
    url = config.helpdesk_url
    loads = [
        load
        for load in (
            Load("busy (no pause)", 0.0),
            Load(f"everyday (pause {THINK:g} s ±50%)", THINK),
        )
        if load.name.split()[0] in LOADS
    ]
    async with (
        httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as http,
        _uploading_process() as pool,
    ):
        chatters = [await _employee(http, n) for n in range(CHATTERS)]
        uploaders = [await _employee(http, 1000 + n) for n in range(UPLOADERS)]
        await _chat(http, chatters[:2])  # warm-up
        idle = psutil.Process(helpdesk_pid).memory_info().rss
        burst = await _new_chats(http, uploaders)
        loop_before, workers_before = _cpu_seconds(helpdesk_pid)
        rasa_before = sum(_cpu_seconds(rasa_pid))
        with PeakMemory(interval=0.05, pid=helpdesk_pid) as uploading:
            _, client_cpu = await _in_process(pool, url, burst, png, 1)
        loop_after, workers_after = _cpu_seconds(helpdesk_pid)
        rasa_after = sum(_cpu_seconds(rasa_pid))
        for _ in range(ROUNDS):
            for load in loads:
                await _round(http, url, chatters, uploaders, png, load, helpdesk_pid, pool)
    mb = 1024 * 1024
    per_upload = 1000 / len(uploaders)

    def ms(label: str, seconds: float) -> list[object]:
        return [label, "", "", f"{seconds * per_upload:.0f}", ""]

    def pct(values: list[float]) -> tuple[float, float]:
        return float(np.percentile(values, 50)), float(np.percentile(values, 95))

    rows: list[list[object]] = []
    for load in loads:
        (a50, a95), (d50, d95) = pct(load.alone), pct(load.during)
        cpu = f"CPU {np.mean(load.cpu):.0f}%"
        rows.append([f"{load.name}: chat alone", cpu, len(load.alone), f"{a50:.0f}", f"{a95:.0f}"])
        change = f"{(d95 / a95 - 1) * 100:+.0f}% at p95"
        rows.append(
            [
                f"... chat while {UPLOADERS} upload",
                change,
                len(load.during),
                f"{d50:.0f}",
                f"{d95:.0f}",
            ]
        )
        for name, (_, label) in METRICS.items():
            alone, during = load.mean_ms("alone", name), load.mean_ms("during", name)
            rows.append(
                [f"... mean ms of {label}", "alone / with", "", f"{alone:.0f}", f"{during:.0f}"]
            )
        u50, u95 = pct(load.uploads)
        rows.append(
            [
                f"... the uploads ({len(png) / mb:.1f} MB)",
                "",
                len(load.uploads),
                f"{u50:.0f}",
                f"{u95:.0f}",
            ]
        )
        rows.append(
            [
                "... helpdesk memory above idle, peak MB",
                "",
                "",
                f"{(load.peak - idle) / mb:.0f}",
                "",
            ]
        )
    return [
        *rows,
        [
            "one burst alone: helpdesk memory above idle, peak MB",
            "",
            "",
            f"{(uploading.peak - idle) / mb:.0f}",
            "",
        ],
        [
            "the files of one burst, MB (if held whole)",
            "",
            "",
            f"{UPLOADERS * len(png) / mb:.0f}",
            "",
        ],
        ms("one burst alone: helpdesk CPU ms per upload", loop_after - loop_before),
        ms("... in its image workers (idle priority)", workers_after - workers_before),
        ms("... in Rasa", rasa_after - rasa_before),
        ms(f"... in the uploading clients ({CLIENT_PRIORITY})", client_cpu),
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
            rasa = next(p for p in procs if p.name == "rasa")
            assert helpdesk.popen is not None and rasa.popen is not None
            rows = asyncio.run(_run(config, helpdesk.popen.pid, rasa.popen.pid))
        finally:
            system.stop(procs)
    print(f"{CHATTERS} employees chat; {ROUNDS} rounds of chat alone and with {BURSTS} bursts")
    print(table(["attachments while chatting", "", "requests", "p50 ms", "p95 ms"], rows))


if __name__ == "__main__":
    main()
