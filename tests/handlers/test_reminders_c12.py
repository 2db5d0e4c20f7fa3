"""Issue 18, item C12: each check below has a test that fails when the check is removed (verified on
07/12/2026 by removing it and running the test):

- nothing goes in the quiet hours, catch-up included (`ReminderCore.due`'s `not quiet`):
  test_reminders.py::test_nothing_goes_in_the_quiet_hours_and_it_goes_when_they_end and
  ::test_a_reminder_missed_just_before_the_quiet_hours_is_not_caught_up_inside_them;
- the heads' summary never in the quiet hours (`ReminderSummaries.summaries`):
  test_reminders.py::test_a_heads_summary_missed_all_day_is_not_caught_up_in_the_quiet_hours;
- a unit with its own extension left out of the college's reminder (`Occurrence.in_units`):
  test_reminders.py::test_an_extension_for_one_unit_moves_its_reminders_only, and here for the summary;
- the registration window re-checked when the registration is sent (`Submitting`'s `_require_open`):
  test_registration_window.py::test_the_window_is_checked_again_when_the_registration_is_sent; a held
  reminder whose deadline moved is cancelled:
  test_reminders.py::test_a_reminder_held_by_a_429_is_not_sent_once_its_deadline_moved;
- a re-send never repeats a part, a known-blocked person is not sent a post, a name with `<` or `&` in the
  announcement's template (each of its five escapes): test_announce_guarantees.py.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from tests.handlers.test_reminders import at, open_year
from tests.scenario.test_school_year_registration import register


async def test_a_unit_with_its_own_extension_is_left_out_of_the_heads_summary_of_the_colleges_deadline(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")  # TCHC: the college's 31/10
    nam = await world.unit_head("Phạm Văn Nam", unit="KCNTT")  # KCNTT: its own 10/11
    for head in (minh, nam):
        await register(head, head=True)
    await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn An", unit="KCNTT")
    lan = await world.secretary("Lê Thị Lan", unit="KHTC")
    await register(lan)
    await lan.send("/regwindow")
    await lan.click("Phòng KCNTT")
    await lan.send("10/11/2024")
    await lan.click("Xác nhận")
    await world.drain_outbox()
    await at(world, datetime(2024, 10, 25, 7, 30, tzinfo=VN_TZ))  # 7d before 31/10; KCNTT's 7d is 03/11
    [summary] = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert "Nguyễn Thị Hoa" in summary and "Lê Văn An" not in summary
    assert [t for t in nam.texts() if "Đơn vị của anh/chị còn" in t] == []
    await at(world, datetime(2024, 11, 3, 7, 30, tzinfo=VN_TZ))
    [own] = [t for t in nam.texts() if "Đơn vị của anh/chị còn" in t]
    assert "hết ngày 10/11/2024" in own and "Lê Văn An" in own
