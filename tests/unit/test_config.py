"""Settings: embedded defaults in development, refusal of weak secrets in production."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from smarthabit.config import Settings
from smarthabit.devkey import DEV_KEY_FILE


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


def test_development_defaults_are_embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "SMARTHABIT_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = make()
    assert settings.db_url.startswith("sqlite://") and not settings.uses_postgres
    assert settings.redis_url is None
    assert len(settings.jwt_key) >= 32 and settings.jwt_key == settings.jwt_key


def test_the_development_key_is_kept_and_shared(tmp_path: Path) -> None:
    """Without JWT_SECRET the key lives beside the SQLite file: a restart, or another API process,
    signs with the same key; the file is readable by its owner only."""
    first = make(database_url=f"sqlite://{tmp_path}/data/app.sqlite3")
    again = make(database_url=f"sqlite://{tmp_path}/data/app.sqlite3")
    assert len(first.jwt_key) >= 32 and first.jwt_key == again.jwt_key
    key_file = tmp_path / "data" / DEV_KEY_FILE
    assert key_file.read_text().strip() == first.jwt_key and key_file.stat().st_mode & 0o077 == 0
    assert make(database_url=f"sqlite://{tmp_path}/other/app.sqlite3").jwt_key != first.jwt_key


def test_production_refuses_missing_or_short_secret() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET is required"):
        make(smarthabit_env="production", database_url="postgres://x@h/db")
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        make(smarthabit_env="production", database_url="postgres://x@h/db", jwt_secret="short")
    ok = make(smarthabit_env="production", database_url="postgresql://x@h/db", jwt_secret="k" * 32)
    assert ok.db_url == "postgres://x@h/db" and ok.uses_postgres


def test_blank_values_mean_unset_and_webhook_secret_is_checked() -> None:
    assert make(redis_url="  ", telegram_bot_token="").bot_token is None
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        make(telegram_webhook_secret="has spaces in it!!")


def test_secrets_are_not_in_the_repr() -> None:
    settings = make(jwt_secret="s" * 40, telegram_bot_token="123:SECRET")
    assert "SECRET" not in repr(settings) and "s" * 40 not in repr(settings)


def _env_example(*, production: bool) -> dict[str, str]:
    """.env.example's values; with `production`, its `# production: NAME=value` lines instead."""
    example = Path(__file__).resolve().parents[2] / ".env.example"
    values: dict[str, str] = {}
    for line in example.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
        elif production and line.startswith("# production: "):
            name, _, value = line.removeprefix("# production: ").partition("=")
            values[name] = value
    return values


def test_env_example_as_copied_is_a_local_development_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """`cp .env.example .env` and `smarthabit run`: development on SQLite and loopback, no Redis."""
    for name, value in _env_example(production=False).items():
        monkeypatch.setenv(name, value)
    settings = make()
    assert not settings.is_production and not settings.uses_postgres and settings.redis_url is None
    assert settings.host == "127.0.0.1" and settings.jwt_secret is None and settings.bot_token is None
    assert settings.log_format == "auto"


def test_env_example_production_values_make_a_valid_production_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in _env_example(production=True).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JWT_SECRET", "j" * 40)  # the one value a person must make
    settings = make()
    assert settings.is_production and settings.uses_postgres and settings.redis_url == "redis://redis:6379/0"
    assert settings.host == "0.0.0.0" and settings.log_format == "json"  # noqa: S104
    assert settings.metrics_port == 9100


def test_trusted_proxies_and_cors_origins_are_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,fd00::/8")
    monkeypatch.setenv("CORS_ORIGINS", "https://app.example.com/, http://localhost:5173")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "192.0.2.7/32", "fd00::/8"]
    assert settings.cors_origins == ["https://app.example.com", "http://localhost:5173"]
    for name in ("TRUSTED_PROXIES", "CORS_ORIGINS"):
        monkeypatch.setenv(name, "")
    empty = Settings(_env_file=None)  # type: ignore[call-arg]
    assert empty.trusted_proxies == [] and empty.cors_origins == []


@pytest.mark.parametrize(("name", "value"), [("TRUSTED_PROXIES", "not-a-network"), ("CORS_ORIGINS", "*"),
                                             ("CORS_ORIGINS", "app.example.com")])
def test_bad_proxy_or_origin_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]
