"""The quick loop stays quick and CI runs what the README promises."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Markers of tests that start whole processes, the real model or a browser, or take minutes.
SLOW = {"model", "rasa", "browser", "api"}


def _recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert found, f"no target {target}"
    return found.group(1)


def test_every_marker_is_known_and_make_unit_leaves_the_slow_ones_out() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    markers = {m.split(":")[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    assert SLOW <= markers
    expression = re.search(r'-m "([^"]+)"', _recipe("unit"))
    assert expression, _recipe("unit")
    assert {m for m in SLOW if f"not {m}" in expression.group(1)} == SLOW


def test_ci_runs_the_fault_test_after_make_test() -> None:
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "set -euo pipefail" in commands
    makes = [c for c in commands if c.startswith("make ")]
    assert makes == ["make test", "make fault-test"]
    assert "HELPDESK_FAULT_TEST=1" in _recipe("fault-test")
