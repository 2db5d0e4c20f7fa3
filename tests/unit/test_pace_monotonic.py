"""The sender's pace measures its waits on a clock that never steps back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.ratelimit import Pace


class SetBackClock(Clock):
    """A real clock whose wall time is set back an hour after the first message."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


async def test_a_wall_clock_set_back_does_not_stall_a_chat():
    clock = SetBackClock()
    pace = Pace(clock, overall=30, private=1)
    await pace.room(1)
    await pace.slot(1)
    clock.offset = -timedelta(hours=1)
    assert pace.chat(1).wait(pace._now()) <= 1.02  # one second at most, not an hour
