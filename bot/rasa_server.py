"""`rasa run` with its API token taken from the environment, never from the command line.

`rasa run --auth-token TOKEN` shows the token to anyone who can list processes
(`ps`, /proc/PID/cmdline is readable by every user). This entry point reads the
token from HELPDESK_RASA_TOKEN and hands it to Rasa's own command-line parser
inside the process, so the process's command line holds no secret:

    HELPDESK_RASA_TOKEN=... python -m bot.rasa_server run --enable-api --port 5005 ...

Every other argument is Rasa's. Without the token it refuses to start (the HTTP
API would be open to anyone who reaches the port); `--auth-token` on the command
line is refused, so that no script passes it that way by habit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

TOKEN_ENV = "HELPDESK_RASA_TOKEN"


class LaunchError(SystemExit):
    """The launcher cannot start Rasa safely; the message says what to change."""


def _token_option(arg: str) -> bool:
    """--auth-token, --auth-token=T, -t or -tT (argparse's spellings of the token option)."""
    return arg.split("=", 1)[0] == "--auth-token" or (
        arg.startswith("-t") and not arg.startswith("--")
    )


def rasa_argv(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """Rasa's arguments: argv with the token from the environment appended."""
    if any(_token_option(arg) for arg in argv):
        raise LaunchError(
            f"bot.rasa_server: pass the token in {TOKEN_ENV}, not as --auth-token "
            "(a command line is visible to every user of the machine)"
        )
    if not argv or argv[0] != "run":
        raise LaunchError("bot.rasa_server: only `run` is supported")
    token = (environ.get(TOKEN_ENV) or "").strip()
    if not token:
        raise LaunchError(
            f"bot.rasa_server: {TOKEN_ENV} is not set; Rasa's HTTP API would be open to anyone"
        )
    return [*argv, "--auth-token", token]


def main() -> None:
    """Run Rasa's CLI in this process with the token added to its arguments."""
    arguments = rasa_argv(sys.argv[1:], os.environ)
    # Rasa's parser reads sys.argv; /proc/PID/cmdline keeps what the process was started with.
    sys.argv = ["rasa", *arguments]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
