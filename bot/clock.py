"""Time comes from a clock, so tests move it without sleeping; dates are shown and read here, in one way."""

from __future__ import annotations

import asyncio
import re
import time as _time
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t

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

    async def sleep_until(self, when: datetime) -> None:
        await asyncio.sleep(max((when - self.now()).total_seconds(), 0))

    def monotonic(self) -> float:
        """Seconds for measuring waits: never steps back when the system's clock is set."""
        return _time.monotonic()

    async def pause(self, seconds: float) -> None:
        """Wait `seconds` on the monotonic clock (FakeClock: the latest of many waiters, not their sum)."""
        await asyncio.sleep(max(seconds, 0))


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

    async def sleep_until(self, when: datetime) -> None:
        """Many tasks waiting for their own time move the clock to the latest of them, not their sum."""
        self._now = max(self._now, when.astimezone(self.tz))
        await asyncio.sleep(0)

    def monotonic(self) -> float:
        return self.now().timestamp()

    async def pause(self, seconds: float) -> None:
        await self.sleep_until(self.now() + timedelta(seconds=max(seconds, 0)))


def _local(when: datetime, tz: ZoneInfo = VN_TZ) -> datetime:
    """`when` on the college's clock; a naive datetime is a stored one, in UTC (SQLite drops the zone)."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(tz)


def fmt_date(d: date | datetime, tz: ZoneInfo = VN_TZ) -> str:
    """A day as dd/mm/yyyy (an instant: its local day in Asia/Ho_Chi_Minh)."""
    if isinstance(d, datetime):
        d = _local(d, tz).date()
    return d.strftime("%d/%m/%Y")


def is_end_of_day(when: datetime, tz: ZoneInfo = VN_TZ) -> bool:
    """23:59:59 or later on the local clock: how a deadline written as a day closes."""
    return _local(when, tz).time() >= time(23, 59, 59)


def fmt_when(when: datetime, locale: str | None = None, tz: ZoneInfo = VN_TZ) -> str:
    """The one way an instant is shown, in Asia/Ho_Chi_Minh.

    "08:00 ngày 09/12/2026" (vi) / "09/12/2026 08:00" (en); a deadline at the end of a day (23:59:59)
    as "hết ngày 18/06/2027" / "end of 18/06/2027"; the very start of a day (00:00:00, when something
    written as a day opens) as "ngày 01/09/2025" / "01/09/2025"."""
    local = _local(when, tz)
    day = local.strftime("%d/%m/%Y")
    if is_end_of_day(local, tz):
        return t("when-end-of-day", locale=locale, date=day)
    if local.time() == time.min:
        return t("when-day", locale=locale, date=day)
    return t("when-at", locale=locale, date=day, time=local.strftime("%H:%M"))


def fmt_instant(when: datetime, locale: str | None = None, tz: ZoneInfo = VN_TZ) -> str:
    """ "08:00 ngày 06/09/2026" / "06/09/2026 08:00" always with its time, even at the start or end of a day:
    a clock's reading (the console's fake clock), not a deadline."""
    local = _local(when, tz)
    return t("when-at", locale=locale, date=local.strftime("%d/%m/%Y"), time=local.strftime("%H:%M"))


def fmt_since(d: date, locale: str | None = None) -> str:
    """ "áp dụng từ ngày 01/07/2025" / "applies from 01/07/2025": the date of effect of a value."""
    return t("when-since", locale=locale, date=fmt_date(d))


# -- reading a date someone typed --------------------------------------------------------------------------
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DM = re.compile(r"(\d{1,2})[/.-](\d{1,2})")
_TODAY = frozenset({"hôm nay", "hom nay", "today"})
_YESTERDAY = frozenset({"hôm qua", "hom qua", "yesterday"})


def parse_day(text: str | None, today: date | None = None) -> date | None:
    """The day someone typed, or None: the one parser for dates typed in the chat.

    dd/mm/yyyy (also d/m/yyyy, with '.' or '-'), ISO yyyy-mm-dd, and, when `today` is given, d/m
    (the latest such day not after today), "hôm nay" and "hôm qua" (also "today", "yesterday")."""
    words = " ".join(unicodedata.normalize("NFC", text or "").casefold().split())
    if today is not None and words in _TODAY:
        return today
    if today is not None and words in _YESTERDAY:
        return today - timedelta(days=1)
    try:
        if m := _DMY.fullmatch(words):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _ISO.fullmatch(words):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if today is not None and (m := _DM.fullmatch(words)):
        day_, month = int(m.group(1)), int(m.group(2))
        for year in range(today.year, today.year - 8, -1):  # 29/02 waits for a leap year
            try:
                found = date(year, month, day_)
            except ValueError:
                continue
            if found <= today:
                return found
    return None


_AT = (
    re.compile(r"(?P<h>\d{1,2})[:hg](?P<m>\d{2})\s+(?:ngày\s+|on\s+)?(?P<day>.+)"),
    re.compile(r"(?P<day>.+?)\s+(?:lúc\s+|at\s+)?(?P<h>\d{1,2})[:hg](?P<m>\d{2})"),
)


def parse_when(text: str | None, tz: ZoneInfo = VN_TZ, today: date | None = None) -> datetime | None:
    """The instant someone typed, or None: "08:00 09/12/2026" (also "8h00 ngày 9/12/2026", "09/12/2026
    08:00"), the day read by `parse_day`; an aware datetime in `tz`. The one parser of a typed time."""
    words = " ".join(unicodedata.normalize("NFC", text or "").casefold().split())
    for pattern in _AT:
        m = pattern.fullmatch(words)
        day = parse_day(m.group("day"), today) if m else None
        if m is None or day is None or int(m.group("h")) > 23 or int(m.group("m")) > 59:
            continue
        return datetime(day.year, day.month, day.day, int(m.group("h")), int(m.group("m")), tzinfo=tz)
    return None


def example_when(now: datetime, tz: ZoneInfo = VN_TZ, days: int = 7) -> str:
    """What to show as an example of a time to type: 08:00 a week from now, as `parse_when` reads it."""
    return f"08:00 {(now.astimezone(tz) + timedelta(days=days)):%d/%m/%Y}"


def as_utc(dt: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def fmt_place_date(place: str, d: date) -> str:
    """The place and date of an administrative document (NĐ 30/2020, Phụ lục I): "Hà Nội, ngày 07 tháng 02
    năm 2026": a day below 10 and the months 1 and 2 with a leading zero."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"
