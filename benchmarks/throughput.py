"""Messages per second with N employees, each waiting for its answer before the next.

In one run, on this machine: Rasa's own REST webhook with one Rasa process (the
anchor; its actions still call the helpdesk's search), the chat API on the
`make run` stack, and the chat API on `make cluster` (PostgreSQL, Redis, nginx;
skipped with the reason where they are missing). Also: a realistic pace (50
employees, one message every 10 s each), CPU-ms per message per process, and a
Locust think-time profile (benchmarks/locustfile.py) for how many chatting
employees the machine holds at p95 <= 2 s.

BENCH_EMPLOYEES (30), BENCH_MESSAGES (4), BENCH_LOCUST_USERS ("50,100,200"; empty:
no Locust), BENCH_LOCUST_SECONDS (60) change the load; BENCH_CLUSTER=0 leaves out
the cluster.
"""

from __future__ import annotations

import asyncio
import csv
import os
import random
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import psutil

from benchmarks.common import ROOT, table
from scripts import cluster, stack

QUESTIONS = [
    ("de", "Ich habe mein Passwort vergessen"),
    ("en", "My VPN keeps disconnecting"),
    ("de", "Der Drucker druckt nicht"),
    ("en", "Outlook is not sending emails"),
    ("de", "Mein Laptop ist sehr langsam"),
    ("en", "How do I connect to the wifi?"),
]
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "30"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "4"))
LOCUST_USERS = [int(n) for n in os.environ.get("BENCH_LOCUST_USERS", "50,100,200").split(",") if n]
WITH_CLUSTER = os.environ.get("BENCH_CLUSTER", "1") != "0"
LOCUST_SECONDS = int(os.environ.get("BENCH_LOCUST_SECONDS", "60"))
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
POSTGRES_URL = os.environ.get(
    "HELPDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
QUIET = {"HELPDESK_LOG_LEVEL": "WARNING", "HELPDESK_SERVICE_HOURS": "mon-sun 00:00-23:59"}
PACED = "50 × 1 msg / 10 s"


@dataclass
class Run:
    """Latencies (ms) of one load run and how long it took."""

    name: str
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    cpu_ms: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def row(self) -> list[object]:
        p50, p95 = np.percentile(self.latencies, [50, 95]) if self.latencies else (0, 0)
        return [
            self.name,
            len(self.latencies),
            self.errors,
            f"{self.rate:.1f}",
            f"{p50:,.0f} ms",
            f"{p95:,.0f} ms",
        ]


async def _employee(http: httpx.AsyncClient, n: int, lang: str) -> tuple[dict[str, str], str]:
    """A dev token and a fresh conversation for employee n."""
    token = (
        await http.post(
            "/api/dev/token", json={"email": f"load{n}@brandt.example", "name": f"Load {n}"}
        )
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    session = await http.post("/api/chat/sessions", json={"locale": lang}, headers=headers)
    if session.status_code != 201:
        raise RuntimeError(f"no chat for load{n}: {session.status_code} {session.text[:300]}")
    return headers, str(session.json()["conversation_id"])


async def _send(
    http: httpx.AsyncClient, headers: dict[str, str], cid: str, lang: str, text: str, rasa: str
) -> bool:
    if rasa:
        body = {"sender": cid, "message": text, "metadata": {"locale": lang}}
        response = await http.post(f"{rasa}/webhooks/rest/webhook", json=body)
        return response.status_code == 200 and bool(response.json())
    response = await http.post(
        f"/api/chat/sessions/{cid}/messages", json={"text": text}, headers=headers
    )
    return response.status_code == 200 and bool(response.json().get("messages"))


async def drive(
    base_url: str,
    run: Run,
    *,
    employees: int,
    messages: int,
    pace: float = 0.0,
    rasa: str = "",
) -> Run:
    """Each employee sends its messages one after another (every `pace` s, if given)."""
    limits = httpx.Limits(max_connections=employees + 10, max_keepalive_connections=employees)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as http:
        people = [
            await _employee(http, n, QUESTIONS[n % len(QUESTIONS)][0]) for n in range(employees)
        ]

        async def employee(n: int) -> None:
            headers, cid = people[n]
            if pace:
                await asyncio.sleep(random.uniform(0, pace))
            for i in range(messages):
                lang, text = QUESTIONS[(n + i) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    ok = await _send(http, headers, cid, lang, text, rasa)
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                run.latencies.append(elapsed * 1000)
                run.errors += not ok
                if pace:
                    await asyncio.sleep(max(pace - elapsed, 0))

        started = time.perf_counter()
        await asyncio.gather(*(employee(n) for n in range(employees)))
        run.seconds = time.perf_counter() - started
    return run


@contextmanager
def cpu_of(run: Run, procs: list[stack.Process]) -> Iterator[None]:
    """Record CPU-ms per message for each process (children included) over the block."""

    def total(proc: stack.Process) -> float:
        assert proc.popen is not None
        root = psutil.Process(proc.popen.pid)
        seconds = 0.0
        for p in [root, *root.children(recursive=True)]:
            try:
                times = p.cpu_times()
                seconds += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return seconds

    before = {p.name: total(p) for p in procs}
    yield
    count = max(len(run.latencies), 1)
    run.cpu_ms = {p.name: (total(p) - before[p.name]) * 1000 / count for p in procs}


@dataclass
class Capacity:
    """Locust with think time: p95 and throughput per number of chatting employees."""

    system: str
    rows: list[tuple[int, float, float, int]] = field(default_factory=list)

    def held(self) -> int:
        """The most employees measured at p95 <= 2 s (0 if none)."""
        return max((users for users, _, p95, _ in self.rows if p95 <= 2000), default=0)


def locust(url: str, system: str, seconds: int = LOCUST_SECONDS) -> Capacity:
    """Run benchmarks/locustfile.py headless for each user count; read its CSV summary."""
    capacity = Capacity(system)
    for users in LOCUST_USERS:
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "stats"
            subprocess.run(
                [str(stack.PY), "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                 "--host", url, "-u", str(users), "-r", str(max(users // 10, 1)),
                 "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary"],
                cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
                rows = [r for r in csv.DictReader(handle) if r["Name"] == "message"]
        if rows:
            row = rows[0]
            capacity.rows.append(
                (users, float(row["Requests/s"]), float(row["95%"]), int(row["Failure Count"]))
            )
    return capacity


def _warm_up(url: str, rasa: str = "", processes: int = 1) -> None:
    """Every question once per process through each path, not counted: the first
    messages load the NLU's and the search's caches, which a running system has warm."""
    employees = len(QUESTIONS) * processes
    for path in ([rasa] if rasa else []) + [""]:
        asyncio.run(drive(url, Run("warm-up"), employees=employees, messages=1, rasa=path))


def _paced(url: str, system: str) -> Run:
    """50 employees, one message every 10 s each, three messages each."""
    return asyncio.run(drive(url, Run(f"{PACED}, {system}"), employees=50, messages=3, pace=10.0))


def _single(data_dir: Path) -> tuple[list[Run], Capacity]:
    """The make-run stack: the Rasa anchor, the chat API, and the chat API at a pace."""
    model = stack.train_bot()
    config = stack.StackConfig.ephemeral(data_dir, **QUIET)
    procs = stack.run_all(config, model, sink=lambda _line: None)
    try:
        runs = [Run("Rasa REST webhook, 1 Rasa (anchor)"), Run("chat API, make run")]
        url, rasa = config.helpdesk_url, config.rasa_url
        _warm_up(url, rasa)
        with cpu_of(runs[0], procs):
            asyncio.run(drive(url, runs[0], employees=EMPLOYEES, messages=MESSAGES, rasa=rasa))
        with cpu_of(runs[1], procs):
            asyncio.run(drive(url, runs[1], employees=EMPLOYEES, messages=MESSAGES))
        runs.append(_paced(url, "make run"))
        return runs, locust(url, "make run")
    finally:
        stack.stop(procs)


@contextmanager
def _fresh_database() -> Iterator[str]:
    import asyncpg

    admin = POSTGRES_URL.replace("+asyncpg", "")
    name = f"bench_cluster_{uuid.uuid4().hex[:8]}"

    async def run(*sql: str) -> None:
        conn = await asyncpg.connect(admin, timeout=5)
        try:
            for statement in sql:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(
            run(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{name}_rasa" WITH (FORCE)',
            )
        )


def _cluster(data_dir: Path) -> tuple[list[Run], Capacity]:
    """The same load through nginx on make cluster (its own PostgreSQL database)."""
    with _fresh_database() as database:
        environ = {"HELPDESK_REDIS_URL": REDIS_URL, **os.environ, **QUIET}
        environ["HELPDESK_DATABASE_URL"] = database
        with cluster.running(environ, data_dir=data_dir, sink=lambda _line: None) as (c, _):
            url = c.config.helpdesk_url
            runs = [Run("chat API, make cluster")]
            _warm_up(url, processes=2)
            with cpu_of(runs[0], c.processes):
                asyncio.run(drive(url, runs[0], employees=EMPLOYEES, messages=MESSAGES))
            runs.append(_paced(url, "make cluster"))
            return runs, locust(url, "make cluster")


def _report(runs: list[Run], capacities: list[Capacity]) -> None:
    print(f"{EMPLOYEES} employees × {MESSAGES} messages, each waiting for its answer;")
    print(f"'{PACED}': 50 employees, one message every 10 s each.\n")
    header = ["system", "messages", "errors", "messages/s", "p50", "p95"]
    print(table(header, [r.row() for r in runs]) + "\n")
    anchor = runs[0].rate
    for r in runs[1:]:
        if PACED not in r.name:
            print(f"{r.name}: {r.rate / anchor:.2f} × the anchor's messages/s")
    print("\nCPU-ms per message, per process (children included):\n")
    for r in runs:
        if r.cpu_ms:
            print(f"  {r.name}: " + ", ".join(f"{n} {ms:.0f}" for n, ms in r.cpu_ms.items()))
    for c in capacities:
        if not c.rows:
            continue
        print(f"\nLocust, think time 5-15 s, {LOCUST_SECONDS} s per step, {c.system}:\n")
        rows = [[u, f"{rps:.1f}", f"{p95:,.0f} ms", fails] for u, rps, p95, fails in c.rows]
        print(table(["employees", "messages/s", "p95", "failures"], rows))
        print(f"holds {c.held()} chatting employees at p95 <= 2 s (of those measured)")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        runs, capacity = _single(Path(tmp) / "single")
        capacities = [capacity]
        stores = {"HELPDESK_DATABASE_URL": POSTGRES_URL, "HELPDESK_REDIS_URL": REDIS_URL}
        reason = cluster.missing({**stores, **os.environ})
        reason = reason or ("" if WITH_CLUSTER else "BENCH_CLUSTER=0")
        if reason:
            print(f"make cluster skipped: {reason}\n")
        else:
            more, capacity = _cluster(Path(tmp) / "cluster")
            runs += more
            capacities.append(capacity)
    _report(runs, capacities)
