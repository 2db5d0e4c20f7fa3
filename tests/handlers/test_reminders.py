"""Reminders before a deadline, only to those who have not acted: on the FakeClock, over the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models import OutboxMessage
from storage.models.registration import RegistrationExtension
from tests.scenario.test_school_year_registration import register

PLAN = "plans/2021-2025.yaml"
# registration 2024-2025 closes at the end of 31/10/2024; rules: 7d and 1d before, to pending and unit heads
OPEN = datetime(2024, 10, 20, 9, 0, tzinfo=VN_TZ)
SEVEN_DAYS = datetime(2024, 10, 24, 8, 0, tzinfo=VN_TZ)  # days count calendar days: at REMINDER_DAY_AT
ONE_DAY = datetime(2024, 10, 30, 8, 0, tzinfo=VN_TZ)


async def open_year(world: World, when: datetime = OPEN, plan: str | Path = PLAN) -> Any:
    world.clock.set(when)
    return await world.load_plan(plan)


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped plan with one change, beside its documents."""
    text = Path(PLAN).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "documents").symlink_to(Path("plans/documents").resolve())
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def reminders_of(person: Chatter) -> list[str]:
    return [text for text in person.texts() if "chưa đăng ký thi đua năm học" in text]


async def at(world: World, when: datetime) -> None:
    world.clock.set(when)
    await world.run_due()
    await world.drain_outbox(wait=False)


async def test_only_who_has_not_registered_is_reminded_with_the_deadline_and_a_button(world):
    await open_year(world)
    hoa, lan = await world.staff("Nguyễn Thị Hoa"), await world.staff("Lê Thị Lan")
    await register(lan)
    await world.drain_outbox()

    await at(world, SEVEN_DAYS)

    [text] = reminders_of(hoa)
    assert "Nguyễn Thị Hoa" in text and "2024-2025" in text and "hết ngày 31/10/2024" in text
    assert hoa.buttons() == ["Đăng ký ngay"]
    assert reminders_of(lan) == []


async def test_the_button_starts_the_registration_right_away(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, SEVEN_DAYS)
    await hoa.click("Đăng ký ngay")
    assert "Lao động tiên tiến" in hoa.buttons()


