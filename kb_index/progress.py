"""Progress reporting: what `build_index` calls while it works, and a terminal bar for it."""

from __future__ import annotations

import sys
from typing import Protocol, TextIO


class Progress(Protocol):
    """Called with the share done (0..1, never decreasing) and a short message.

    `build_index` may call it from the thread it runs in; it must be quick.
    """

    def __call__(self, fraction: float, message: str) -> None: ...


class ProgressBar:
    """A one-line progress bar on a terminal stream (standard error by default)."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self._stream = stream
        self._width = width

    def __call__(self, fraction: float, message: str) -> None:
        stream = self._stream or sys.stderr
        bar = "#" * int(fraction * self._width)
        print(
            f"\r[{bar:<{self._width}}] {fraction:4.0%} {message[:60]:<60}",
            end="",
            file=stream,
            flush=True,
        )
        if fraction >= 1:
            print(file=stream)
