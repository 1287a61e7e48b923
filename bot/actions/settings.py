"""Settings of the action server, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDER_TOKEN = "dev-insecure-service-token"
DEFAULT_URL = "http://127.0.0.1:8000"


class SettingsError(RuntimeError):
    """The environment does not describe a usable configuration."""


@dataclass(frozen=True)
class Settings:
    helpdesk_url: str = DEFAULT_URL
    service_token: str = PLACEHOLDER_TOKEN
    env: str = "dev"
    # docs/internal-api.md: the client gives the helpdesk 10 s per call.
    timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read HELPDESK_URL, HELPDESK_SERVICE_TOKEN and HELPDESK_ENV, and check them."""
        env = os.environ if environ is None else environ
        settings = cls(
            helpdesk_url=(env.get("HELPDESK_URL") or DEFAULT_URL).strip().rstrip("/"),
            service_token=(env.get("HELPDESK_SERVICE_TOKEN") or PLACEHOLDER_TOKEN).strip(),
            env=(env.get("HELPDESK_ENV") or "dev").strip().lower(),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse settings that would be unsafe or cannot work."""
        if not self.helpdesk_url.startswith(("http://", "https://")):
            raise SettingsError(f"HELPDESK_URL must be an http(s) URL, got {self.helpdesk_url!r}")
        if self.env != "dev" and self.service_token == PLACEHOLDER_TOKEN:
            raise SettingsError(
                f"HELPDESK_SERVICE_TOKEN is the development placeholder, but "
                f"HELPDESK_ENV is {self.env!r}. Set the helpdesk's real service token "
                f"(the same value the helpdesk service is configured with), or "
                f"HELPDESK_ENV=dev on a development machine."
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read on first use)."""
    return Settings.from_env()
