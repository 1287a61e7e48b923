"""The whole system as processes: helpdesk service, Rasa server, action server.

Used by `make run` (scripts/run.py), by the integration and browser tests and
by the benchmarks, so that all of them start the same things the same way.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scripts import rasa_stores

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
BOT_PY = ROOT / ".venv-bot" / "bin" / "python"
BOT_RASA = ROOT / ".venv-bot" / "bin" / "rasa"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    argv: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None


@dataclass
class StackConfig:
    """Ports, secrets and places of one running system."""

    data_dir: Path
    helpdesk_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    env: str = "dev"
    secrets: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Rasa's shared stores (scale-out): a PostgreSQL URL for the SQL tracker store and a
    # Redis URL for the lock store. Empty: SQLite under data_dir and in-memory locks.
    tracker_url: str = ""
    lock_url: str = ""
    # Rasa sends it to the action server in X-Action-Token; fresh for every run.
    actions_secret: str = field(default_factory=lambda: secrets.token_hex(24))

    @classmethod
    def ephemeral(cls, data_dir: Path, **extra_env: str) -> StackConfig:
        """Free ports and fresh secrets (tests, benchmarks)."""
        names = ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN")
        return cls(
            data_dir=data_dir,
            helpdesk_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            env="dev",
            secrets={n: secrets.token_hex(32) for n in names},
            extra_env=extra_env,
        )

    def use_shared_stores(self, environ: Mapping[str, str]) -> None:
        """Take Rasa's stores from HELPDESK_RASA_TRACKER_URL / _DATABASE_URL and _REDIS_URL."""
        self.tracker_url = rasa_stores.tracker_url(environ)
        self.lock_url = (environ.get("HELPDESK_REDIS_URL") or "").strip()

    @property
    def helpdesk_url(self) -> str:
        return f"http://127.0.0.1:{self.helpdesk_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def rasa_token(self) -> str:
        return self.secrets.get("RASA_TOKEN", "dev-insecure-rasa-token")

    @property
    def service_token(self) -> str:
        return self.secrets.get("SERVICE_TOKEN", "dev-insecure-service-token")

    def helpdesk_env(self) -> dict[str, str]:
        env = {
            "HELPDESK_ENV": self.env,
            "HELPDESK_PORT": str(self.helpdesk_port),
            "HELPDESK_DATA_DIR": str(self.data_dir),
            "HELPDESK_RASA_URL": self.rasa_url,
            "HELPDESK_ACTIONS_URL": f"{self.actions_url}/health",
            "HF_HUB_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
        env.update({f"HELPDESK_{k}": v for k, v in self.secrets.items()})
        env.update(self.extra_env)
        return env

    def rasa_env(self) -> dict[str, str]:
        """What Rasa's endpoints file reads as ${...}: secrets stay out of files and argv."""
        return {
            "HELPDESK_ENV": self.env,
            "HELPDESK_ACTIONS_SECRET": self.actions_secret,
            **rasa_stores.secrets_env(tracker_url=self.tracker_url, lock_url=self.lock_url),
        }

    def endpoints_file(self) -> Path:
        """Rasa's endpoints.yml for these ports and stores (SQLite under data_dir by default)."""
        rasa_dir = self.data_dir / "rasa"
        rasa_dir.mkdir(parents=True, exist_ok=True)
        path = rasa_dir / "endpoints.yml"
        path.write_text(
            rasa_stores.endpoints_yaml(
                actions_url=f"{self.actions_url}/webhook",
                sqlite_file=rasa_dir / "tracker.db",
                tracker_url=self.tracker_url,
                lock_url=self.lock_url,
            ),
            encoding="utf-8",
        )
        return path


def train_bot() -> Path:
    """Train the Rasa model if its inputs changed; return its path."""
    done = subprocess.run(
        [str(BOT_PY), str(ROOT / "scripts" / "train_bot.py")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        check=True,
    )
    return Path(done.stdout.decode().strip().splitlines()[-1])


def helpdesk_process(config: StackConfig, name: str = "helpdesk", port: int = 0) -> Process:
    """One helpdesk service process (on config.helpdesk_port unless port is given)."""
    port = port or config.helpdesk_port
    env = {**config.helpdesk_env(), "HELPDESK_PORT": str(port)}
    return Process(
        name, [str(PY), "-m", "handoff", "serve"], f"http://127.0.0.1:{port}/health/live", env=env
    )


def actions_process(config: StackConfig, name: str = "actions", port: int = 0) -> Process:
    """One action server on 127.0.0.1, refusing requests without the shared secret."""
    port = port or config.actions_port
    env = {
        "HELPDESK_URL": config.helpdesk_url,
        "HELPDESK_SERVICE_TOKEN": config.service_token,
        "HELPDESK_ENV": config.env,
        "HELPDESK_ACTIONS_HOST": "127.0.0.1",
        "HELPDESK_ACTIONS_PORT": str(port),
        "HELPDESK_ACTIONS_SECRET": config.actions_secret,
    }
    argv = [str(BOT_PY), "-m", "bot.actions.server"]
    return Process(name, argv, f"http://127.0.0.1:{port}/health", env=env)


def rasa_process(config: StackConfig, model: Path, name: str = "rasa", port: int = 0) -> Process:
    """One Rasa server on 127.0.0.1 with the endpoints file of config.

    bot.rasa_server hands Rasa its API token from the environment: a command line is
    visible to every user of the machine (ps), an environment only to its owner.
    """
    port = port or config.rasa_port
    argv = [
        str(BOT_PY),
        "-m",
        "bot.rasa_server",
        "run",
        "--enable-api",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--model",
        str(model),
        "--endpoints",
        str(config.endpoints_file()),
        "--credentials",
        str(ROOT / "credentials.yml"),
    ]
    env = {**config.rasa_env(), "HELPDESK_RASA_TOKEN": config.rasa_token}
    return Process(name, argv, f"http://127.0.0.1:{port}/", env=env)


def processes(config: StackConfig, model: Path) -> list[Process]:
    """The three processes, in start order (each waits for the one before)."""
    return [helpdesk_process(config), actions_process(config), rasa_process(config, model)]


def _prefix(name: str, stream: object, sink: Callable[[str], None]) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        sink(f"{name:>8} | {raw.decode(errors='replace').rstrip()}")


def start(proc: Process, sink: Callable[[str], None] = print) -> None:
    proc.popen = subprocess.Popen(
        proc.argv,
        cwd=ROOT,
        env={**os.environ, **proc.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    threading.Thread(target=_prefix, args=(proc.name, proc.popen.stdout, sink), daemon=True).start()


def wait_ready(proc: Process, timeout: float = 300) -> None:
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


def stop(procs: list[Process], grace: float = 15) -> None:
    """SIGTERM every process group, then SIGKILL what is left after grace seconds."""
    for proc in procs:
        if proc.popen and proc.popen.poll() is None:
            os.killpg(proc.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        if proc.popen:
            try:
                proc.popen.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)


def run_all(
    config: StackConfig, model: Path, sink: Callable[[str], None] = print, timeout: float = 600
) -> list[Process]:
    """Start the three processes and wait until the helpdesk reports all of them healthy."""
    procs = processes(config, model)
    try:
        for proc in procs:
            start(proc, sink)
            wait_ready(proc, timeout)
        wait_ready(Process("system", [], f"{config.helpdesk_url}/health"), timeout)
    except BaseException:
        stop(procs)
        raise
    return procs


if __name__ == "__main__":  # pragma: no cover - manual use
    print(train_bot(), file=sys.stderr)
