"""Typed settings, read once from the environment (and `.env`) at start and passed down explicitly."""

from __future__ import annotations

import re
from functools import cached_property
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from smarthabit.devkey import DEV_KEY_FILE, development_key

MIN_JWT_SECRET_BYTES = 32
EMBEDDED_DATABASE_URL = "sqlite://smarthabit.sqlite3"


class Settings(BaseSettings):
    """Every knob of SmartHabit; names are stable (deployments rely on them)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    smarthabit_env: Literal["development", "production"] = "development"
    database_url: str | None = None
    redis_url: str | None = None
    jwt_secret: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    # `smarthabit api` runs this many server processes on PORT (one per core the container may use).
    api_processes: int = Field(1, ge=1, le=64)
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_url: str | None = None  # public HTTPS URL of the API's webhook path; set → setWebhook
    log_level: str = "INFO"
    # console (readable) or json (one object a line); auto: console when stderr is a terminal.
    log_format: Literal["auto", "console", "json"] = "auto"
    # Every role (the API too) serves Prometheus metrics at /metrics on this port when set, never on PORT.
    metrics_port: int | None = Field(None, ge=1, le=65535)

    # Peers (CIDRs, comma-separated) whose Forwarded / X-Forwarded-For names the client; none by default.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(default_factory=list)
    # Origins (comma-separated, e.g. https://app.example.com) whose browser pages may call the API.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    access_token_ttl_seconds: int = Field(15 * 60, gt=0)
    refresh_token_ttl_seconds: int = Field(30 * 24 * 3600, gt=0)
    link_code_ttl_seconds: int = Field(10 * 60, gt=0)
    # The one-time login link that /web sends (single use).
    web_login_ttl_seconds: int = Field(10 * 60, gt=0)
    max_request_bytes: int = Field(64 * 1024, gt=0)
    nudge_daily_cap: int = Field(3, ge=0)
    # Integrations (issue 16): outgoing webhooks may reach private/loopback addresses (development, tests only).
    webhook_allow_private: bool = False
    # Largest file `POST /import` and `POST /import/loop` accept (and the bot, for a Loop zip).
    import_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    # Public base URL: calendar feed links (unset → the URL the request came in on); the Mini App at
    # {PUBLIC_URL}/app/ (the bot's menu button, "Open" buttons, /web links; unset → no Mini App buttons).
    public_url: str | None = None
    # Telegram paid broadcasts (allow_paid_broadcast): reminders, nudges and summaries go out at up to
    # this many messages a second (at most 1,000) instead of the free ~30, for 0.1 Telegram Star per
    # message beyond the free limit, paid from the bot's Star balance. 0 (the default) = off.
    telegram_paid_broadcast_rate: int = Field(0, ge=0, le=1000)
    # A task a worker took but never acknowledged (the worker died) is handed to another after this long.
    task_redelivery_seconds: float = Field(60, gt=0)

    @field_validator("database_url", "redis_url", "jwt_secret", "telegram_bot_token",
                     "telegram_webhook_secret", "telegram_webhook_url", "metrics_port", "public_url", "log_format",
                     mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object, info: ValidationInfo) -> object:
        """`FOO=` in a .env file means "not set", not an empty secret."""
        if isinstance(value, str) and not value.strip():
            return "auto" if info.field_name == "log_format" else None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        """`10.0.0.0/8, 192.168.1.10` -> networks (a bare address is a /32 or /128)."""
        if isinstance(value, str):
            return [ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        for origin in value if isinstance(value, list) else ():
            if origin == "*" or not str(origin).startswith(("https://", "http://")):
                raise ValueError(f"CORS_ORIGINS lists exact origins like https://app.example.com, not {origin!r}")
        return value

    @model_validator(mode="after")
    def _refuse_weak_production_settings(self) -> Settings:
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else None
        if secret is not None and len(secret.encode()) < MIN_JWT_SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long")
        if self.is_production:
            if secret is None:
                raise ValueError("JWT_SECRET is required when SMARTHABIT_ENV=production")
            if self.database_url is None:
                raise ValueError("DATABASE_URL is required when SMARTHABIT_ENV=production")
        webhook = self.telegram_webhook_secret
        if webhook is not None:
            value = webhook.get_secret_value()
            if not (16 <= len(value) <= 256) or not all(c.isalnum() or c in "_-" for c in value):
                raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return self

    @property
    def is_production(self) -> bool:
        return self.smarthabit_env == "production"

    @property
    def db_url(self) -> str:
        """The Tortoise connection URL; `postgresql://` is accepted as an alias of `postgres://`."""
        url = self.database_url or EMBEDDED_DATABASE_URL
        if url.startswith("postgresql://"):
            url = "postgres://" + url.removeprefix("postgresql://")
        return url

    @property
    def uses_postgres(self) -> bool:
        return self.db_url.startswith(("postgres://", "asyncpg://"))

    @property
    def data_dir(self) -> Path:
        """Where local state lives: the SQLite file's folder (by default the working directory)."""
        url = self.db_url
        if url.startswith("sqlite://") and url.removeprefix("sqlite://") not in ("", ":memory:"):
            return Path(url.removeprefix("sqlite://")).parent
        return Path(".")

    @property
    def dev_key_path(self) -> Path:
        return self.data_dir / DEV_KEY_FILE

    @cached_property
    def jwt_key(self) -> str:
        """The signing key: JWT_SECRET, or in development the key kept in the data directory."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return development_key(self.dev_key_path)

    @property
    def bot_token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def web_app_url(self) -> str | None:
        """Where the web app is served publicly (the Mini App URL), when PUBLIC_URL is set."""
        return f"{self.public_url.rstrip('/')}/app/" if self.public_url else None

    @property
    def webhook_secret(self) -> str | None:
        return self.telegram_webhook_secret.get_secret_value() if self.telegram_webhook_secret else None


def load_settings(**overrides: object) -> Settings:
    """Build the settings once at start; overrides come from command-line flags or tests."""
    return Settings(**overrides)  # type: ignore[arg-type]


def redis_namespace(settings: Settings) -> str:
    """The prefix of every Redis key of a deployment: `smarthabit:<database name>`. Deployments (or
    test sessions, each with its own database) sharing one Redis never take each other's tasks or
    share a rate limit by accident; all processes of one deployment agree on it."""
    name = settings.db_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return "smarthabit:" + (re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "default")
