"""/criteria in chat (issue 19): the secretary imports a school year's grades from an .xlsx sent as a file;
a bad row is named by its number and nothing is imported; a file of another type, an unreadable one, a
text instead of a file, and another person's forged press change nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook

from bot.devtools.harness import World
from bot.roles import Role
from handlers.voting.criteria import CriteriaCb
from storage.models.criteria import StaffGrade
from tests.voting.college import EXAMPLE, REVIEWING

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(*table: list[object]) -> bytes:
    wb = Workbook()
    for line in table:
        wb.active.append(line)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.restarts("CriteriaSG")
async def test_the_secretary_imports_grades_from_chat_and_a_bad_file_changes_nothing(world: World):
    world.clock.set(REVIEWING)
    await world.load_plan(EXAMPLE)
    thu = await world.secretary("Lê Thị Thu")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await world.person("Trần Văn Bình", Role.STAFF, unit="KCNTT")
    await thu.send("/criteria")
    await thu.click("xếp loại CBVC-NLĐ")
    await thu.click("2026-2027")
    assert "gửi tệp .xlsx xếp loại CBVC-NLĐ năm học 2026-2027" in thu.last_text()

    await thu.send("đây là tệp")  # a text, not a file
    assert "gửi tệp .xlsx (dạng tệp)" in thu.last_text()
    await thu.send_document("xep-loai.pdf", "application/pdf", data=b"%PDF")
    assert "Chỉ nhận tệp .xlsx" in thu.last_text()
    await thu.send_document("hong.xlsx", XLSX, data=b"not a workbook")
    assert "Không đọc được tệp" in thu.last_text()
    bad = xlsx(
        ["Họ và tên", "Mã đơn vị", "Xếp loại"],
        ["Nguyễn Thị Hoa", "KCNTT", "Hoàn thành xuất sắc nhiệm vụ"],
        ["Người Không Có", "KCNTT", "HTT"],
        ["Trần Văn Bình", "KCNTT", "giỏi"],
    )
    await thu.send_document("xep-loai.xlsx", XLSX, data=bad)
    text = thu.last_text()
    assert "Có 2 dòng lỗi; chưa nhập gì" in text and "dòng 3: không có “Người Không Có”" in text
    assert "dòng 4: xếp loại “giỏi” không hợp lệ" in text and "dòng 2:" not in text
    assert await world.rows(StaffGrade) == []

    good = xlsx(["Họ và tên", "Mã đơn vị", "Xếp loại"], ["Nguyễn Thị Hoa", "KCNTT", "HTXS"])
    await thu.send_document("xep-loai.xlsx", XLSX, data=good)
    assert "thêm mới 1" in thu.last_text() and "năm học 2026-2027" in thu.last_text()
    [grade] = await world.rows(StaffGrade)
    assert (grade.person_id, grade.rating) == (hoa.person_id, "hoan_thanh_xuat_sac")


async def test_staff_cannot_import_criteria_even_by_a_forged_press(world: World):
    world.clock.set(REVIEWING)
    await world.load_plan(EXAMPLE)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await hoa.send("/criteria")
    assert "không thuộc quyền hạn" in hoa.last_text()
    await hoa.press(CriteriaCb(k="grades", y=1).pack())
    assert hoa.alerts()[-1]
    await hoa.send_document("xep-loai.xlsx", XLSX, data=xlsx(["Họ và tên"], ["Nguyễn Thị Hoa"]))
    assert await world.rows(StaffGrade) == []
