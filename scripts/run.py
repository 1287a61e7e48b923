"""`make run`: prepare data, start every process, print the URLs, stop all on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from scripts import rasa_stores
from scripts.stack import PY, ROOT, StackConfig, run_all, stop, train_bot


def step(name: str, argv: list[str], env: dict[str, str]) -> str:
    print(f"==> {name}", flush=True)
    done = subprocess.run(
        argv, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{name} failed (exit {done.returncode})")
    return done.stdout


def banner(base: str, admin: str, processes_line: str) -> str:
    """The URLs that `make run` and `make cluster` print once everything is up."""
    staff = (
        admin.strip()
        or "Staff login: the admin account created on the first run "
        "(python -m handoff users create ... to add more)"
    )
    return (
        f"\nThe IT self-service assistant is running:\n"
        f"  Employee chat (demo intranet page)  {base}/demo\n"
        f"  Agent console                       {base}/console\n"
        f"  Knowledge editor                    {base}/editor\n"
        f"  API documentation                   {base}/docs\n"
        f"  Health                              {base}/health\n"
        f"  {processes_line}\n"
        f"  {staff}\n"
        "Press Ctrl-C to stop.\n"
    )


def main() -> int:
    config = StackConfig(
        data_dir=ROOT / "var", helpdesk_port=int(os.environ.get("HELPDESK_PORT", "8000"))
    )
    config.use_shared_stores(os.environ)
    if config.tracker_url:
        rasa_stores.ensure_database(config.tracker_url)
    env = config.helpdesk_env()
    step(
        "prepare data (migrations, seed articles, search index)",
        [str(PY), "-m", "handoff", "prepare"],
        env,
    )
    admin = step("first admin account", [str(PY), "-m", "handoff", "users", "ensure-admin"], env)
    print("==> train the bot (only if its data changed)", flush=True)
    model = train_bot()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Ctrl-C, also when started from a script that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    procs = []
    try:
        config.extra_env.update(
            HELPDESK_AUTO_PREPARE="false",
            HELPDESK_LOG_FORMAT=os.environ.get("HELPDESK_LOG_FORMAT", "console"),
        )
        procs = run_all(config, model)
        processes_line = f"Rasa server {config.rasa_url}, action server {config.actions_url}"
        print(banner(config.helpdesk_url, admin, processes_line), flush=True)
        while not stopping.is_set():
            for proc in procs:
                if proc.popen and proc.popen.poll() is not None:
                    print(f"{proc.name} exited (code {proc.popen.returncode}); stopping all")
                    return 1
            stopping.wait(1)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    except RuntimeError as exc:
        print(f"error: {exc}; stopping", flush=True)
        return 1
    finally:
        stop(procs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
