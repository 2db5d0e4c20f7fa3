"""Settings, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VOTE_SECRET_MIN = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    # The bot's @username, for the links `thidua invite create/export` print without asking Telegram (getMe).
    bot_username: str | None = None
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
    # Reminders (issue 13): nothing goes out in the quiet hours (local time; empty: none); the unit heads'
    # daily summary goes at REMINDER_SUMMARY_AT.
    reminder_quiet_hours: str = "21:00-07:00"
    reminder_summary_at: str = "07:30"
    # The council's secret ballot (issue 19): the key its ballots are sealed with. Never in the database nor
    # beside it (a backup alone links nothing); voting does not open without it.
    vote_secret: SecretStr | None = None

    @field_validator("vote_secret")
    @classmethod
    def _vote_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < VOTE_SECRET_MIN:
            raise ValueError(
                f"VOTE_SECRET is too short: at least {VOTE_SECRET_MIN} characters "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("reminder_quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        value = value.strip()
        if value:
            start, sep, end = value.partition("-")
            if not sep:
                raise ValueError("REMINDER_QUIET_HOURS is HH:MM-HH:MM, such as 21:00-07:00, or empty")
            _hh_mm(start), _hh_mm(end)
        return value

    @field_validator("reminder_summary_at")
    @classmethod
    def _summary_at(cls, value: str) -> str:
        _hh_mm(value)
        return value.strip()

    @model_validator(mode="after")
    def _summary_outside_quiet_hours(self) -> Settings:
        """The heads' summary goes once a day at REMINDER_SUMMARY_AT: in the quiet hours it never would."""
        if self.reminder_quiet_hours:
            start, end = (_hh_mm(x) for x in self.reminder_quiet_hours.split("-", 1))
            at = _hh_mm(self.reminder_summary_at)
            quiet = start <= at < end if start < end else (at >= start or at < end) and start != end
            if quiet:
                raise ValueError(
                    f"REMINDER_SUMMARY_AT {self.reminder_summary_at} falls in REMINDER_QUIET_HOURS "
                    f"{self.reminder_quiet_hours}: the unit heads' daily summary would never go; "
                    "choose a time outside them"
                )
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.bot_token.get_secret_value() if self.bot_token else None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _hh_mm(text: str) -> tuple[int, int]:
    """ "07:30" -> (7, 30); anything else is a ValueError naming the expected form."""
    hour, sep, minute = text.strip().partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return int(hour), int(minute)
