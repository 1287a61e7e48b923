"""Fixtures of the bot's action tests: a fake helpdesk and real rasa_sdk objects.

These tests run in .venv-bot (Python 3.10, rasa-sdk). The main environment's
pytest also walks tests/, but it has no rasa_sdk: there they are skipped.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

if importlib.util.find_spec("rasa_sdk") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    @pytest.fixture
    def helpdesk(monkeypatch: pytest.MonkeyPatch):
        """A fake helpdesk service behind every client the actions open."""
        from fakes import FakeHelpdesk

        fake = FakeHelpdesk()
        fake.install(monkeypatch)
        return fake
