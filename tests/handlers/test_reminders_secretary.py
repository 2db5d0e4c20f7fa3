"""The secretary's /reminders (the next 14 days, counts, a manual nudge, pausing, the meeting's time and
place) and a person's /settings (muting the review days)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import VN_TZ
from storage.models import AuditEntry, OutboxMessage
from storage.models.plan import PlanRound
from tests.handlers.test_reminders import SEVEN_DAYS, at, open_year, reminders_of
from tests.scenario.test_school_year_registration import register

BEFORE_VOTING = datetime(2025, 5, 25, 9, 0, tzinfo=VN_TZ)  # yearly 2024-2025: voting opens 02/06
BEFORE_CEREMONY = datetime(2025, 6, 25, 9, 0, tzinfo=VN_TZ)  # the yearly meeting: 04/07, 3 days before


async def test_the_list_shows_the_next_14_days_with_expected_counts_the_councils_too(world):
    await open_year(world, BEFORE_VOTING)
    lan = await world.secretary("Đỗ Thị Lan")
    await world.council_member("Võ Văn Hùng")
    await lan.send("/reminders")
    text = lan.last_text()
    assert "14 ngày tới" in text
    assert (
        "chờ chức năng bỏ phiếu" not in text
    )  # voting_open, council_members: the vote supplies it (issue 19)
    assert "thành viên Hội đồng: dự kiến 1 người" in text
    assert "Thường trực Hội đồng: dự kiến 1 người" in text  # nominations_close 2d before 30/05


async def test_the_list_is_for_the_secretary_only(world):
    from handlers.reminders import RemCb
    from storage.models.plan import PlanReminderRule, PlanSchoolYear

    await open_year(world, datetime(2024, 10, 22, 9, 0, tzinfo=VN_TZ))  # registration closes 31/10
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/reminders")
    assert "14 ngày tới" not in hoa.last_text()
    [rule] = await world.rows(PlanReminderRule, PlanReminderRule.deadline == "registration_close")
    [year] = await world.rows(PlanSchoolYear, PlanSchoolYear.code == "2024-2025")
    data = RemCb(rule=rule.id, y=year.id, s="all").pack()  # a live rule: the secretary's press would send
    await hoa.press(data)  # a forged nudge button
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "reminder") == []
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.press(data)
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")) == 2  # Hoa and Lan


async def test_a_manual_nudge_skips_who_the_unit_head_already_nudged_today(world):
    await open_year(world, datetime(2024, 10, 22, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    minh = await world.unit_head("Trần Văn Minh")
    hoa, nam = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn Nam", unit="KCNTT")
    await minh.send("/status")
    await minh.click("Nhắc")  # the head's nudge of the day (issue 11): Hoa and Minh himself are missing
    await world.drain_outbox()
    nudged_hoa = len(hoa.texts())
    await lan.send("/reminders")
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025")
    await world.drain_outbox()
    assert any("Đã gửi nhắc cho" in t and "2 người đã được Trưởng đơn vị nhắc" in t for t in lan.texts())
    assert len(reminders_of(nam)) == 1
    assert len(hoa.texts()) == nudged_hoa  # not a second nudge today
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025")  # a double tap: nothing again
    await world.drain_outbox()
    assert len(reminders_of(nam)) == 1


async def test_a_manual_nudge_reaches_who_the_unit_heads_nudge_failed_to_reach(world):
    await open_year(world, datetime(2024, 10, 22, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await minh.send("/status")
    world.api.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=hoa.id, times=10)
    await minh.click("Nhắc")
    await world.drain_outbox()
    assert [r.status for r in await world.rows(OutboxMessage, OutboxMessage.chat_id == hoa.id)] == ["failed"]
    world.api.failures.clear()
    await lan.send("/reminders")
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025")
    await world.drain_outbox()
    assert len(reminders_of(hoa)) == 1  # her head's nudge never reached her: the secretary's does
    assert any("1 người đã được Trưởng đơn vị nhắc" in t for t in lan.texts())  # Minh only


async def test_pausing_a_school_year_stops_its_reminders_until_resumed(world):
    await open_year(world)
    lan = await world.secretary("Đỗ Thị Lan")
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.clock.set(datetime(2024, 10, 24, 9, 0, tzinfo=VN_TZ))
    await lan.send("/reminders")
    await lan.click("Tạm dừng nhắc: năm học 2024-2025")
    await at(world, SEVEN_DAYS)
    assert reminders_of(hoa) == []
    assert await world.rows(AuditEntry, AuditEntry.action == "reminders.paused")
    await lan.click("Tiếp tục nhắc: năm học 2024-2025")
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1


async def test_a_muted_person_gets_no_meeting_announcement_and_the_secretary_sees_who(world):
    await open_year(world, BEFORE_CEREMONY)
    lan = await world.secretary("Đỗ Thị Lan")
    hoa, nam = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn Nam")
    await hoa.send("/settings")
    await hoa.click("Tắt: thư mời lễ khen thưởng")
    assert "Đã tắt" in hoa.last_text()
    await at(world, datetime(2025, 7, 1, 8, 0, tzinfo=VN_TZ))
    assert any("Lễ khen thưởng" in t for t in nam.texts())
    assert not any("Lễ khen thưởng" in t for t in hoa.texts())
    await lan.send("/reminders")
    assert "Nguyễn Thị Hoa: thư mời lễ khen thưởng" in lan.last_text()


async def test_own_duties_cannot_be_muted(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.press("rmm:registration_close:m")  # forged: not a kind that can be muted
    await at(world, SEVEN_DAYS)
    assert len(reminders_of(hoa)) == 1


async def test_the_secretary_sets_the_meetings_time_and_place_and_the_announcement_follows(world):
    await open_year(world, BEFORE_CEREMONY)
    lan = await world.secretary("Đỗ Thị Lan")
    nam = await world.staff("Phạm Văn Nam")
    await lan.send("/reminders")
    await lan.click("Đặt lịch lễ khen thưởng: Bình xét thi đua")
    await lan.send("tuần sau")
    assert "08:00 02/07/2025" in lan.last_text()  # the form it expects: a week ahead
    await lan.send("01/01/2025 08:00")  # the day first reads too, but it has passed
    assert "đã qua" in lan.last_text()
    await lan.send("08:00 01/01/2025")
    assert "đã qua" in lan.last_text()
    await lan.send("14:00 10/07/2025")
    await lan.send("Hội trường A")
    assert "14:00 ngày 10/07/2025" in lan.last_text() and "Hội trường A" in lan.last_text()
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert row.ceremony_place == "Hội trường A"
    await at(world, datetime(2025, 7, 1, 7, 0, tzinfo=VN_TZ))  # the plan's 04/07: 3 days before, no more
    assert not any("Lễ khen thưởng" in t for t in nam.texts())
    await at(world, datetime(2025, 7, 7, 14, 0, tzinfo=VN_TZ))
    [text] = [t for t in nam.texts() if "Lễ khen thưởng" in t]
    assert "14:00 ngày 10/07/2025" in text and "Hội trường A" in text


async def test_the_demo_has_a_meeting_place_and_someone_who_muted_its_announcements(world):
    from bot.devtools.demo import load_demo
    from storage.models.reminder import ReminderMute

    await load_demo(world, world.clock)
    [mute] = await world.rows(ReminderMute)
    assert mute.kind == "ceremony"
    assert [r.ceremony_place for r in await world.rows(PlanRound) if r.ceremony_place] != []
    await load_demo(world, world.clock)  # again: nothing doubled
    assert len(await world.rows(ReminderMute)) == 1


async def test_a_nudge_button_pressed_after_its_deadline_says_so_and_sends_nothing(world):
    await open_year(world, datetime(2024, 10, 22, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan")
    await world.staff("Nguyễn Thị Hoa")
    await lan.send("/reminders")
    world.clock.set(datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ))  # registration closed meanwhile
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025")
    assert any("không còn nữa" in a for a in lan.alerts())
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "reminder") == []


@pytest.mark.restarts("RemCeremonySG")
async def test_a_place_too_short_is_asked_again_and_nothing_changes(world):
    await open_year(world, BEFORE_CEREMONY)
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/reminders")
    await lan.click("Đặt lịch lễ khen thưởng: Bình xét thi đua")
    await lan.send("14:00 10/07/2025")
    await lan.send("A")
    assert "từ 3 đến 300 ký tự" in lan.last_text()
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert row.ceremony_set_at is None and row.ceremony_place is None
    await lan.send("Hội trường A")
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert row.ceremony_place == "Hội trường A"
    assert await world.rows(AuditEntry, AuditEntry.action == "round.ceremony_set")


async def test_the_list_speaks_the_secretarys_language(world):
    await open_year(world, BEFORE_CEREMONY)
    lan = await world.secretary("Do Thi Lan", language="en")
    await lan.send("/reminders")
    assert "Reminders in the next 14 days" in lan.last_text()
    assert any(b.startswith("Schedule the award ceremony: Emulation") for b in lan.buttons())


async def test_a_double_tap_on_mute_leaves_it_muted(world):
    from storage.models.reminder import ReminderMute

    await open_year(world, BEFORE_CEREMONY)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/settings")
    _, data = hoa.find_button("Tắt: thư mời lễ khen thưởng")
    await hoa.press(data)
    await hoa.press(data)  # the same button twice (a double tap, or the old message's button later)
    assert len(await world.rows(ReminderMute)) == 1
    await hoa.send("/settings")
    _, data = hoa.find_button("Bật lại: thư mời lễ khen thưởng")
    await hoa.press(data)
    await hoa.press(data)
    assert await world.rows(ReminderMute) == []


async def test_a_forged_pause_of_no_school_year_or_round_changes_nothing(world):
    from storage.models.reminder import ReminderPause

    await open_year(world, BEFORE_CEREMONY)
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.press("rmp:p:y999")
    await lan.press("rmp:p:r999")
    await lan.press("rmp:p:" + "x" * 40)  # longer than the column: no crash on PostgreSQL either
    assert await world.rows(ReminderPause) == []
    assert any("không còn nữa" in a for a in lan.alerts())


async def test_a_manual_nudge_of_a_unit_heads_rule_reaches_the_heads_with_their_units_summary(world):
    await open_year(world, BEFORE_VOTING)  # the yearly round's nominations close 30/05: heads, secretary
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    minh = await world.unit_head("Trần Văn Minh")  # TCHC has nominated nobody
    await lan.send("/reminders")
    [label] = [b for b in lan.buttons() if b.startswith("Nhắc ngay: đề nghị khen thưởng")]
    await lan.click(label)
    await lan.click(label)  # a double tap: nothing again
    await world.drain_outbox()
    summaries = [t for t in minh.texts() if "Đơn vị của anh/chị còn" in t]
    assert len(summaries) == 1 and "chưa có đề nghị khen thưởng nào" in summaries[0]
    assert "Đề nghị khen thưởng ngay" in minh.buttons()


async def test_a_time_that_passed_before_the_place_came_asks_for_the_time_again(world):
    await open_year(world, BEFORE_CEREMONY)
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/reminders")
    await lan.click("Đặt lịch lễ khen thưởng: Bình xét thi đua")
    await lan.send("14:00 26/06/2025")
    world.clock.set(datetime(2025, 6, 26, 15, 0, tzinfo=VN_TZ))  # the answer came the next afternoon
    await lan.send("Hội trường A")
    assert "đã qua" in lan.last_text()
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert row.ceremony_set_at is None
    await lan.send("14:00 10/07/2025")  # as the message asks: a time ahead
    await lan.send("Hội trường A")
    assert "14:00 ngày 10/07/2025" in lan.last_text()


async def test_a_units_own_extension_has_its_own_named_line_and_nudge_button(world):
    await open_year(world, datetime(2024, 10, 22, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Lê Thị Lan", unit="KHTC")
    await world.staff("Nguyễn Thị Hoa")
    nam = await world.staff("Phạm Văn Nam", unit="KCNTT")
    await lan.send("/regwindow")  # KCNTT's window extended to 03/11: both deadlines within 14 days
    await lan.click("Phòng KCNTT")
    await lan.send("03/11/2024")
    await lan.click("Xác nhận")
    await lan.send("/reminders")
    assert "riêng Phòng KCNTT (hạn: hết ngày 03/11/2024)" in lan.last_text()
    nudges = [b for b in lan.buttons() if b.startswith("Nhắc ngay")]
    assert len(nudges) == len(set(nudges)) == 2
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025, riêng Phòng KCNTT")
    await world.drain_outbox()
    [text] = reminders_of(nam)
    assert "hết ngày 03/11/2024" in text


async def test_a_manual_nudge_pressed_late_in_the_evening_goes_when_the_quiet_hours_end(world):
    await open_year(world, datetime(2024, 10, 22, 22, 30, tzinfo=VN_TZ))  # the clerk works late
    lan = await world.secretary("Lê Thị Lan", unit="KHTC")
    nam = await world.staff("Phạm Văn Nam", unit="KCNTT")
    await lan.send("/reminders")
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025")
    assert any("07:00 ngày 23/10/2024" in t for t in lan.texts())  # she is told when it will go
    await world.drain_outbox(wait=False)
    assert reminders_of(nam) == []  # nothing at 22:30
    await at(world, datetime(2024, 10, 23, 6, 59, tzinfo=VN_TZ))
    assert reminders_of(nam) == []
    await at(world, datetime(2024, 10, 23, 7, 0, tzinfo=VN_TZ))
    assert len(reminders_of(nam)) == 1


async def test_a_manual_nudge_in_the_quiet_hours_before_a_deadline_that_night_says_so_and_sends_nothing(
    world,
):
    await open_year(world, datetime(2024, 10, 30, 7, 30, tzinfo=VN_TZ))  # "1d" goes at 08:00
    lan = await world.secretary("Lê Thị Lan", unit="KHTC")
    await world.staff("Phạm Văn Nam", unit="KCNTT")
    await lan.send("/reminders")
    world.clock.set(datetime(2024, 10, 31, 22, 30, tzinfo=VN_TZ))  # registration closes at 23:59:59
    await lan.click("Nhắc ngay: đăng ký thi đua 2024-2025")  # the list's button, pressed late that night
    assert any("giờ yên lặng" in a for a in lan.alerts())
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "reminder") == []


async def test_pausing_shows_the_outcome_on_the_list_itself_and_a_double_tap_adds_nothing(world):
    await open_year(world, datetime(2024, 10, 24, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/reminders")
    count = len(lan.messages())
    _, data = lan.find_button("Tạm dừng nhắc: năm học 2024-2025")
    await lan.press(data)
    await lan.press(data)  # a double tap
    assert len(lan.messages()) == count  # the list is edited in place, not sent again
    assert "Tiếp tục nhắc: năm học 2024-2025" in lan.buttons()
    assert "(đang tạm dừng)" in lan.last_text()


async def test_the_list_gives_a_meeting_and_an_opening_their_day_not_a_deadline(world):
    await open_year(world, datetime(2025, 5, 25, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/reminders")
    [line] = [x for x in lan.last_text().splitlines() if "mở bỏ phiếu" in x]
    assert "(từ ngày 02/06/2025)" in line and "hạn:" not in line
    world.clock.set(BEFORE_CEREMONY)
    await lan.send("/reminders")
    [line] = [x for x in lan.last_text().splitlines() if ": lễ khen thưởng" in x]
    assert "(vào ngày 04/07/2025)" in line and "hạn:" not in line


async def test_the_list_gives_the_unit_heads_line_the_time_of_their_daily_summary(world):
    await open_year(world, datetime(2024, 10, 22, 9, 0, tzinfo=VN_TZ))  # 7d before 31/10: 08:00 on 24/10
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/reminders")
    lines = lan.last_text().splitlines()
    [heads] = [x for x in lines if "nhắc trước 7 ngày, gửi Trưởng đơn vị" in x]
    assert heads.startswith("• 07:30 ngày 24/10/2024")  # the summary's time
    [staff] = [x for x in lines if "nhắc trước 7 ngày, gửi người chưa thực hiện" in x]
    assert staff.startswith("• 08:00 ngày 24/10/2024")


async def test_muting_and_unmuting_are_audited_once_each(world):
    await open_year(world, BEFORE_CEREMONY)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/settings")
    _, data = hoa.find_button("Tắt: thư mời lễ khen thưởng")
    await hoa.press(data)
    await hoa.press(data)  # a double tap changes nothing: no second entry
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "reminders.muted")
    assert entry.after == {"kind": "ceremony"}
    await hoa.click("Bật lại: thư mời lễ khen thưởng")
    assert len(await world.rows(AuditEntry, AuditEntry.action == "reminders.unmuted")) == 1


async def test_a_paused_year_with_nothing_in_the_next_14_days_is_named_on_its_resume_button(world):
    await open_year(world, datetime(2024, 10, 24, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/reminders")
    await lan.click("Tạm dừng nhắc: năm học 2024-2025")
    world.clock.set(datetime(2024, 11, 15, 9, 0, tzinfo=VN_TZ))  # nothing of 2024-2025 in the next 14 days
    await lan.send("/reminders")
    assert [b for b in lan.buttons() if b.startswith("Tiếp tục nhắc")] == ["Tiếp tục nhắc: năm học 2024-2025"]
    await lan.click("Tiếp tục nhắc: năm học 2024-2025")
    assert "Tạm dừng nhắc: năm học 2024-2025" not in lan.buttons()  # resumed: nothing ahead to pause


async def _gave_up(world):
    """Hoa's reminder gives up after a long outage of her chat; Nam's goes."""
    await open_year(world)
    lan = await world.secretary("Đỗ Thị Lan")
    await register(lan)
    hoa, nam = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn Nam")
    await world.drain_outbox()
    world.api.server_error(hoa.id, times=10**6)
    world.clock.set(SEVEN_DAYS)
    await world.run_due()
    await world.drain_outbox(advance=True)
    # retried through the outage until it expires at its deadline (issue 18, A1), then it gives up
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder", OutboxMessage.chat_id == hoa.id)
    assert row.expires_at is not None and row.status == "pending"
    world.clock.set(row.expires_at + timedelta(minutes=1))
    await world.drain_outbox(advance=True)
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder", OutboxMessage.chat_id == hoa.id)
    assert row.status in ("failed", "gave_up") and "gave_up" in (row.status, row.error)
    return lan, hoa, nam


async def test_reminders_that_gave_up_are_counted_per_deadline_with_a_file_of_who(world):
    lan, _hoa, _nam = await _gave_up(world)
    await lan.send("/reminders")
    assert "Không gửi được: 1" in lan.last_text()
    await lan.click("Tải danh sách không gửi được: đăng ký thi đua 2024-2025")
    doc = lan.last()
    assert doc.kind == "document" and doc.file_name == "khong-gui-duoc.csv"
    content = world.api.file_bytes(doc.file_id).decode("utf-8-sig")
    assert content.splitlines() == ["Người hoặc nhóm nhận,Tình trạng", "Nguyễn Thị Hoa,không gửi được"]


async def test_a_forged_press_for_the_file_of_who_was_not_reached_is_refused(world):
    from handlers.reminders import RemFailCb

    _lan, _hoa, nam = await _gave_up(world)
    calls = len(world.api.calls_of("sendDocument"))
    await nam.press(RemFailCb(k="registration_close", y="2024-2025", s="all").pack())
    assert len(world.api.calls_of("sendDocument")) == calls
    assert nam.alerts()  # told something


MEETING = "Đặt lịch họp Hội đồng bình xét: Bình xét thi đua"


async def test_the_council_meeting_is_set_inside_the_voting_window_and_invites_the_council_only(world):
    await open_year(world, BEFORE_VOTING)  # yearly 2024-2025: voting 02/06 to the end of 13/06
    lan = await world.secretary("Đỗ Thị Lan")
    nam, tuan = await world.staff("Phạm Văn Nam"), await world.council_member("Vũ Văn Tuấn")
    await lan.send("/reminders")
    await lan.click(MEETING)
    await lan.send("14:00 20/06/2025")  # after the voting closed
    assert "trong thời gian bỏ phiếu" in lan.last_text() and "13/06/2025" in lan.last_text()
    await lan.send("08:00 28/05/2025")  # before it opens
    assert "trong thời gian bỏ phiếu" in lan.last_text()
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert row.review_meeting_at is None
    await lan.send("14:00 10/06/2025")
    await lan.send("Phòng họp số 1")
    assert "họp Hội đồng bình xét" in lan.last_text() and "14:00 ngày 10/06/2025" in lan.last_text()
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert (row.review_meeting_place, row.ceremony_place, row.ceremony_set_at) == (
        "Phòng họp số 1",
        None,
        None,
    )
    world.clock.set(datetime(2025, 6, 1, 9, 0, tzinfo=VN_TZ))  # within 14 days of it
    await lan.send("/reminders")
    assert any(
        "họp Hội đồng bình xét" in x and "(vào 14:00 ngày 10/06/2025)" in x
        for x in lan.last_text().splitlines()
    )
    await at(world, datetime(2025, 6, 9, 8, 0, tzinfo=VN_TZ))  # a day before
    [text] = [t for t in tuan.texts() if "Họp Hội đồng bình xét" in t]
    assert "14:00 ngày 10/06/2025" in text and "Phòng họp số 1" in text
    assert not any("Họp Hội đồng bình xét" in t for t in nam.texts())  # the ceremony is everyone's, not this


async def test_the_award_ceremony_is_announced_as_such_not_as_a_review_meeting(world):
    await open_year(world, BEFORE_CEREMONY)
    nam = await world.staff("Phạm Văn Nam")
    await at(world, datetime(2025, 7, 1, 8, 0, tzinfo=VN_TZ))
    [text] = [t for t in nam.texts() if "Lễ khen thưởng" in t]
    assert "đợt Bình xét thi đua" in text and "04/07/2025" in text and "Hội nghị" not in text


async def test_a_council_member_can_mute_the_meetings_invitation_apart_from_the_ceremonys(world):
    await open_year(world, BEFORE_VOTING)
    lan, tuan = await world.secretary("Đỗ Thị Lan"), await world.council_member("Vũ Văn Tuấn")
    await lan.send("/reminders")
    await lan.click(MEETING)
    await lan.send("14:00 10/06/2025")
    await lan.send("Phòng họp số 1")
    await tuan.send("/settings")
    await tuan.click("Tắt: thư mời họp Hội đồng bình xét")
    assert "Bật lại: thư mời họp Hội đồng bình xét" in tuan.buttons()
    assert "Tắt: thư mời lễ khen thưởng" in " ".join(tuan.buttons())
    await at(world, datetime(2025, 6, 9, 8, 0, tzinfo=VN_TZ))
    assert not any("Họp Hội đồng bình xét" in t for t in tuan.texts())


async def test_a_forged_press_to_set_the_meeting_is_refused(world):
    from handlers.reminders import RemCerCb

    await open_year(world, BEFORE_VOTING)
    nam = await world.staff("Phạm Văn Nam")
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    await nam.press(RemCerCb(round=row.id, ev="m").pack())
    assert nam.alerts()
    await nam.send("14:00 10/06/2025")
    [row] = await world.rows(PlanRound, PlanRound.code == "yearly-2024-2025")
    assert row.review_meeting_at is None
