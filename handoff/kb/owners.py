"""Which process owns a rebuild, and whether that process still exists.

A build records its owner (host, pid, and when that pid started, since pids are reused);
a build whose owner died on this machine is failed at once instead of after the
heartbeat's timeout. Another machine's processes cannot be seen from here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any


def _start_ticks(pid: int) -> int | None:
    """When process pid started (clock ticks since boot), or None without /proc or pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22; the command name (field 2, in parentheses) may hold spaces.
    return int(stat.rsplit(")", 1)[1].split()[19])


def process_owner() -> dict[str, Any]:
    """This process as the owner of a build: host, pid and its start (pids are reused)."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": _start_ticks(os.getpid())}


def owner_gone(owner: object) -> bool:
    """True when the owner ran on this host and that process exists no more."""
    if not isinstance(owner, dict) or owner.get("host") != socket.gethostname():
        return False
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    started = _start_ticks(pid)
    if started is not None:
        return owner.get("started") not in (None, started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # someone else's process: it exists
        return False
    return not Path("/proc").is_dir()  # /proc without the pid: gone
