"""`make cluster`: the scaled-out system on one machine, behind nginx.

Needs HELPDESK_DATABASE_URL (PostgreSQL) and HELPDESK_REDIS_URL. Prepares the
data once (migrations, seed, index), then starts N helpdesk, K action-server
and M Rasa processes and one nginx in front of each tier (deploy/nginx/), and
prints the same URLs as `make run`. A process that dies is started again;
Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scripts import rasa_stores
from scripts.run import banner, step
from scripts.stack import (
    PY,
    ROOT,
    Process,
    StackConfig,
    actions_process,
    free_port,
    helpdesk_process,
    rasa_process,
    start,
    stop,
    train_bot,
    wait_ready,
)

TEMPLATE = ROOT / "deploy" / "nginx" / "cluster.conf.template"
NGINX = "/usr/sbin/nginx"


class ClusterError(RuntimeError):
    """The environment cannot run the cluster; the message says what to change."""


@dataclass
class Cluster:
    """The ports and processes of one scaled-out system."""

    config: StackConfig
    host: str
    helpdesks: list[Process] = field(default_factory=list)
    actions: list[Process] = field(default_factory=list)
    rasas: list[Process] = field(default_factory=list)
    nginx: Process | None = None

    @property
    def processes(self) -> list[Process]:
        tail = [self.nginx] if self.nginx else []
        return [*self.helpdesks, *self.actions, *self.rasas, *tail]


def check_environment(environ: Mapping[str, str]) -> None:
    """Refuse clearly unless PostgreSQL, Redis and nginx are there."""
    database = environ.get("HELPDESK_DATABASE_URL", "")
    if not database.startswith("postgresql"):
        raise ClusterError(
            "it needs PostgreSQL: set HELPDESK_DATABASE_URL, e.g. "
            "postgresql+asyncpg://helpdesk@127.0.0.1:5432/helpdesk (make run needs nothing)"
        )
    if not environ.get("HELPDESK_REDIS_URL", "").startswith(("redis://", "rediss://")):
        raise ClusterError("it needs Redis: set HELPDESK_REDIS_URL, e.g. redis://127.0.0.1:6379/0")
    if not Path(NGINX).exists():
        raise ClusterError(
            f"nginx is missing ({NGINX}): make nginx, or apt-get install nginx-light"
        )


def missing(environ: Mapping[str, str]) -> str | None:
    """Why the cluster cannot run here (settings, PostgreSQL, Redis, nginx), or None."""
    try:
        check_environment(environ)
        from redis import Redis

        Redis.from_url(environ["HELPDESK_REDIS_URL"], socket_timeout=3).ping()
        rasa_stores.ping_postgres(environ["HELPDESK_DATABASE_URL"])
    except ClusterError as exc:
        return str(exc)
    except Exception as exc:  # unreachable servers, in whatever way
        return f"PostgreSQL or Redis is not reachable ({type(exc).__name__}: {exc})"
    return None


def plan(
    config: StackConfig, model: Path, *, host: str, helpdesks: int, rasas: int, actions: int
) -> Cluster:
    """Processes on free internal ports; config's ports are nginx's, one per tier."""
    cluster = Cluster(config=config, host=host)
    cluster.helpdesks = [
        helpdesk_process(config, f"helpdesk-{n + 1}", free_port()) for n in range(helpdesks)
    ]
    cluster.actions = [
        actions_process(config, f"actions-{n + 1}", free_port()) for n in range(actions)
    ]
    cluster.rasas = [
        rasa_process(config, model, f"rasa-{n + 1}", free_port()) for n in range(rasas)
    ]
    return cluster


def _servers(procs: list[Process]) -> str:
    ports = [proc.ready_url.split(":")[2].split("/")[0] for proc in procs]
    return "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
    )


def nginx_config(cluster: Cluster, prefix: Path) -> Path:
    """Write nginx.conf from the template for this cluster; return its path."""
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / temp).mkdir(parents=True, exist_ok=True)
        (prefix / temp).chmod(0o777)  # nginx's workers run as an unprivileged user
    values = {
        "PREFIX": str(prefix),
        "HOST": cluster.host,
        "PORT": str(cluster.config.helpdesk_port),
        "RASA_PORT": str(cluster.config.rasa_port),
        "ACTIONS_PORT": str(cluster.config.actions_port),
        "HELPDESK_SERVERS": _servers(cluster.helpdesks),
        "RASA_SERVERS": _servers(cluster.rasas),
        "ACTIONS_SERVERS": _servers(cluster.actions),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    path = prefix / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    subprocess.run([NGINX, "-t", "-q", "-p", str(prefix), "-c", str(path)], check=True)
    return path


def start_all(cluster: Cluster, sink: Callable[[str], None] = print, timeout: float = 600) -> None:
    """Start every tier in order and wait until the service is healthy through nginx."""
    prefix = cluster.config.data_dir / "nginx"
    conf = nginx_config(cluster, prefix)
    argv = [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
    cluster.nginx = Process("nginx", argv, f"{cluster.config.helpdesk_url}/health/live")
    # Tables of Rasa's tracker store are created by the first Rasa alone.
    waves = [cluster.helpdesks, cluster.actions, cluster.rasas[:1], cluster.rasas[1:]]
    for wave in [*waves, [cluster.nginx]]:
        for proc in wave:
            start(proc, sink)
        for proc in wave:
            wait_ready(proc, timeout)
    wait_ready(Process("system", [], f"{cluster.config.helpdesk_url}/health"), timeout)


def configure(environ: Mapping[str, str], *, port: int, data_dir: Path) -> StackConfig:
    """The cluster's settings: nginx's ports, shared stores, secrets from the environment."""
    config = StackConfig(
        data_dir=data_dir,
        helpdesk_port=port,
        rasa_port=free_port(),
        actions_port=free_port(),
        env=environ.get("HELPDESK_ENV", "dev"),
    )
    config.use_shared_stores(environ)
    for name in ("SECRET_KEY", "EMPLOYEE_TOKEN_SECRET", "SERVICE_TOKEN", "RASA_TOKEN"):
        if environ.get(f"HELPDESK_{name}"):
            config.secrets[name] = environ[f"HELPDESK_{name}"]
    host = environ.get("HELPDESK_HOST", "127.0.0.1")
    config.extra_env.update(
        HELPDESK_DATABASE_URL=environ["HELPDESK_DATABASE_URL"],
        HELPDESK_REDIS_URL=environ["HELPDESK_REDIS_URL"],
        HELPDESK_PUBLIC_URL=environ.get("HELPDESK_PUBLIC_URL") or f"http://{host}:{port}",
        HELPDESK_LOG_FORMAT=environ.get("HELPDESK_LOG_FORMAT", "console"),
    )
    return config


def prepare(config: StackConfig) -> tuple[Path, str]:
    """Migrate, seed and index once, before any service process; train the bot."""
    if rasa_stores.ensure_database(config.tracker_url):
        print(f"==> created Rasa's tracker database {config.tracker_url.rsplit('/', 1)[1]}")
    env = config.helpdesk_env()
    step(
        "prepare data once (migrations, seed articles, search index)",
        [str(PY), "-m", "handoff", "prepare"],
        env,
    )
    admin = step("first admin account", [str(PY), "-m", "handoff", "users", "ensure-admin"], env)
    print("==> train the bot (only if its data changed)", flush=True)
    model = train_bot()
    # The processes must not migrate concurrently: it was done above, once.
    config.extra_env["HELPDESK_AUTO_PREPARE"] = "false"
    return model, admin


def supervise(
    cluster: Cluster, stopping: threading.Event, sink: Callable[[str], None] = print
) -> int:
    """Start a process that died again; stop when asked or when nginx itself is gone."""
    while not stopping.is_set():
        for proc in cluster.processes:
            if proc.popen is None or proc.popen.poll() is None:
                continue
            print(f"{proc.name} exited (code {proc.popen.returncode})", flush=True)
            if proc is cluster.nginx:
                return 1
            start(proc, sink)
        stopping.wait(1)
    return 0


def parse_args(argv: list[str], environ: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for tier, default in (("helpdesk", 2), ("rasa", 2), ("actions", 2)):
        variable = f"HELPDESK_CLUSTER_{tier.upper()}"
        parser.add_argument(
            f"--{tier}",
            type=int,
            default=int(environ.get(variable, default)),
            help=f"number of {tier} processes (default {default}, or ${variable})",
        )
    parser.add_argument("--port", type=int, default=int(environ.get("HELPDESK_PORT", "8000")))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(environ.get("HELPDESK_CLUSTER_DATA_DIR", ROOT / "var" / "cluster")),
    )
    args = parser.parse_args(argv)
    if min(args.helpdesk, args.rasa, args.actions) < 1:
        parser.error("every tier needs at least one process")
    return args


@contextmanager
def running(
    environ: Mapping[str, str],
    *,
    data_dir: Path,
    port: int = 0,
    helpdesks: int = 2,
    rasas: int = 2,
    actions: int = 2,
    sink: Callable[[str], None] = print,
) -> Iterator[tuple[Cluster, str]]:
    """Prepare once, start every process, yield (cluster, admin line); stop all afterwards."""
    check_environment(environ)
    config = configure(environ, port=port or free_port(), data_dir=data_dir.resolve())
    model, admin = prepare(config)
    host = environ.get("HELPDESK_HOST", "127.0.0.1")
    cluster = plan(config, model, host=host, helpdesks=helpdesks, rasas=rasas, actions=actions)
    try:
        start_all(cluster, sink)
        yield cluster, admin
    finally:
        stop(cluster.processes)
        shutil.rmtree(config.data_dir / "nginx" / "client_body", ignore_errors=True)


def main(argv: list[str]) -> int:
    environ = dict(os.environ)
    args = parse_args(argv, environ)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, signal.default_int_handler)
    counts = {"helpdesks": args.helpdesk, "rasas": args.rasa, "actions": args.actions}
    try:
        with running(environ, data_dir=args.data_dir, port=args.port, **counts) as (cluster, admin):
            config = cluster.config
            line = (
                f"{args.helpdesk} helpdesk, {args.rasa} Rasa (via {config.rasa_url}) and "
                f"{args.actions} action servers (via {config.actions_url}) behind nginx"
            )
            print(banner(f"http://{cluster.host}:{args.port}", admin, line), flush=True)
            return supervise(cluster, stopping)
    except ClusterError as exc:
        print(f"make cluster: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}; stopping", flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
