"""Worker processes for the uploads' CPU work: reading multipart bodies, cleaning images.

A screenshot costs tens of milliseconds of CPU to take apart and check; fifty of them at once
would take the CPU the chats need on a small machine. The work runs in processes of their
own at a lower priority (NICENESS): while the machine is busy the chats' CPU comes first (a
burst of screenshots waits, a chat does not), and the memory an image's pixels take lives
in the workers. They start with the first upload and are started again if one dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

NICENESS = 10  # the workers' CPU weight is about a tenth of the service's when both want it

T = TypeVar("T")


class WorkerLost(RuntimeError):
    """A worker died twice running the same job (killed, or out of memory)."""


class Workers:
    """Runs functions in worker processes of lower priority, at most `at_once` at a time.

    With `processes=False` it uses a thread of the service instead (tests that replace the
    functions it runs).
    """

    def __init__(self, at_once: int = 1, *, processes: bool = True) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._at_once = at_once
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker; what it raises is raised here (so it must pickle)."""
        async with self._slots:
            if not self._processes:
                return await asyncio.to_thread(fn, *args)
            for _ in range(2):
                try:
                    return await asyncio.get_running_loop().run_in_executor(
                        self._workers(), fn, *args
                    )
                except BrokenProcessPool:  # a worker was killed: start new ones, once
                    self.close()
            raise WorkerLost("the upload could not be processed")

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
