"""Settings, read from the environment and `.env` (see `.env.example`)."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VOTE_SECRET_MIN = 16
WEBHOOK_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")
EXPORT_TELEGRAM_MAX = 50 * 1024 * 1024  # what Telegram's own Bot API server takes from a bot (sendDocument)
EXPORT_LOCAL_MAX = 2000 * 1024 * 1024  # what a local Bot API server takes


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
    # /healthz and /metrics (issue 22): a listen address of their own, never the public webhook's; empty: off.
    metrics_listen: str = "127.0.0.1:9100"
    # text (the default) or json: one object a line, for a log collector.
    log_format: str = "text"
    default_locale: str = "vi"
    # Several instances on PostgreSQL (issue 22): how often each asks who leads (the leader runs the timed
    # work and the sender). At most 30: another instance takes over within a minute of a leader's loss.
    leader_tick_seconds: float = Field(5.0, gt=0, le=30)
    # Outbox pace (Telegram: ~30 msg/s overall, ~1/s per private chat, 20/min per group).
    outbox_rate_global: float = Field(30.0, gt=0)
    outbox_rate_private: float = Field(1.0, gt=0)
    outbox_group_per_minute: float = Field(20.0, gt=0)
    outbox_max_attempts: int = Field(8, ge=1)
    outbox_lease_seconds: int = Field(120, ge=5)
    # How long a message that meets 5xx or network errors is retried (from its creation) when it has no
    # expiry of its own (a reminder's is its deadline): "24h", "90m", "2d", or seconds.
    outbox_give_up_after: timedelta = timedelta(hours=24)
    dedup_ttl_hours: int = Field(24, ge=1)
    # Personal data (issue 22, M20; Nghị định 13/2023/NĐ-CP): the texts of sent outbox messages, the bytes of
    # their files and conversations' data are blanked this many days after they were written (rows stay).
    retention_days: int = Field(180, ge=30)
    # Caps of an invite link by who makes it (a unit head's: the unit's headcount + 5 uses, 30 days).
    invite_secretary_max_uses: int = Field(300, ge=1)
    invite_secretary_max_days: int = Field(30, ge=1)
    invite_admin_max_uses: int = Field(1000, ge=1)
    invite_admin_max_days: int = Field(365, ge=1)
    # Reminders (issue 13): nothing goes out in the quiet hours (local time; empty: none); the unit heads'
    # daily summary goes at REMINDER_SUMMARY_AT; one "1d" before goes the day before at REMINDER_DAY_AT.
    reminder_quiet_hours: str = "21:00-07:00"
    reminder_summary_at: str = "07:30"
    reminder_day_at: str = "08:00"
    # The council's secret ballot (issue 19): the key its ballots are sealed with. Never in the database nor
    # beside it (a backup alone links nothing); voting does not open without it.
    vote_secret: SecretStr | None = None
    # The documents (issue 21): the heading of NĐ 30/2020 (the governing body above the college, the college,
    # the symbol after a document's number), the place before its date, and a folder of the secretary's own
    # Word templates (<kind>.docx) replacing the shipped ones.
    college_parent: str = "UBND TỈNH"
    college_name: str = "TRƯỜNG CAO ĐẲNG"
    college_symbol: str = "CĐ"
    document_place: str = "Hà Nội"
    document_templates_dir: str | None = None
    # Exports (issue 21): where the built files are kept, how many days before they and their outbox bytes are
    # removed, and the largest file sent (Telegram's own server takes 50 MB from a bot; a local Bot API server
    # at TELEGRAM_API_URL up to 2000 MB). A bigger file is refused with a hint to narrow the filter.
    export_dir: str = "exports"
    export_retention_days: int = Field(7, ge=1)
    export_max_bytes: int = Field(EXPORT_TELEGRAM_MAX, ge=1024, le=EXPORT_LOCAL_MAX)

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

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -."""
        if value is None or not value.get_secret_value().strip():
            return None
        if not WEBHOOK_SECRET_FORM.fullmatch(value.get_secret_value()):
            raise ValueError(
                "WEBHOOK_SECRET is 1 to 256 characters of A-Z, a-z, 0-9, _ and - "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("webhook_listen", "metrics_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        value = value.strip()
        if value:
            listen_address(value)
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        value = value.strip().lower() or "text"
        if value not in ("text", "json"):
            raise ValueError("LOG_FORMAT is text or json")
        return value

    @field_validator("outbox_give_up_after", mode="before")
    @classmethod
    def _give_up_after(cls, value: object) -> object:
        if isinstance(value, str):
            found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhm])\s*", value.lower())
            if found:
                unit = {"d": "days", "h": "hours", "m": "minutes"}[found[2]]
                return timedelta(**{unit: float(found[1])})
        return value

    @field_validator("outbox_give_up_after")
    @classmethod
    def _give_up_positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("OUTBOX_GIVE_UP_AFTER must be positive, such as 24h")
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

    @field_validator("reminder_summary_at", "reminder_day_at")
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

    @model_validator(mode="after")
    def _export_max_bytes(self) -> Settings:
        """More than 50 MB goes only through a local Bot API server: Telegram's own would refuse each file."""
        if self.export_max_bytes > EXPORT_TELEGRAM_MAX and not self.telegram_api_url:
            raise ValueError(
                f"EXPORT_MAX_BYTES {self.export_max_bytes} is over Telegram's 50 MB ({EXPORT_TELEGRAM_MAX}): "
                "set TELEGRAM_API_URL to a local Bot API server, or lower it"
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


def listen_address(text: str) -> tuple[str, int]:
    """ "127.0.0.1:8080" -> ("127.0.0.1", 8080); "[::1]:8080" and ":8080" (every address) too."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not a listen address HOST:PORT, such as 127.0.0.1:8080")
    return host.strip("[]") or "0.0.0.0", int(port)
