"""Quiet hours, the reminders' buttons and settings, without Telegram."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError

from bot.clock import VN_TZ
from bot.config import Settings
from bot.services.reminder_times import QuietHours

QUIET = QuietHours.parse("21:00-07:00", VN_TZ)
DEADLINE = datetime(2026, 10, 30, 23, 59, 59, tzinfo=VN_TZ)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("due", "goes"),
    [
        (local(29, 10), local(29, 10)),  # outside: as it is
        (local(29, 23, 59), local(30, 7)),  # inside, and 07:00 is before the deadline
        (local(30, 3), local(30, 7)),
        (local(30, 21, 30), local(30, 20, 30)),  # 07:00 would be after the deadline: 20:30 the evening before
        (local(30, 20, 59), local(30, 20, 59)),
    ],
)
def test_when_a_reminder_goes(due, goes):
    assert QUIET.send_at(due, DEADLINE) == goes


def test_no_quiet_hours_when_the_setting_is_empty():
    none = QuietHours.parse("", VN_TZ)
    assert not none.quiet(local(30, 23)) and none.send_at(local(30, 23), DEADLINE) == local(30, 23)


@pytest.mark.parametrize("bad", ["21:00", "25:00-07:00", "21-07", "x"])
def test_a_bad_quiet_hours_setting_is_refused_at_start(bad):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, reminder_quiet_hours=bad)  # type: ignore[call-arg]


def test_a_bad_summary_time_is_refused():
    with pytest.raises(ValidationError):
        Settings(_env_file=None, reminder_summary_at="7h30")  # type: ignore[call-arg]


@pytest.mark.parametrize("at", ["22:00", "06:59", "21:00"])
def test_a_summary_time_in_the_quiet_hours_is_refused_with_both_settings_named(at):
    with pytest.raises(ValidationError) as e:
        Settings(_env_file=None, reminder_summary_at=at)  # type: ignore[call-arg]
    assert "REMINDER_SUMMARY_AT" in str(e.value) and "REMINDER_QUIET_HOURS 21:00-07:00" in str(e.value)


@pytest.mark.parametrize(("quiet", "at"), [("21:00-07:00", "07:00"), ("", "23:00"), ("01:00-05:00", "07:30")])
def test_a_summary_time_outside_the_quiet_hours_is_kept(quiet, at):
    settings = Settings(_env_file=None, reminder_quiet_hours=quiet, reminder_summary_at=at)  # type: ignore[call-arg]
    assert settings.reminder_summary_at == at


def test_the_buttons_queued_as_json_are_the_ones_the_handler_parses():
    from handlers.reminders import RemActCb
    from handlers.render.reminders import SUMMARY_BUTTONS, act_data

    for act in ("reg", "nom", "pend", *SUMMARY_BUTTONS.values()):
        assert act_data(act) == RemActCb(act=act).pack()  # type: ignore[arg-type]
        assert len(act_data(act).encode()) <= 64


def test_a_meeting_at_the_end_of_the_quiet_hours_is_announced_the_evening_before_not_as_it_starts():
    meeting = local(30, 7)  # 07:00: the quiet hours end as it begins, when nothing of it goes any more
    assert QUIET.send_at(local(30, 6), meeting) == local(29, 20, 30)
    assert QUIET.evening_before(local(30, 6), meeting)  # and `plan load` warns of it
    assert QUIET.send_at(local(30, 6), local(30, 7, 1)) == local(30, 7)


@pytest.mark.parametrize(
    ("deadline", "offset", "due"),
    [
        (DEADLINE, "1d", local(29, 8)),  # the end of 30/10, a day before: 29/10 at REMINDER_DAY_AT
        (DEADLINE, "7d", local(23, 8)),
        (local(30, 7), "1d", local(29, 8)),  # a meeting at 07:00: the day before all the same
        (DEADLINE, "3h", datetime(2026, 10, 30, 20, 59, 59, tzinfo=VN_TZ)),  # hours from the instant
        (DEADLINE, "90m", datetime(2026, 10, 30, 22, 29, 59, tzinfo=VN_TZ)),
    ],
)
def test_days_count_calendar_days_and_go_at_the_day_time_hours_count_from_the_instant(deadline, offset, due):
    from bot.services.reminder_times import due_of

    assert due_of(deadline, offset, "08:00", VN_TZ) == due


def test_the_day_time_is_a_setting_of_hh_mm_with_08_00_by_default():
    assert Settings(_env_file=None).reminder_day_at == "08:00"
    assert Settings(_env_file=None, reminder_day_at="09:15").reminder_day_at == "09:15"
    with pytest.raises(ValidationError):
        Settings(_env_file=None, reminder_day_at="9h")
