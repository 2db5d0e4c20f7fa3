"""Nominations: /status for the nominee (both confidentiality values), /pending, several rounds, the
secretary, a collective, the registration warning, /nominations, the window's extension."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from bot.clock import VN_TZ
from storage.models import AuditEntry
from storage.models.nomination import NominationExtension
from storage.models.plan import PlanPeriod
from tests.handlers.test_nomination_flow import SUMMARY, nominate, only, open_round, write_report

TWO_ROUNDS = datetime(2025, 3, 10, 9, 0, tzinfo=VN_TZ)  # yearly-2024-2025 and final-2025 both open


async def readable_summary(world, value: bool) -> None:
    async with world.session() as s:
        await s.execute(update(PlanPeriod).values(nominee_can_read_summary=value))
        await s.commit()


async def test_the_nominee_sees_in_status_for_what_but_not_the_summary_when_the_plan_says_so(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await hoa.send("/status")
    text = hoa.last_text()
    assert "được đề nghị “Lao động tiên tiến”" in text and "2024-2025" in text
    assert "Tóm tắt thành tích" not in text and "chuyển đổi số" not in text


async def test_the_nominee_reads_the_summary_when_the_plan_allows_it(world):
    await open_round(world)
    await readable_summary(world, True)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await hoa.send("/status")
    assert "được đề nghị “Lao động tiên tiến”" in hoa.last_text()
    assert "chuyển đổi số" in hoa.last_text()


@pytest.mark.restarts("NomReturnSG")
async def test_a_report_waiting_for_review_is_in_the_heads_pending(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await minh.send("/pending")
    assert "Báo cáo thành tích chờ duyệt" not in minh.last_text()
    await world.drain_outbox()
    await write_report(hoa)
    await minh.send("/pending")
    assert "Báo cáo thành tích chờ duyệt" in minh.last_text() and "Nguyễn Thị Hoa" in minh.last_text()
    await minh.click(f"Báo cáo số {(await only(world)).id}")
    assert minh.buttons()[:2] == ["Duyệt báo cáo", "Trả lại báo cáo"]
    await minh.click("Trả lại báo cáo")
    await minh.send("Bổ sung số liệu đề tài")
    assert (await only(world)).report_state == "returned"
    await world.drain_outbox()
    assert "Bổ sung số liệu đề tài" in hoa.last_text()
    await minh.send("/pending")
    assert "Báo cáo thành tích chờ duyệt" not in minh.last_text()


async def test_when_several_rounds_are_open_the_head_chooses_one(world):
    await open_round(world, TWO_ROUNDS)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    assert "nhiều đợt xét" in minh.last_text()
    await minh.click("tổng kết")
    await minh.click("Một người của")
    await minh.send("Hoa")
    await minh.click("Hoa")
    assert any("Thủ tướng" in b for b in minh.buttons())  # the final round lists it
    assert "Lao động tiên tiến" not in minh.buttons()


async def test_a_collective_nomination_has_the_head_write_the_report_and_warns_on_registration(world):
    await open_round(world)
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    await minh.click("Tập thể")
    await minh.click("Tập thể Lao động tiên tiến")
    await minh.send(SUMMARY)
    await minh.click("Bỏ qua")
    assert "chưa có đăng ký thi đua được xác nhận" in minh.last_text()  # a warning, not a block
    await minh.click("Gửi đề nghị")
    row = await only(world)
    assert (row.subject, row.person_id, row.state) == ("collective", None, "submitted")
    await world.drain_outbox()
    assert "cần báo cáo thành tích" in minh.last_text()
    await write_report(minh, "Báo cáo thành tích của tập thể phòng: " + "hoàn thành tốt nhiệm vụ. " * 3)
    assert (await only(world)).report_state == "submitted"


async def test_the_secretary_nominates_and_lists_all_with_filters(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn Bình", unit="KCNTT")
    minh = await world.unit_head("Trần Văn Minh")
    lan = await world.secretary("Đỗ Thị Lan")
    await nominate(minh)
    await lan.send("/nominate")
    await lan.click("Một người của “Phòng KCNTT”")
    await lan.send("Bình")
    await lan.click("Lê Văn Bình")
    await lan.click("Giấy khen")
    await lan.send(SUMMARY)
    await lan.click("Bỏ qua")
    await lan.click("Gửi đề nghị")
    await lan.send("/nominations")
    assert "Đề nghị khen thưởng</b>: 2" in lan.last_text()
    await lan.click("Lọc theo danh hiệu")
    await lan.click("Giấy khen")
    assert "Đề nghị khen thưởng</b>: 1" in lan.last_text() and "Lê Văn Bình" in lan.last_text()
    await minh.send("/nominations")
    assert "Đề nghị khen thưởng</b>: 1" in minh.last_text() and "Nguyễn Thị Hoa" in minh.last_text()
    await minh.click("Số 1")
    assert "Tóm tắt thành tích" in minh.last_text() and "Rút đề nghị" in minh.buttons()


@pytest.mark.restarts("NomExtendSG")
async def test_the_secretary_extends_the_window_before_voting_and_it_is_audited(world):
    await open_round(world, datetime(2025, 5, 30, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/nomwindow")
    await lan.click("2024-2025")
    await lan.send("03/06/2025")  # voting opens 02/06/2025
    assert "trước khi bỏ phiếu bắt đầu" in lan.last_text()
    assert await world.rows(NominationExtension) == []
    await lan.send("01/06/2025")
    assert "Đã gia hạn đề nghị khen thưởng đến hết ngày 01/06/2025" in lan.last_text()
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "nomination.window_extended")
    assert entry.after["round"] == "yearly-2024-2025"
    world.clock.set(datetime(2025, 6, 1, 10, 0, tzinfo=VN_TZ))
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    assert "Anh/Chị đề nghị khen thưởng cho ai?" in minh.last_text()
