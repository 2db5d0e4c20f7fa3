"""Time comes from a clock, so tests move it without sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    """The real clock. `now()` is aware, in UTC."""

    def __init__(self, tz: ZoneInfo = VN_TZ) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        return self.local_now().date()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock(Clock):
    """A clock that only moves when told to; `sleep` advances it at once."""

    def __init__(self, start: datetime | None = None, tz: ZoneInfo = VN_TZ) -> None:
        super().__init__(tz)
        self._now = start or datetime(2026, 11, 25, 8, 0, tzinfo=tz)
        if self._now.tzinfo is None:
            self._now = self._now.replace(tzinfo=tz)

    def now(self) -> datetime:
        return self._now.astimezone(UTC)

    def set(self, when: datetime) -> None:
        self._now = when if when.tzinfo else when.replace(tzinfo=self.tz)

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        self._now += timedelta(seconds=max(seconds, 0))
        await asyncio.sleep(0)


def fmt_date(d: date | datetime, tz: ZoneInfo = VN_TZ) -> str:
    if isinstance(d, datetime):
        d = (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(tz).date()
    return d.strftime("%d/%m/%Y")


def fmt_datetime(dt: datetime, tz: ZoneInfo = VN_TZ) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def as_utc(dt: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
