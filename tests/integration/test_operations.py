"""The running system as an operator sees it: command lines, logs, a dead action server."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from handoff.conversations import texts
from scripts import stack

from ..conftest import RunningSystem
from .test_bot_conversations import Employee

pytestmark = pytest.mark.rasa
# Rasa's log lines say "ERROR"; its structured ones "level": "error" (JSON without a
# terminal, "[error ]" in one); and tracebacks.
ERROR_LINE = re.compile(
    r'\bERROR\b|"level": ?"(error|critical)"|\[(error|critical)\s*\]|Traceback \(most recent'
)


def _session_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone meanwhile
        return None
    # pid (comm) state ppid pgrp session ...: comm may hold spaces, so split after ")".
    return int(stat.rsplit(")", 1)[1].split()[3])


def _command_lines() -> dict[int, str]:
    lines = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            lines[int(entry.name)] = raw.replace(b"\0", b" ").decode(errors="replace")
    return lines


def test_no_secret_is_on_any_command_line(running_system: RunningSystem) -> None:
    config = running_system.config
    secrets = {f"HELPDESK_{name}": value for name, value in config.secrets.items()}
    secrets["HELPDESK_ACTIONS_SECRET"] = config.actions_secret
    assert all(len(value) >= 32 for value in secrets.values())  # random: no chance match
    sessions = {p.popen.pid for p in running_system.processes if p.popen}  # own sessions
    lines = _command_lines()
    ours = {pid: line for pid, line in lines.items() if _session_of(pid) in sessions}
    names = " ".join(ours.values())
    assert "handoff serve" in names and "bot.actions.server" in names, ours
    assert "bot.rasa_server run" in names, ours
    leaks = [(pid, name) for pid, line in lines.items() for name, s in secrets.items() if s in line]
    assert not leaks, leaks
    # Rasa got its token all the same: its API refuses requests without it.
    tracker = f"{config.rasa_url}/conversations/nobody/tracker"
    assert httpx.get(tracker, timeout=30).status_code == 401
    assert httpx.get(tracker, params={"token": config.rasa_token}, timeout=30).status_code == 200
    output = "\n".join(running_system.log_lines())  # every process's output so far
    assert [name for name, s in secrets.items() if s in output] == []


def _rasa_errors(lines: list[str]) -> list[str]:
    rasa = [line for line in lines if line.lstrip().startswith("rasa |")]
    return [line for line in rasa if ERROR_LINE.search(line)]


def test_the_ticket_form_leaves_no_error_in_rasas_log(running_system: RunningSystem) -> None:
    before = len(running_system.log_lines())
    employee = Employee(running_system.config, "fritz.wolf@brandt.example", "Fritz Wolf")
    employee.start("en")
    employee.say("I want to report a problem")
    employee.say("The scanner on the third floor shows a paper jam although it is empty")
    asked = employee.say("since yesterday afternoon")
    rated = employee.click(asked, '"impact":"medium"')  # the buttons Rasa's templates carry
    preview = employee.click(rated, '"urgency":"low"')
    done = employee.click(preview, "/affirm")
    assert re.search(r"INC-\d{6}", " ".join(m["text"] for m in done["messages"])), done
    time.sleep(1)  # the reader threads pass the last lines on
    errors = _rasa_errors(running_system.log_lines()[before:])
    assert not errors, "\n".join(errors)


def _health(config: stack.StackConfig, wanted: int) -> dict[str, object]:
    for _ in range(60):
        response = httpx.get(f"{config.helpdesk_url}/health", timeout=30)
        if response.status_code == wanted:
            return dict(response.json())
        time.sleep(0.5)
    raise AssertionError(f"/health never answered {wanted}: {response.text}")


def test_a_dead_action_server_is_reported_and_the_message_kept(
    running_system: RunningSystem,
) -> None:
    config = running_system.config
    actions = running_system.process("actions")
    employee = Employee(config, "greta.horn@brandt.example", "Greta Horn").start("de")
    question = "Mein VPN bricht ständig ab"
    stack.stop([actions])
    try:
        health = _health(config, 503)
        assert health["checks"]["actions"] == "action server is not reachable"  # type: ignore[index]
        reply = employee.say(question)
        assert [(m["sender"], m["text"]) for m in reply["messages"]] == [
            ("system", texts.text("bot_unavailable", "de"))
        ]
        transcript = employee.http.get(
            f"/api/chat/sessions/{employee.cid}/messages", headers=employee.headers
        ).json()["messages"]
        assert [m["text"] for m in transcript if m["sender"] == "user"] == [question]
    finally:
        stack.start(actions, running_system.sink)
        stack.wait_ready(actions, timeout=120)
    assert _health(config, 200)["status"] == "ok"
    again = employee.say(question)
    answers = [m for m in again["messages"] if m["sender"] == "bot"]
    assert any(m.get("kb_article") for m in answers), again
    assert all(m["text"] != texts.text("bot_unavailable", "de") for m in again["messages"])
