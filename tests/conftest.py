"""Shared fixtures: the whole system (helpdesk + Rasa + action server) on free ports."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts import stack

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# The action tests need rasa_sdk, which lives in .venv-bot: scripts/test_bot.sh runs them
# there; the service's environment skips them. The other way round, .venv-bot has none of
# the service's packages, so it only collects tests/bot.
try:
    import rasa_sdk  # noqa: F401

    collect_ignore = ["handoff", "kb_index", "integration", "browser"]
except ImportError:
    collect_ignore = ["bot"]


def _bot_missing() -> str | None:
    if not stack.BOT_RASA.exists():
        return "the Rasa environment .venv-bot is missing (make install creates it)"
    return None


@dataclass
class RunningSystem:
    """The processes of the whole system and the log their output goes to."""

    config: stack.StackConfig
    processes: list[stack.Process]
    log: Path
    sink: Callable[[str], None]

    def process(self, name: str) -> stack.Process:
        return next(p for p in self.processes if p.name == name)

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()


@pytest.fixture(scope="session")
def running_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The real system: trained Rasa model, action server, helpdesk with the real model."""
    reason = _bot_missing()
    if reason:
        pytest.skip(reason)
    model = stack.train_bot()
    config = stack.StackConfig.ephemeral(
        tmp_path_factory.mktemp("stack"),
        HELPDESK_LOG_LEVEL="WARNING",
        HELPDESK_SERVICE_HOURS="mon-sun 00:00-24:00",
        HELPDESK_HOLIDAYS="[]",
    )
    log = config.data_dir / "processes.log"
    handle = log.open("a", encoding="utf-8")
    lock = threading.Lock()

    def sink(line: str) -> None:
        with lock:  # one reader thread per process writes here
            handle.write(line + "\n")
            handle.flush()

    try:
        procs = stack.run_all(config, model, sink=sink)
    except RuntimeError as exc:
        handle.close()
        raise RuntimeError(f"{exc}; see {log}:\n{log.read_text()[-4000:]}") from exc
    try:
        yield RunningSystem(config, procs, log, sink)
    finally:
        stack.stop(procs)
        handle.close()


@pytest.fixture(scope="session")
def system(running_system: RunningSystem) -> stack.StackConfig:
    """The real system's ports and secrets (see running_system)."""
    return running_system.config
