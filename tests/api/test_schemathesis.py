"""Schemathesis against /openapi.json of a throwaway instance, as four identities.

Run alone with `pytest -m api tests/api`. Every operation is called with generated data
(examples, then fuzzing, then the stateful phase that chains responses into requests):
no answer may be a 5xx, and every answer must match the documented schema.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from handoff.auth.employees import issue_token

from ..handoff.security.live_server import ROOT, Server, live_server

pytestmark = pytest.mark.api
ST = shutil.which("st", path=str(Path(sys.executable).parent))
PASSWORD = "correct horse battery staple"
# Logging out would end the identity's own login half-way through the run.
EXCLUDED = "^/api/auth/logout$"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    if ST is None:
        pytest.skip("schemathesis is not installed (requirements/lock.txt)")
    tmp = tmp_path_factory.mktemp("api")
    with live_server(tmp, login_attempts="1000", log_level="WARNING") as server:
        tokens = {
            "employee": issue_token(
                secret=server.env["HELPDESK_EMPLOYEE_TOKEN_SECRET"],
                issuer="intranet",
                email="anna.berger@brandt.example",
                name="Anna Berger",
            )
        }
        for role in ("agent", "editor", "admin"):
            tokens[role] = _staff_token(server, role)
        yield server, tokens


def _staff_token(server: Server, role: str) -> str:
    subprocess.run(
        [sys.executable, "-m", "handoff", "users", "create", "--username", f"st-{role}"]
        + ["--role", role, "--password-stdin"],
        input=PASSWORD + "\n",
        env=server.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    login = httpx.post(
        server.url + "/api/auth/login", json={"username": f"st-{role}", "password": PASSWORD}
    )
    login.raise_for_status()
    return str(login.json()["token"])


@pytest.mark.parametrize("identity", ["employee", "agent", "editor", "admin"])
def test_no_server_errors_and_answers_match_the_schema(
    instance: tuple[Server, dict[str, str]], identity: str, tmp_path: Path
) -> None:
    server, tokens = instance
    examples = os.environ.get("HELPDESK_SCHEMATHESIS_EXAMPLES", "10")
    run = subprocess.run(
        [
            str(ST),
            "run",
            f"{server.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {tokens[identity]}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            examples,
            "--exclude-path-regex",
            EXCLUDED,
            "--seed",
            "12",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-2000:]
