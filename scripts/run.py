"""`make run`: prepare data, start every process, print the URLs, stop all on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
BOT_BIN = ROOT / ".venv-bot" / "bin"
COLOURS = {"helpdesk": "36", "rasa": "35", "actions": "33", "prepare": "32", "train": "34"}


@dataclass
class Process:
    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None


def _prefix(name: str, stream: object) -> None:
    colour = COLOURS.get(name, "0")
    tty = sys.stdout.isatty()
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        line = raw.decode(errors="replace").rstrip()
        label = f"\033[{colour}m{name:>8}\033[0m" if tty else f"{name:>8}"
        print(f"{label} | {line}", flush=True)


def _start(proc: Process) -> None:
    proc.popen = subprocess.Popen(
        proc.argv,
        cwd=ROOT,
        env={**os.environ, **proc.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    threading.Thread(target=_prefix, args=(proc.name, proc.popen.stdout), daemon=True).start()


def _wait_ready(proc: Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen and proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with code {proc.popen.returncode}")
        try:
            with urllib.request.urlopen(proc.ready_url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{proc.name} was not ready after {timeout:.0f} s ({proc.ready_url})")


def _stop(procs: list[Process]) -> None:
    for proc in procs:
        if proc.popen and proc.popen.poll() is None:
            os.killpg(proc.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs:
        if proc.popen:
            try:
                proc.popen.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)


def _run_step(name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
    print(f"==> {name}", flush=True)
    result = subprocess.run(argv, cwd=ROOT, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"{name} failed (exit {result.returncode})")


def main() -> int:
    port = os.environ.get("HELPDESK_PORT", "8000")
    host = os.environ.get("HELPDESK_HOST", "127.0.0.1")
    base = f"http://{host}:{port}"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _run_step(
        "prepare data (migrations, seed articles, search index)",
        [str(PY), "-m", "handoff", "prepare"],
    )
    procs = [
        Process(
            "helpdesk",
            [str(PY), "-m", "handoff", "serve"],
            f"{base}/health",
            env={"HELPDESK_AUTO_PREPARE": "false", "HELPDESK_LOG_FORMAT": "console"},
        ),
    ]
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        for proc in procs:
            _start(proc)
        for proc in procs:
            _wait_ready(proc, timeout=300)
        print(
            f"\nThe IT self-service assistant is running:\n"
            f"  Search API           {base}/api/kb/search?q=Passwort+vergessen\n"
            f"  API documentation    {base}/docs\n"
            f"  Health               {base}/health\n"
            f"Press Ctrl-C to stop.\n",
            flush=True,
        )
        while not stopping.is_set():
            for proc in procs:
                if proc.popen and proc.popen.poll() is not None:
                    print(f"{proc.name} exited (code {proc.popen.returncode}); stopping all")
                    return 1
            stopping.wait(1)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    except RuntimeError as exc:
        print(f"error: {exc}; stopping", flush=True)
        return 1
    finally:
        _stop(procs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
