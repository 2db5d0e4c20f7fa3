"""Settings, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///./thidua.db"
    redis_url: str | None = None
    redis_prefix: str = "thidua"
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    default_locale: str = "vi"
    # Outbox pace (Telegram: ~30 msg/s overall, ~1/s per private chat, 20/min per group).
    outbox_rate_global: float = Field(30.0, gt=0)
    outbox_rate_private: float = Field(1.0, gt=0)
    outbox_group_per_minute: float = Field(20.0, gt=0)
    outbox_max_attempts: int = Field(8, ge=1)
    outbox_lease_seconds: int = Field(120, ge=5)
    dedup_ttl_hours: int = Field(24, ge=1)
    # Caps of an invite link by who makes it (a unit head's: the unit's headcount + 5 uses, 30 days).
    invite_secretary_max_uses: int = Field(300, ge=1)
    invite_secretary_max_days: int = Field(30, ge=1)
    invite_admin_max_uses: int = Field(1000, ge=1)
    invite_admin_max_days: int = Field(365, ge=1)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
