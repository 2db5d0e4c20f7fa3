"""One way to show an instant, one way to read a typed date (bot.clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.clock import VN_TZ, example_when, fmt_date, fmt_since, fmt_when, parse_day, parse_when
from bot.plan.calendar import closes_at


def test_an_instant_shows_in_the_colleges_zone_time_first_in_vietnamese_date_first_in_english():
    when = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)  # 08:00 in Asia/Ho_Chi_Minh
    assert fmt_when(when, "vi") == "08:00 ngày 09/12/2026"
    assert fmt_when(when, "en") == "09/12/2026 08:00"


def test_a_deadline_at_the_end_of_a_day_shows_as_the_end_of_that_day():
    deadline = closes_at(date(2027, 6, 18))
    assert fmt_when(deadline, "vi") == "hết ngày 18/06/2027"
    assert fmt_when(deadline, "en") == "end of 18/06/2027"
    assert (
        fmt_when(datetime.combine(date(2027, 6, 18), time(23, 59, 59), VN_TZ), "vi") == "hết ngày 18/06/2027"
    )


def test_a_naive_instant_is_a_stored_utc_one_and_a_date_of_effect_reads_ap_dung_tu_ngay():
    assert fmt_when(datetime(2026, 12, 9, 1, 0), "vi") == "08:00 ngày 09/12/2026"
    assert fmt_date(datetime(2026, 12, 8, 18, 0, tzinfo=UTC)) == "09/12/2026"
    assert fmt_since(date(2025, 7, 1), "vi") == "áp dụng từ ngày 01/07/2025"
    assert fmt_since(date(2025, 7, 1), "en") == "applies from 01/07/2025"


TODAY = date(2026, 12, 9)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("25/06/2027", date(2027, 6, 25)),
        ("5/6/2027", date(2027, 6, 5)),
        ("05.06.2027", date(2027, 6, 5)),
        (" 2027-06-25 ", date(2027, 6, 25)),
        ("1/12", date(2026, 12, 1)),  # d/m: the latest such day not after today
        ("25/12", date(2025, 12, 25)),
        ("29/2", date(2024, 2, 29)),
        ("hôm nay", TODAY),
        ("Hôm qua", date(2026, 12, 8)),
        ("hom nay", TODAY),
    ],
)
def test_a_typed_date_is_read_in_each_accepted_form(typed, day):
    assert parse_day(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["31/02/2026", "mai", "2027-13-01", "", "1/12/26", "<b>1/12</b>"])
def test_what_is_not_a_date_is_none(typed):
    assert parse_day(typed, TODAY) is None


def test_without_today_only_full_dates_are_read():
    assert parse_day("1/12") is None and parse_day("hôm nay") is None
    assert parse_day("01/12/2026") == date(2026, 12, 1)


@pytest.mark.parametrize(
    "typed",
    ["08:00 09/12/2026", "8h00 ngày 9/12/2026", "8g00 9.12.2026", "09/12/2026 08:00", "9/12/2026 lúc 8:00"],
)
def test_a_typed_time_is_read_one_way_on_the_colleges_clock(typed):
    assert parse_when(typed) == datetime(2026, 12, 9, 8, 0, tzinfo=VN_TZ)


@pytest.mark.parametrize("typed", ["", "08:00", "25:00 09/12/2026", "08:61 09/12/2026", "08:00 31/02/2026"])
def test_a_time_that_cannot_be_read_is_none(typed):
    assert parse_when(typed) is None


def test_the_example_of_a_time_to_type_is_a_week_ahead_and_reads_back():
    now = datetime(2026, 12, 2, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội
    assert example_when(now) == "08:00 09/12/2026"
    assert parse_when(example_when(now)) == datetime(2026, 12, 9, 8, 0, tzinfo=VN_TZ)
