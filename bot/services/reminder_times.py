"""When a reminder goes: its offset before the deadline, moved out of the quiet hours.

- A reminder is due at `deadline - offset` for an offset of hours or minutes. An offset of days counts
  calendar days: "1d" before the end of 20/12 is 19/12 at REMINDER_DAY_AT (08:00), whatever the deadline's
  hour (`due_of`). When that falls in the quiet hours (REMINDER_QUIET_HOURS,
  local time, e.g. 21:00-07:00), it goes when they end, and its recipients are chosen then.
- When the end of the quiet hours would be after the deadline (deadlines close at 23:59:59, so an offset
  under about 3 h falls inside), it goes at 20:30 the evening before instead: 30 minutes before the quiet
  hours that hold it began.
- Nothing is queued in advance: the due work asks, on every tick, what is due by now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import VN_TZ
from bot.plan.schema import parse_offset

EVENING_BEFORE = timedelta(minutes=30)  # 20:30 when the quiet hours start at 21:00


def _hh_mm(text: str) -> time:
    hour, _, minute = text.strip().partition(":")
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class QuietHours:
    start: time | None = None  # None: no quiet hours
    end: time | None = None
    tz: ZoneInfo = VN_TZ

    @classmethod
    def parse(cls, text: str, tz: ZoneInfo) -> QuietHours:
        """ "21:00-07:00" (the settings have checked its form); "" means none."""
        if not text.strip():
            return cls(tz=tz)
        start, _, end = text.partition("-")
        return cls(_hh_mm(start), _hh_mm(end), tz)

    def window_of(self, when: datetime) -> tuple[datetime, datetime] | None:
        """The quiet hours (start, end, aware) that hold `when`, or None when `when` is not quiet."""
        if self.start is None or self.end is None or self.start == self.end:
            return None
        local = when.astimezone(self.tz)
        for day in (local.date() - timedelta(days=1), local.date()):
            begin = datetime.combine(day, self.start, tzinfo=self.tz)
            end_day = day if self.end > self.start else day + timedelta(days=1)
            end = datetime.combine(end_day, self.end, tzinfo=self.tz)
            if begin <= local < end:
                return begin, end
        return None

    def quiet(self, when: datetime) -> bool:
        return self.window_of(when) is not None

    def send_at(self, due: datetime, deadline: datetime) -> datetime:
        """When a reminder due at `due` goes: at `due`, after the quiet hours, or the evening before."""
        window = self.window_of(due)
        if window is None:
            return due
        begin, end = window
        if end < deadline:  # at the deadline itself (a meeting at 07:00) nothing of it goes any more
            return end
        return begin - EVENING_BEFORE

    def evening_time(self) -> str:
        """The local "HH:MM" of the evening before (20:30 when the quiet hours start at 21:00)."""
        assert self.start is not None
        start = datetime.combine(date(2000, 1, 2), self.start) - EVENING_BEFORE
        return start.strftime("%H:%M")

    def evening_before(self, due: datetime, deadline: datetime) -> bool:
        """True when `due` moves to the evening before (what `plan load` warns about)."""
        window = self.window_of(due)
        return window is not None and window[1] >= deadline


def at_local(day: date, hh_mm: str, tz: ZoneInfo) -> datetime:
    """The aware instant of `hh_mm` on the local `day` (the daily summary's time)."""
    return datetime.combine(day, _hh_mm(hh_mm), tzinfo=tz)


def due_of(deadline: datetime, offset: str, day_at: str, tz: ZoneInfo) -> datetime:
    """When `offset` before `deadline` is: "3h" and "30m" from the instant, "1d" the day before at `day_at`
    (local time), however late in its day the deadline is."""
    if offset.endswith("d"):
        day = deadline.astimezone(tz).date() - timedelta(days=int(offset[:-1]))
        return at_local(day, day_at, tz)
    return deadline - parse_offset(offset)
