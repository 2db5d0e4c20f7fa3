"""/export in chat (issue 21): the list, the round or year, the unit, then the file through the outbox."""

from __future__ import annotations

from bot.exports import worker
from handlers.exports import ExportCb
from storage.models import AuditEntry
from storage.models.exports import ExportJob
from tests.exports.helpers import documents, workbook_of
from tests.exports.helpers import table as cells
from tests.exports.seed import college_year


async def test_the_secretary_picks_a_list_a_round_and_a_unit_and_gets_the_file(world):
    year = await college_year(world)
    lan = year.lan
    await lan.send("/export")
    assert "chọn danh sách cần xuất" in lan.last_text()
    assert "Đăng ký thi đua" in lan.buttons() and "Ý kiến về danh sách công khai" in lan.buttons()
    await lan.click("Đề nghị khen thưởng")
    assert "chọn đợt khen thưởng" in lan.last_text()
    await lan.click("Tất cả các đợt")
    assert "chọn đơn vị" in lan.last_text()
    await lan.click("Tất cả đơn vị")
    assert "Đang chuẩn bị tệp…" in lan.last_text()
    assert lan.buttons() == []
    assert documents(lan) == []  # not before the worker built it
    await worker.settle()
    await world.drain_outbox()
    [sent] = documents(lan)
    assert sent.file_name.startswith("de-nghi-khen-thuong-") and sent.file_name.endswith(".xlsx")
    assert "Đề nghị khen thưởng: 3 dòng" in sent.text
    ws = workbook_of(lan).worksheets[0]
    assert ws["B1"].value == "Đợt" and len(cells(ws)) == 4
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "export.requested")
    assert entry.actor_id == lan.person_id and entry.after["kind"] == "nominations"


async def test_the_secretary_narrows_registrations_to_a_year_and_a_unit(world):
    year = await college_year(world)
    lan = year.lan
    await lan.send("/export")
    await lan.click("Đăng ký thi đua")
    assert "chọn năm học" in lan.last_text()
    await lan.click(year.year.code)
    assert year.tchc.name in lan.buttons() and year.kcntt.name in lan.buttons()
    await lan.click(year.tchc.name, exact=True)
    await worker.settle()
    await world.drain_outbox()
    ws = workbook_of(lan).worksheets[0]
    assert [r[4] for r in cells(ws)[1:]] == ["TCHC"]
    [job] = await world.rows(ExportJob)
    assert job.filters["year_code"] == year.year.code and job.filters["unit_code"] == "TCHC"


async def test_a_head_is_not_asked_for_a_unit_and_gets_the_own_units_rows(world):
    year = await college_year(world)
    minh = year.minh
    await minh.send("/export")
    assert "Ý kiến về danh sách công khai" not in minh.buttons()
    assert "Kết quả bình xét của Hội đồng" not in minh.buttons()
    await minh.click("Đăng ký thi đua")
    await minh.click("Tất cả các năm học")
    assert "Đang chuẩn bị tệp…" in minh.last_text()
    await worker.settle()
    await world.drain_outbox()
    ws = workbook_of(minh).worksheets[0]
    assert {r[4] for r in cells(ws)[1:]} == {"KCNTT"}


async def test_a_forged_press_for_another_unit_is_refused_and_nothing_is_queued(world):
    year = await college_year(world)
    minh = year.minh
    await minh.send("/export")
    await minh.press(ExportCb(s="y", k="registrations", u=year.tchc.id).pack())
    assert minh.alerts()[-1] == "Anh/Chị không có quyền thực hiện thao tác này."
    assert await world.rows(ExportJob) == []
    assert await world.rows(AuditEntry, AuditEntry.action == "export.requested") == []


async def test_a_forged_press_for_the_secretarys_list_is_refused(world):
    year = await college_year(world)
    await year.minh.send("/export")
    await year.minh.press(ExportCb(s="r", k="objections").pack())
    assert "không có quyền" in year.minh.alerts()[-1]
    assert await world.rows(ExportJob) == []


async def test_staff_may_not_export(world):
    year = await college_year(world)
    await year.hoa.send("/export")
    assert "chọn danh sách" not in year.hoa.last_text()
    await year.hoa.press(ExportCb(s="k", k="registrations").pack())
    assert "không có quyền" in year.hoa.alerts()[-1]
    assert await world.rows(ExportJob) == []


async def test_an_unknown_kind_in_a_press_is_a_stale_button_and_shows_no_code(world):
    year = await college_year(world)
    await year.lan.send("/export")
    for forged in ("nope", ""):  # no button names them; the kinds' codes are never listed in chat
        await year.lan.press(ExportCb(s="k", k=forged).pack())
        assert year.lan.alerts()[-1] == "Nút này không còn hiệu lực."
    assert await world.rows(ExportJob) == []


async def test_finance_is_offered_the_money_only_and_staff_no_export(world):
    finance = await world.finance("Đỗ Thị Tài")
    await finance.send("/export")
    assert sorted(finance.buttons()) == ["Dự toán, tiền thưởng của đợt", "Sổ quỹ thi đua, khen thưởng"]
    staff = await world.staff("Lê Văn Bình")
    await staff.send("/export")
    assert staff.last_text().startswith("Lệnh /export không thuộc quyền hạn của anh/chị.")
    assert staff.buttons() == []


async def test_a_double_tap_makes_one_file(world, monkeypatch):
    monkeypatch.setattr(worker, "wake_after_commit", lambda ctx: None)  # the worker waits for the due work
    year = await college_year(world)
    lan = year.lan
    await lan.send("/export")
    await lan.click("Khó khăn, vướng mắc")
    await lan.click("Tất cả các năm học")
    press = ExportCb(s="u", k="difficulties").pack()
    await lan.press(press)
    await lan.press(press)  # the second tap, before the worker ran
    assert lan.alerts()[-1] == "Tệp này đang được chuẩn bị, sẽ gửi vào cuộc trò chuyện khi lập xong."
    assert len(await world.rows(ExportJob)) == 1
    await world.tick()
    assert len(documents(lan)) == 1
    await lan.press(press)  # once sent, the same file may be asked again
    assert len(await world.rows(ExportJob)) == 2
