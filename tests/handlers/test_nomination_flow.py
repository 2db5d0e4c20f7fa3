"""Nominations: a unit head nominates a person of the unit (or the unit), the nominee writes the report."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models import AuditEntry
from storage.models.nomination import Nomination

PLAN = "plans/2021-2025.yaml"
SUMMARY = (
    "Chủ nhiệm đề tài cấp trường về chuyển đổi số trong quản lý đào tạo, "
    "hoàn thành xuất sắc nhiệm vụ giảng dạy năm học 2024-2025."
)
REPORT = "Báo cáo thành tích năm học: " + "hoàn thành xuất sắc nhiệm vụ. " * 5
IN_ROUND = datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ)


async def open_round(world: World, when: datetime = IN_ROUND) -> None:
    world.clock.set(when)
    await world.load_plan(PLAN)


async def nominate(
    head: Chatter, name: str = "Hoa", *, title: str = "Lao động tiên tiến", summary: str = SUMMARY
) -> None:
    await head.send("/nominate")
    await head.click("Một người của")
    await head.send(name)
    await head.click(name)
    await head.click(title)
    await head.send(summary)
    await head.click("Bỏ qua")
    await head.click("Gửi đề nghị")


async def write_report(writer: Chatter, text: str = REPORT) -> None:
    """Press "Viết báo cáo thành tích" (the newest one), type the report, and send it from its preview."""
    await writer.click("Viết báo cáo thành tích")
    await writer.send(text)
    await writer.click("Gửi báo cáo")


async def only(world: World) -> Nomination:
    [row] = await world.rows(Nomination)
    return row


async def test_head_nominates_a_person_and_the_nominee_is_asked_for_the_report(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    assert "Đã gửi đề nghị khen thưởng" in minh.last_text()
    assert await minh.state() is None
    row = await only(world)
    assert (row.state, row.subject, row.person_id is not None, row.report_state) == (
        "submitted",
        "individual",
        True,
        "missing",
    )
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "nomination.submitted")
    assert entry.after["state"] == "submitted"
    await world.drain_outbox()
    assert "Lao động tiên tiến" in hoa.last_text() and "báo cáo thành tích" in hoa.last_text()
    assert hoa.buttons() == ["Viết báo cáo thành tích"]


@pytest.mark.restarts("NominateSG", "NomReportSG")
async def test_nominee_writes_the_report_and_the_head_accepts_it(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await world.drain_outbox()
    await write_report(hoa)
    assert "Đã nộp báo cáo thành tích" in hoa.last_text()
    assert (await only(world)).report_state == "submitted"
    await world.drain_outbox()
    assert "đã nộp báo cáo thành tích" in minh.last_text()
    await minh.click("Duyệt báo cáo")
    assert (await only(world)).report_state == "accepted"
    await world.drain_outbox()
    assert "đã được duyệt" in hoa.last_text()
    actions = {e.action for e in await world.rows(AuditEntry) if e.action.startswith("nomination.")}
    assert {"nomination.submitted", "nomination.report_submitted", "nomination.report_accepted"} <= actions


async def test_head_edits_the_summary_before_the_deadline_and_older_buttons_go_stale(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    first = await only(world)
    await minh.click("Sửa")
    assert "Nội dung hiện tại" in minh.last_text()
    await minh.send(SUMMARY + " Đạt giải Nhì hội giảng cấp tỉnh.")
    await minh.click("Bỏ qua")
    await minh.click("Gửi đề nghị")
    row = await only(world)
    assert row.version == first.version + 1 and "hội giảng" in row.summary
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "nomination.edited")
    assert entry.before["summary_length"] < entry.after["summary_length"]
    await minh.press(f"nmi:{row.id}:{first.version}:wd")
    assert "Nút này đã cũ" in minh.alerts()[-1]
    assert (await only(world)).state == "submitted"


async def test_report_as_a_file_and_a_report_too_long_or_of_the_wrong_type(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await world.drain_outbox()
    await hoa.click("Viết báo cáo thành tích")
    await hoa.send("x" * 4001)
    assert "tối đa 4000" in hoa.last_text()
    await hoa.send_document("baocao.zip", "application/zip", size=1000)
    assert "PDF, DOC, DOCX hoặc XLSX" in hoa.last_text()
    await hoa.send_document("baocao.pdf", "application/pdf", size=30 * 1024 * 1024)
    assert "tối đa 20 MB" in hoa.last_text()
    assert (await only(world)).report_state == "missing"
    assert await hoa.state() == "NomReportSG:text"
    await hoa.send_document("baocao.pdf", "application/pdf", size=200_000)
    assert "“baocao.pdf”" in hoa.last_text() and (await only(world)).report_state == "missing"  # previewed
    await hoa.click("Gửi báo cáo")
    row = await only(world)
    assert (row.report_state, row.report_file_id is not None, row.report_text) == ("submitted", True, None)
    await world.drain_outbox()
    await minh.click("Xem báo cáo")  # the reviewer reads it: the file, with what it is
    [sent] = world.api.calls_of("sendDocument")
    assert sent.params["document"] == row.report_file_id and "Nguyễn Thị Hoa" in sent.params["caption"]


async def test_for_a_nominee_who_has_not_joined_the_head_writes_the_report(world):
    await open_round(world)
    await world.person("Ngô Thị Mai", unit="TCHC", linked=False)
    hoa = await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    hang = await world.deputy("Vũ Thị Hằng")
    await nominate(minh, "Mai")
    await world.drain_outbox()
    assert "cần báo cáo thành tích" in minh.last_text() and "cần báo cáo thành tích" in hang.last_text()
    await hoa.press(f"nmi:{(await only(world)).id}:0:rep")  # a colleague cannot write it
    assert "không phải người viết báo cáo" in hoa.alerts()[-1]
    await write_report(minh, "Báo cáo thành tích do trưởng đơn vị lập: " + "hoàn thành tốt nhiệm vụ. " * 3)
    assert (await only(world)).report_state == "submitted"
    await world.drain_outbox()  # the deputy's copy of the request says it is written, by whom and when
    [request] = [m for m in hang.messages() if "báo cáo thành tích của ngô thị mai" in (m.text or "").lower()]
    assert "đã được nộp" in request.text and "Xử lý: Trần Văn Minh, 09:00" in request.text
    assert request.markup is None
