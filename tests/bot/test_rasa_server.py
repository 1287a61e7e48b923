"""bot.rasa_server: Rasa's API token from the environment, never from the command line."""

from __future__ import annotations

import pytest

from bot.rasa_server import TOKEN_ENV, LaunchError, rasa_argv


def test_the_token_is_appended_from_the_environment() -> None:
    argv = rasa_argv(["run", "--enable-api", "--port", "5005"], {TOKEN_ENV: " s3cret "})
    assert argv == ["run", "--enable-api", "--port", "5005", "--auth-token", "s3cret"]


@pytest.mark.parametrize("environ", [{}, {TOKEN_ENV: ""}, {TOKEN_ENV: "   "}])
def test_no_token_no_start(environ: dict[str, str]) -> None:
    with pytest.raises(LaunchError, match=TOKEN_ENV):
        rasa_argv(["run", "--enable-api"], environ)


@pytest.mark.parametrize(
    "option", [["--auth-token", "x"], ["--auth-token=x"], ["-t", "x"], ["-tx"]]
)
def test_a_token_on_the_command_line_is_refused(option: list[str]) -> None:
    with pytest.raises(LaunchError, match="not as --auth-token"):
        rasa_argv(["run", *option], {TOKEN_ENV: "s3cret"})


def test_only_run_is_launched() -> None:
    with pytest.raises(LaunchError, match="only `run`"):
        rasa_argv(["train"], {TOKEN_ENV: "s3cret"})
