"""Train the Rasa model only when its inputs changed; print the model's path last.

Run with .venv-bot/bin/python. The fingerprint is a sha256 over config.yml,
domain.yml, every file under bot/data/ and the Rasa version; the model is
models/<fingerprint>.tar.gz. A copy is kept in
${XDG_CACHE_HOME:-~/.cache}/it-selfservice/rasa-models/, so a fresh clone (CI)
reuses a model trained before instead of training again. Idempotent.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [ROOT / "config.yml", ROOT / "domain.yml", ROOT / "bot" / "data"]
MODELS = ROOT / "models"
TRACKER_DIR = ROOT / "var" / "rasa"  # endpoints.yml: the SQL tracker store's file


def log(message: str) -> None:
    print(f"train_bot: {message}", file=sys.stderr, flush=True)


def fingerprint() -> str:
    """sha256 over the training inputs (paths and contents) and the Rasa version."""
    digest = hashlib.sha256(f"rasa=={metadata.version('rasa')}\n".encode())
    for item in INPUTS:
        files = sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else [item]
        for path in files:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "it-selfservice" / "rasa-models"


def copy_atomically(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    shutil.copyfile(source, temporary)
    os.chmod(temporary, 0o644)  # mkstemp made it private; models are not secret
    os.replace(temporary, target)


def train(name: str) -> Path:
    """Run `rasa train` into a scratch directory, then move the model in place."""
    rasa = Path(sys.executable).with_name("rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    MODELS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=MODELS, prefix=".training-") as scratch:
        command = [
            str(rasa), "train",
            "--config", "config.yml", "--domain", "domain.yml", "--data", "bot/data",
            "--out", scratch, "--fixed-model-name", name,
        ]  # fmt: skip
        started = time.monotonic()
        # Rasa's own output goes to stderr: stdout ends with the model path.
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=sys.stderr, check=False)
        if result.returncode != 0:
            raise SystemExit(f"train_bot: rasa train failed (exit {result.returncode})")
        log(f"trained in {time.monotonic() - started:.0f} s")
        target = MODELS / f"{name}.tar.gz"
        os.replace(Path(scratch) / f"{name}.tar.gz", target)
    return target


def main() -> int:
    try:
        metadata.version("rasa")
    except metadata.PackageNotFoundError:
        raise SystemExit(
            "train_bot: Rasa is not installed here; run .venv-bot/bin/python"
        ) from None
    TRACKER_DIR.mkdir(parents=True, exist_ok=True)
    name = fingerprint()
    model = MODELS / f"{name}.tar.gz"
    cached = cache_dir() / f"{name}.tar.gz"
    if model.is_file():
        log(f"model is up to date ({name[:12]})")
    elif cached.is_file():
        copy_atomically(cached, model)
        log(f"model {name[:12]} taken from the cache {cached.parent}")
    else:
        log(f"training model {name[:12]} (inputs changed or no model yet)")
        train(name)
    if not cached.is_file():
        try:
            copy_atomically(model, cached)
        except OSError as error:  # a read-only cache must not fail the build
            log(f"could not cache the model: {error}")
    print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
