"""Structured logging: one JSON object per line (or readable lines in a terminal)."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# Credentials in query strings (socket tokens) and in anything that names a password.
_SECRET = re.compile(
    r"(?i)((?:access_|auth_|csrf_)?token|password|passwd|secret|api_key)(=|%3D|\":\s*\"|:\s*)[^&\s\"',;]+"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+")


def scrub(text: str) -> str:
    """Replace the values of credentials in a log line with ***."""
    return _BEARER.sub(r"\1***", _SECRET.sub(r"\1\2***", text))


class ScrubSecrets(logging.Filter):
    """Never let a credential reach a log line, whichever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for key, value in list(record.__dict__.items()):
            if key not in _RESERVED and isinstance(value, str):
                setattr(record, key, scrub(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in record.__dict__.items() if k not in _RESERVED}
        fields = " ".join(f"{k}={v}" for k, v in extra.items())
        line = f"{record.levelname.lower():<7} {record.name}: {record.getMessage()} {fields}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line.rstrip()


def configure(*, fmt: str = "json", level: str = "INFO") -> None:
    """Send all logs to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    handler.addFilter(ScrubSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "sentence_transformers", "uvicorn.access", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
