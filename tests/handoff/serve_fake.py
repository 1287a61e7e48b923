"""Run the helpdesk service with the fake embedder (for multi-process tests).

Usage: python -m tests.handoff.serve_fake PORT  (settings from HELPDESK_* variables)
"""

from __future__ import annotations

import sys

import uvicorn

from handoff.__main__ import UVICORN_OPTIONS
from handoff.config import Settings
from handoff.main import create_app

from .fakes import FakeEmbedder

if __name__ == "__main__":
    port = int(sys.argv[1])
    app = create_app(Settings(port=port), embedder=FakeEmbedder())
    uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN_OPTIONS)  # type: ignore[arg-type]