async def test_running_again_and_two_overlapping_runs_queue_each_reminder_once(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.clock.set(SEVEN_DAYS)
    await world.run_due()
    await asyncio.gather(world.run_due(), world.run_due())
    await world.run_due()
    await world.drain_outbox(wait=False)
    assert len(reminders_of(hoa)) == 1
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert len(rows) == 1 and rows[0].idempotency_key.startswith("rem:registration_close:2024-2025:all:")


async def test_nothing_goes_in_the_quiet_hours_and_it_goes_when_they_end(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    for when in (
        datetime(2024, 10, 24, 23, 59, 59, tzinfo=VN_TZ),  # the 7d instant
        datetime(2024, 10, 25, 3, 0, tzinfo=VN_TZ),
        datetime(2024, 10, 25, 6, 59, tzinfo=VN_TZ),
    ):
        await at(world, when)
        assert reminders_of(hoa) == [], when
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1


async def test_a_short_offset_goes_at_20_30_the_evening_before(world, tmp_path):
    rule = "offsets: [7d, 1d]\n    audience: [pending, unit_heads]"
    plan = variant(tmp_path, rule, "offsets: [1h]\n    audience: [pending]")
    report = await open_year(world, plan=plan)
    assert any(w.key == "plan-warn-evening-before" for w in report.warnings)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, datetime(2024, 10, 31, 20, 29, tzinfo=VN_TZ))
    assert reminders_of(hoa) == []
    await at(world, datetime(2024, 10, 31, 20, 30, tzinfo=VN_TZ))
    assert len(reminders_of(hoa)) == 1


async def test_an_offset_the_quiet_hours_move_before_an_earlier_one_is_merged_into_it(world, tmp_path):
    rule = "offsets: [7d, 1d]\n    audience: [pending, unit_heads]"
    plan = variant(tmp_path, rule, "offsets: [3h, 1h]\n    audience: [pending]")
    await open_year(world, plan=plan)  # 3h: 20:59:59; 1h is quiet and would go at 20:30, before it
    hoa = await world.staff("Nguyễn Thị Hoa")
    for when, count in ((time(20, 30), 0), (time(20, 59), 1), (time(21, 0), 1), (time(23, 0), 1)):
        await at(world, datetime.combine(date(2024, 10, 31), when, tzinfo=VN_TZ))
        assert len(reminders_of(hoa)) == count, when


async def test_after_downtime_the_missed_reminder_goes_once_and_only_the_latest_of_a_rule(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, datetime(2024, 10, 28, 10, 0, tzinfo=VN_TZ))  # down from 20/10 to 28/10: the 7d one
    assert len(reminders_of(hoa)) == 1
    await at(world, datetime(2024, 10, 29, 10, 0, tzinfo=VN_TZ))
    assert len(reminders_of(hoa)) == 1
    await at(world, datetime(2024, 10, 31, 8, 0, tzinfo=VN_TZ))
    assert len(reminders_of(hoa)) == 2


async def test_a_week_of_downtime_sends_one_reminder_not_two(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, datetime(2024, 10, 31, 9, 0, tzinfo=VN_TZ))
    assert len(reminders_of(hoa)) == 1
    await at(world, datetime(2024, 11, 1, 9, 0, tzinfo=VN_TZ))  # the deadline has passed: no use any more
    assert len(reminders_of(hoa)) == 1


async def test_an_extension_for_one_unit_moves_its_reminders_only(world):
    await open_year(world)
    hoa, nam = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn Nam", unit="KCNTT")
    lan = await world.secretary("Lê Thị Lan", unit="KHTC")
    await lan.send("/regwindow")  # the secretary extends KCNTT's window in chat
    await lan.click("Phòng KCNTT")
    await lan.send("10/11/2024")
    await lan.click("Xác nhận")
    await at(world, ONE_DAY)
    assert len(reminders_of(hoa)) == 2 - 1  # the catch-up sends the latest: the 1d one
    assert reminders_of(nam) == []  # KCNTT closes on 10/11: its 1d reminder is not due yet
    await at(world, datetime(2024, 11, 9, 7, 0, tzinfo=VN_TZ))
    [text] = reminders_of(nam)
    assert "hết ngày 10/11/2024" in text
    assert len(reminders_of(hoa)) == 1


async def extend(world: World, day: date, unit_id: int | None = None) -> None:
    """The registration window of 2024-2025 extended to the end of `day`, for the college or one unit."""
    async with world.session() as s:
        s.add(
            RegistrationExtension(
                school_year_id=(await world_school_year(world)),
                scope="college" if unit_id is None else f"u{unit_id}",
                unit_id=unit_id,
                closes_at=datetime.combine(day, time.max, tzinfo=VN_TZ),
                set_at=world.clock.now(),
            )
        )
        await s.commit()


async def world_school_year(world: World) -> int:
    from storage.models.plan import PlanSchoolYear

    [row] = await world.rows(PlanSchoolYear, PlanSchoolYear.code == "2024-2025")
    return row.id


async def test_a_deadline_moved_after_a_reminder_went_sends_on_the_new_date_and_nothing_stale(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1
    await extend(world, date(2024, 11, 15))
    await at(world, ONE_DAY)  # the old 1d instant: nothing, the deadline is now 15/11
    assert len(reminders_of(hoa)) == 1
    await at(world, datetime(2024, 11, 14, 7, 0, tzinfo=VN_TZ))
    texts = reminders_of(hoa)
    assert len(texts) == 2 and "hết ngày 15/11/2024" in texts[-1]


RULES = """reminder_rules:
  - deadline: registration_close
    offsets: [7d, 1d]
    audience: [pending, unit_heads]
  - deadline: nominations_close
    offsets: [7d, 2d]
    audience: [unit_heads, secretary]
"""
REORDERED = """reminder_rules:
  - deadline: nominations_close
    offsets: [7d, 2d]
    audience: [secretary, unit_heads]
  - deadline: registration_close
    offsets: [7d, 1d]
    audience: [unit_heads, pending]
"""


async def test_reordering_the_rules_and_reloading_changes_nothing_and_sends_nothing_again(world, tmp_path):
    plan = variant(tmp_path, RULES, RULES)
    await open_year(world, plan=plan)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1
    plan.write_text(plan.read_text(encoding="utf-8").replace(RULES, REORDERED), encoding="utf-8")
    report = await world.load_plan(plan)
    assert "reminder_rule" not in report.added and "reminder_rule" not in report.changed
    assert "reminder_rule" not in report.removed
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1


async def test_the_unit_head_gets_one_daily_summary_of_the_unit_with_buttons(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await world.staff("Nguyễn Thị Hoa")
    await register(minh, head=True)
    await world.drain_outbox()
    await at(world, datetime(2024, 10, 25, 7, 29, tzinfo=VN_TZ))
    assert not [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    await at(world, datetime(2024, 10, 25, 7, 30, tzinfo=VN_TZ))
    await at(world, datetime(2024, 10, 25, 9, 0, tzinfo=VN_TZ))
    [summary] = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert "1 người chưa đăng ký thi đua" in summary
    assert "đơn vị chưa đăng ký thi đua tập thể" in summary
    assert "Đăng ký ngay" in minh.buttons()
    assert reminders_of(minh) == []  # he has registered: no personal reminder


async def test_a_summary_missed_while_down_goes_later_that_day_but_not_the_next(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await at(world, datetime(2024, 10, 26, 15, 0, tzinfo=VN_TZ))
    summaries = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert len(summaries) == 1
    await at(world, datetime(2024, 10, 26, 20, 0, tzinfo=VN_TZ))
    assert len([t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]) == 1


async def test_an_offset_before_the_round_opens_is_a_warning_naming_the_round_and_is_skipped(world, tmp_path):
    rule = "  - deadline: voting_open\n    offsets: [1d]\n    audience: [council_members]\n"
    plan = variant(
        tmp_path, rule, "  - deadline: nominations_close\n    offsets: [60d]\n    audience: [secretary]\n"
    )
    report = await open_year(world, datetime(2025, 2, 1, 9, 0, tzinfo=VN_TZ), plan=plan)
    warned = [w for w in report.warnings if w.key == "plan-warn-before-open"]
    assert "final-2025" in [w.params["what"] for w in warned]  # 60 days before 11/04: before 03/03
    assert "final-2025" in "\n".join(report.lines("vi"))
    lan = await world.secretary("Đỗ Thị Lan")
    await at(world, datetime(2025, 3, 4, 9, 0, tzinfo=VN_TZ))  # final-2025 opened on 03/03: skipped, no crash
    assert [t for t in lan.texts() if "Hạn đề nghị khen thưởng" in t] == []
    await at(world, datetime(2025, 4, 1, 9, 0, tzinfo=VN_TZ))  # 60d before 30/05 (the yearly round): it goes
    texts = [t for t in lan.texts() if "Hạn đề nghị khen thưởng" in t]
    assert len(texts) == 1 and "30/05/2025" in texts[0]


async def test_a_reminder_held_by_a_429_is_not_sent_once_its_deadline_moved(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.flood(hoa.id, retry_after=3 * 24 * 3600)  # Telegram holds her chat for three days
    await at(world, SEVEN_DAYS)
    assert reminders_of(hoa) == []
    await extend(world, date(2024, 11, 15))
    await world.run_due()  # the next tick: the queued one names 31/10, a stale date
    await world.drain_outbox(advance=True)
    assert [t for t in reminders_of(hoa) if "31/10/2024" in t] == []
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert row.status == "cancelled"


async def test_a_reminder_held_by_a_429_is_not_sent_once_she_has_registered(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.staff("Trần Văn Minh")
    for person in (hoa, minh):
        world.api.flood(person.id, retry_after=3600)  # the reminder's request is answered "retry in an hour"
    await at(world, SEVEN_DAYS)
    assert reminders_of(hoa) == reminders_of(minh) == []
    await register(hoa)  # she acts meanwhile; he does not
    await world.run_due()  # the next tick
    await world.drain_outbox(advance=True)
    assert reminders_of(hoa) == [] and len(reminders_of(minh)) == 1
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert {r.chat_id: r.status for r in rows} == {hoa.id: "cancelled", minh.id: "sent"}


EXAMPLE = "plans/2026-2030.example.yaml"  # reading the plan due 16/10/2026, reminded 3 days before


async def test_the_reading_reminder_carries_the_plans_buttons_and_pressing_acknowledges(world):
    from storage.models.registration import PlanAcknowledgement

    await open_year(world, datetime(2026, 9, 8, 9, 0, tzinfo=VN_TZ), plan=EXAMPLE)
    binh = await world.staff("Đỗ Văn Bình")
    await at(world, datetime(2026, 10, 14, 7, 0, tzinfo=VN_TZ))
    [text] = [t for t in binh.texts() if "chưa xác nhận đã đọc" in t]
    assert "hết ngày 16/10/2026" in text
    assert binh.buttons() == ["Xem kế hoạch", "Tôi đã đọc và quán triệt kế hoạch"]
    await binh.click("Tôi đã đọc và quán triệt kế hoạch")
    assert len(await world.rows(PlanAcknowledgement)) == 1


async def test_a_person_who_reads_english_is_reminded_in_english(world):
    await open_year(world)
    tom = await world.staff("Tom Nguyen", language="en")
    await at(world, SEVEN_DAYS)
    [text] = [t for t in tom.texts() if "You have not registered" in t]
    assert "2024-2025" in text and "31/10/2024" in text
    assert tom.buttons() == ["Register now"]


async def test_the_summarys_button_shows_what_waits_for_the_head(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await register(hoa)
    await register(minh, head=True)  # his own waits for the secretary: not counted for him
    await world.drain_outbox()
    await at(world, datetime(2024, 10, 25, 7, 30, tzinfo=VN_TZ))
    [summary] = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert "1 bản đăng ký chờ anh/chị xác nhận: Nguyễn Thị Hoa" in summary
    await minh.click("Xem đăng ký chờ xác nhận")  # /pending's registrations only
    assert "Nguyễn Thị Hoa" in minh.last_text()


async def test_a_summary_of_good_deeds_to_verify_carries_the_button_to_them(world):
    from tests.handlers.test_good_deed_flow import finish, setup, to_evidence

    hoa, _lan, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await world.drain_outbox()
    await at(world, datetime(2025, 5, 24, 7, 30, tzinfo=VN_TZ))  # nominations close 30/05: 7 days before
    [summary] = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert "1 việc tốt chờ xác minh: Đặng Văn Lân" in summary
    await minh.click("Xem việc tốt chờ xác minh")
    assert "chờ xác minh: 1" in minh.last_text()


async def test_a_reminder_held_by_a_429_is_not_sent_once_her_units_own_deadline_moved(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.flood(hoa.id, retry_after=3 * 24 * 3600)
    await at(world, SEVEN_DAYS)
    assert reminders_of(hoa) == []
    await extend(world, date(2024, 11, 15), unit_id=(await world.unit("TCHC")).id)  # her unit only
    await world.run_due()
    await world.drain_outbox(advance=True)
    assert [t for t in reminders_of(hoa) if "31/10/2024" in t] == []
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert row.status == "cancelled"


async def test_a_summary_does_not_count_a_good_deed_the_head_reported_which_the_secretary_verifies(world):
    from tests.handlers.test_good_deed_flow import finish, setup, to_evidence

    _hoa, _lan, minh = await setup(world)
    await to_evidence(minh)  # the head reports Lân's deed: it goes to the secretary
    await minh.click("Bỏ qua")
    await finish(minh)
    await world.drain_outbox()
    await at(world, datetime(2025, 5, 24, 7, 30, tzinfo=VN_TZ))
    [summary] = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]  # TCHC nominated nobody
    assert "việc tốt chờ xác minh" not in summary


async def test_a_summary_does_not_count_the_heads_own_achievement_report_which_the_secretary_reviews(world):
    from tests.handlers.test_nomination_flow import SUMMARY

    await open_year(world, datetime(2025, 5, 20, 9, 0, tzinfo=VN_TZ))  # the yearly round is nominating
    minh = await world.unit_head("Trần Văn Minh")
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    await lan.send("/nominate")
    await lan.click("Một người của")
    await lan.send("Minh")
    await lan.click("Trần Văn Minh")
    await lan.click("Lao động tiên tiến")
    await lan.send(SUMMARY)
    await lan.click("Bỏ qua")
    await lan.click("Gửi đề nghị")
    await world.drain_outbox()
    await minh.click("Viết báo cáo thành tích")
    await minh.send("Báo cáo thành tích năm học: " + "hoàn thành xuất sắc nhiệm vụ. " * 5)
    await minh.click("Gửi báo cáo")  # after its preview (issue 18)
    assert "Đã nộp báo cáo thành tích" in minh.last_text()
    await world.drain_outbox()
    await at(world, datetime(2025, 5, 24, 7, 30, tzinfo=VN_TZ))
    # TCHC has nominated, and its one report waits for the secretary: nothing is the head's to do
    assert [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t] == []


async def test_a_secretary_told_of_the_registration_deadline_is_not_told_she_is_missing(world, tmp_path):
    rule = "offsets: [7d, 1d]\n    audience: [pending, unit_heads]"
    plan = variant(tmp_path, rule, "offsets: [7d, 1d]\n    audience: [secretary, pending]")
    await open_year(world, plan=plan)
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    hoa, tuan = await world.staff("Nguyễn Thị Hoa"), await world.secretary("Vũ Văn Tuấn", unit="KHTC")
    await register(lan)
    await world.drain_outbox()
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1 and hoa.buttons() == ["Đăng ký ngay"]
    assert reminders_of(lan) == []  # she has registered: the notice of the deadline, not "you have not"
    [notice] = [t for t in lan.texts() if "Hạn đăng ký thi đua năm học 2024-2025" in t]
    assert "hết ngày 31/10/2024" in notice
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder", OutboxMessage.chat_id == lan.id)
    assert row.reply_markup is None  # no "Đăng ký ngay" for what she has done
    assert len(reminders_of(tuan)) == 1  # a secretary who has not registered is told so, once
    assert [t for t in tuan.texts() if "Hạn đăng ký thi đua năm học" in t] == []


async def test_a_unit_heads_rule_of_hours_is_in_that_days_summary_not_lost_after_it(world, tmp_path):
    rule = "offsets: [7d, 1d]\n    audience: [pending, unit_heads]"
    plan = variant(tmp_path, rule, "offsets: [3h]\n    audience: [unit_heads]")
    await open_year(world, plan=plan)  # 3h before 31/10 23:59:59 is 20:59, after that day's summary
    minh = await world.unit_head("Trần Văn Minh")
    await world.staff("Nguyễn Thị Hoa")
    await at(world, datetime(2024, 10, 30, 7, 30, tzinfo=VN_TZ))
    assert [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t] == []
    await at(world, datetime(2024, 10, 31, 7, 30, tzinfo=VN_TZ))
    [summary] = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert "hết ngày 31/10/2024" in summary and "người chưa đăng ký thi đua" in summary


async def test_a_secretarys_held_reminder_of_her_duty_becomes_the_notice_once_she_has_done_it(
    world, tmp_path
):
    rule = "offsets: [7d, 1d]\n    audience: [pending, unit_heads]"
    plan = variant(tmp_path, rule, "offsets: [7d, 1d]\n    audience: [secretary, pending]")
    await open_year(world, plan=plan)
    tuan = await world.secretary("Vũ Văn Tuấn", unit="KHTC")
    world.api.flood(tuan.id, retry_after=3600)  # "Anh/Chị chưa đăng ký" held by a 429
    await at(world, SEVEN_DAYS)
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert "chưa đăng ký thi đua" in row.text
    await register(tuan)  # he registers meanwhile; still a secretary, he is no longer one who has not
    await world.run_due()  # the next tick: what a secretary who has registered is told, the deadline only
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert row.status == "pending" and "chưa đăng ký" not in row.text and row.reply_markup is None
    assert "Hạn đăng ký thi đua năm học 2024-2025" in row.text
    world.clock.advance(hours=2)  # over the 429's hour (the sender's pause of his chat is in memory)
    await world.drain_outbox()
    assert reminders_of(tuan) == []
    assert len([t for t in tuan.texts() if "Hạn đăng ký thi đua năm học 2024-2025" in t]) == 1


async def test_a_reminder_held_by_a_429_goes_once_in_her_new_language_when_she_switches(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.flood(hoa.id, retry_after=3600)  # "Anh/Chị chưa đăng ký" held by a 429
    await at(world, SEVEN_DAYS)
    assert reminders_of(hoa) == []
    await hoa.send("/lang")
    await hoa.click("English")
    await world.run_due()  # the next tick: the held text is no longer the one she would be told
    await world.drain_outbox(advance=True)
    await world.run_due()
    await world.drain_outbox(advance=True)
    english = [t for t in hoa.texts() if "have not registered" in t]
    assert len(english) == 1 and reminders_of(hoa) == []
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert row.status == "sent"


async def test_one_day_before_the_end_of_31_10_goes_on_30_10_at_the_day_time(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await at(world, datetime(2024, 10, 24, 8, 0, tzinfo=VN_TZ))  # "7d": 24/10 at 08:00
    assert len(reminders_of(hoa)) == 1
    await at(world, datetime(2024, 10, 30, 7, 59, tzinfo=VN_TZ))
    assert len(reminders_of(hoa)) == 1
    await at(world, datetime(2024, 10, 30, 8, 0, tzinfo=VN_TZ))  # "1d": 30/10 at 08:00, not 31/10 at 07:00
    assert len(reminders_of(hoa)) == 2


THREE_HOURS = (
    "offsets: [7d, 1d]\n    audience: [pending, unit_heads]",
    "offsets: [3h]\n    audience: [pending]",
)


async def test_a_reminder_listed_for_20_59_goes_at_20_59_not_on_the_21_00_tick(world, tmp_path):
    await open_year(world, plan=variant(tmp_path, *THREE_HOURS))  # 3h before 31/10 23:59:59
    lan, hoa = await world.secretary("Đỗ Thị Lan"), await world.staff("Nguyễn Thị Hoa")
    world.clock.set(datetime(2024, 10, 31, 9, 0, tzinfo=VN_TZ))
    await lan.send("/reminders")
    assert any(x.startswith("• 20:59 ngày 31/10/2024") for x in lan.last_text().splitlines())
    await at(world, datetime(2024, 10, 31, 20, 58, 59, tzinfo=VN_TZ))
    assert reminders_of(hoa) == []
    await at(world, datetime(2024, 10, 31, 20, 59, 0, tzinfo=VN_TZ))  # the minute's tick that lists it
    assert len(reminders_of(hoa)) == 1
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder", OutboxMessage.chat_id == hoa.id)
    assert row.created_at.astimezone(VN_TZ).time() < time(21, 0)


async def test_a_reminder_missed_just_before_the_quiet_hours_is_not_caught_up_inside_them(world, tmp_path):
    await open_year(world, plan=variant(tmp_path, *THREE_HOURS))
    hoa = await world.staff("Nguyễn Thị Hoa")
    for when in (time(21, 0), time(21, 4), time(23, 30)):  # the bot was down at 20:59
        await at(world, datetime.combine(date(2024, 10, 31), when, tzinfo=VN_TZ))
        assert reminders_of(hoa) == [], when
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "reminder") == []


async def test_a_heads_summary_missed_all_day_is_not_caught_up_in_the_quiet_hours(world):
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await world.staff("Nguyễn Thị Hoa")
    for when in (time(21, 0), time(23, 30)):  # the bot was down all of 24/10 until the evening
        await at(world, datetime.combine(date(2024, 10, 24), when, tzinfo=VN_TZ))
        assert [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t] == [], when
    await at(world, datetime(2024, 10, 25, 7, 30, tzinfo=VN_TZ))
    assert len([t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]) == 1
