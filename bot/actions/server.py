"""The action server: rasa_sdk's app on loopback by default, behind a shared secret.

`python -m bot.actions.server` replaces `rasa run actions`, which always listens
on every interface and answers anyone. Here the address is configurable
(127.0.0.1 by default), every route except /health needs the header
`X-Action-Token` when HELPDESK_ACTIONS_SECRET is set (Rasa sends it from
endpoints.yml), and neither logs nor error answers carry the conversation:
employees' messages stay out of this process's output.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions.settings import SettingsError

log = logging.getLogger("bot.actions.server")
TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 5055
    secret: str = ""
    env: str = "dev"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerSettings:
        """Read HELPDESK_ACTIONS_HOST, _PORT and _SECRET, and check them."""
        env = os.environ if environ is None else environ
        port = (env.get("HELPDESK_ACTIONS_PORT") or "5055").strip()
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"HELPDESK_ACTIONS_PORT must be a port number, got {port!r}")
        settings = cls(
            host=(env.get("HELPDESK_ACTIONS_HOST") or "127.0.0.1").strip(),
            port=int(port),
            secret=(env.get("HELPDESK_ACTIONS_SECRET") or "").strip(),
            env=(env.get("HELPDESK_ENV") or "dev").strip().lower(),
        )
        settings.check()
        return settings

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def check(self) -> None:
        """Refuse to listen beyond this machine without a secret (outside dev too)."""
        if not self.loopback and len(self.secret) < 16:
            raise SettingsError(
                f"HELPDESK_ACTIONS_HOST is {self.host!r}, reachable from other machines: set "
                "HELPDESK_ACTIONS_SECRET (at least 16 characters, the same value Rasa sends) "
                "or listen on 127.0.0.1."
            )
        if self.env != "dev" and self.secret and len(self.secret) < 16:
            raise SettingsError("HELPDESK_ACTIONS_SECRET must have at least 16 characters.")


def authorized(secret: str, presented: str | None) -> bool:
    """True when no secret is configured or the presented one matches it."""
    if not secret:
        return True
    return presented is not None and hmac.compare_digest(
        presented.encode("utf-8"), secret.encode("utf-8")
    )


def _action_name(request: Request) -> str | None:
    try:
        body = request.json
    except Exception:  # not JSON: no action name to report
        return None
    return str(body.get("next_action")) if isinstance(body, dict) else None


def build_app(settings: ServerSettings, package: str = "bot.actions") -> Sanic:
    """rasa_sdk's app with the secret check and an error handler that echoes nothing."""
    app = create_app(package, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorized(
            settings.secret, request.headers.get(TOKEN_HEADER)
        ):
            return None
        log.warning("refused a request without the action token", extra={"path": request.path})
        return response.json({"error": "unauthorized"}, status=401)

    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        # rasa_sdk's own handler logs the request and answers with its body (the tracker).
        action = _action_name(request)
        log.error("action failed: %s (%s)", action, type(exception).__name__)
        return response.json({"error": "action failed", "action_name": action}, status=500)

    app.error_handler.add(Exception, failed)
    return app


def main() -> None:
    """Serve the actions on the configured address until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The SDK's debug output includes trackers, i.e. what employees wrote; httpx logs
    # every request's URL at INFO, and the knowledge-base search carries the employee's
    # message in its query string (…/kb/answer?q=…).
    logging.getLogger("rasa_sdk").setLevel(logging.INFO)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = ServerSettings.from_env()
    app = build_app(settings)
    log.info(
        "action server on http://%s:%d (token %s)",
        settings.host,
        settings.port,
        "required" if settings.secret else "not required",
    )
    app.run(settings.host, settings.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
