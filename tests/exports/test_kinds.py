"""Every export kind (issue 21), opened with openpyxl: its headers, a text that looks like a formula stays a
string, dates are dates, money is #,##0, the scope by role, and no date of birth, phone or e-mail."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest

import bot.exports.kinds  # noqa: F401  (registers every kind)
from bot.errors import NotAllowed
from bot.exports.registry import kinds
from bot.roles import Role, can
from bot.services.exports import ExportService, UnknownFilter
from tests.exports.helpers import acting, member_of
from tests.exports.helpers import table as cells
from tests.exports.seed import PRIVATE, TEXTS, college_year

SHIPPED = [
    "acknowledgements",
    "registrations",
    "good_deeds",
    "nominations",
    "council_results",
    "decisions",
    "commendations",
    "proposals",
    "difficulties",
    "objections",
]


async def export(world, who, name: str, **narrow: Any):
    from openpyxl import load_workbook

    async with acting(world, who) as ctx:
        service = ExportService(ctx)
        kind, f = await service.narrowed(name, **narrow)
        data, count = await service.make(kind, f)
    return load_workbook(io.BytesIO(data)), count


def everything(wb) -> list[Any]:
    return [v for ws in wb.worksheets for row in cells(ws) for v in row if v is not None]


def column(ws, header: str) -> list[Any]:
    rows = cells(ws)
    i = rows[0].index(header)
    return [r[i] for r in rows[1:]]


def cell_of(ws, header: str, row: int = 2):
    i = [c.value for c in ws[1]].index(header)
    return ws.cell(row=row, column=i + 1)


def test_the_shipped_kinds_are_registered_in_order():
    assert [k.name for k in kinds() if k.name in SHIPPED] == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
async def test_each_kind_opens_with_its_headers_and_no_private_data(world, name):
    year = await college_year(world)
    wb, count = await export(world, year.lan, name)
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2" and ws[1][0].value == "STT" and ws[1][0].font.bold
    assert count >= 1
    assert "Thông tin" in wb.sheetnames
    flat = " ".join(str(v) for v in everything(wb))
    for private in PRIVATE:
        assert private not in flat, (name, private)
    for v in everything(wb):
        assert not (isinstance(v, datetime) and v.year == 1980), name  # no date of birth


async def test_registrations_keep_a_formula_looking_commitment_as_text(world):
    year = await college_year(world)
    wb, count = await export(world, year.lan, "registrations", school_year_id=year.year.id)
    ws = wb.worksheets[0]
    assert count == 2
    commitments = cell_of(ws, "Nội dung đăng ký")
    assert commitments.value == TEXTS["commitments"] and commitments.data_type == "s"
    submitted = cell_of(ws, "Ngày gửi")
    assert submitted.is_date and submitted.number_format == "DD/MM/YYYY HH:MM"
    assert set(column(ws, "Trạng thái")) == {"Đã xác nhận"}
    assert sorted(column(ws, "Họ và tên / Tập thể")) == ["Nguyễn Thị Hoa", "Phạm Văn Bình"]


async def test_commendations_carry_money_as_integer_thousands(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "commendations")
    ws = wb.worksheets[0]
    amount = cell_of(ws, "Tiền thưởng (đồng)")
    assert amount.value == 710_000 and amount.number_format == "#,##0" and amount.data_type == "n"
    day = cell_of(ws, "Ngày quyết định")
    assert day.is_date and day.number_format == "DD/MM/YYYY" and day.value.date().isoformat() == "2026-06-30"
    assert set(column(ws, "Mã đơn vị")) == {"KCNTT", "TCHC"}
    assert sorted(column(ws, "Tạm tính"), key=str) == ["Có", None]


async def test_the_council_results_are_counts_with_the_votes_revealed_warning(world):
    year = await college_year(world)
    wb, count = await export(world, year.lan, "council_results", round_id=year.round.id)
    ws = wb.worksheets[0]
    assert count == 3
    by_name = dict(zip(column(ws, "Họ và tên / Tập thể"), column(ws, "Lưu ý"), strict=True))
    assert "cách bỏ phiếu của từng thành viên" in by_name["Nguyễn Thị Hoa"]
    assert by_name["Phạm Văn Bình"] is None
    share = cell_of(ws, "Tỉ lệ")
    assert share.number_format == "0.00%" and share.value in (1.0, 0.8)
    assert set(column(ws, "Kết quả")) == {"Đạt"}


async def test_good_deeds_name_an_anonymous_reporter_to_the_secretary_only(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "good_deeds")
    reporters = column(wb.worksheets[0], "Người ghi nhận")
    assert "Trần Văn Minh (ẩn danh)" in reporters
    text = cell_of(wb.worksheets[0], "Nội dung việc tốt")
    assert text.value == TEXTS["deed"] and text.data_type == "s"
    happened = cell_of(wb.worksheets[0], "Ngày")
    assert happened.is_date and happened.number_format == "DD/MM/YYYY"
    wb, _ = await export(world, year.minh, "good_deeds")
    assert column(wb.worksheets[0], "Người ghi nhận") == ["Ẩn danh"]


async def test_decisions_list_the_left_out_with_their_reason(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "decisions")
    heads, lines = wb.worksheets[0], wb.worksheets[1]
    assert column(heads, "Số quyết định") == ["12/QĐ-CĐKTCN"] and column(heads, "Số được khen") == [2]
    assert column(heads, "Thẩm quyền ký") == ["Hiệu trưởng"]
    assert "Không đưa vào: =thiếu hồ sơ" in column(lines, "Không đưa vào quyết định")


async def test_objections_name_the_objector_and_keep_the_reason_as_text(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "objections")
    ws = wb.worksheets[0]
    assert column(ws, "Người góp ý") == ["Phạm Văn Bình"]
    reason = cell_of(ws, "Lý do")
    assert reason.value == TEXTS["objection"] and reason.data_type == "s"


async def test_proposals_and_difficulties_and_nominations_keep_user_texts_as_text(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "proposals")
    upper = cell_of(wb.worksheets[0], "Số quyết định cấp trên")
    assert upper.value == "=99/QĐ" and upper.data_type == "s"
    assert column(wb.worksheets[0], "Trạng thái") == ["Đã gửi cấp trên"]
    wb, _ = await export(world, year.lan, "difficulties")
    text = cell_of(wb.worksheets[0], "Nội dung khó khăn, vướng mắc")
    assert text.value == TEXTS["difficulty"] and text.data_type == "s"
    wb, _ = await export(world, year.lan, "nominations", round_id=year.round.id)
    summary = cell_of(wb.worksheets[0], "Tóm tắt thành tích")
    assert summary.value == TEXTS["summary"] and summary.data_type == "s"
    assert len(column(wb.worksheets[0], "STT")) == 3


async def test_acknowledgements_count_per_unit_and_list_people(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "acknowledgements")
    units = wb.worksheets[0]
    kcntt = column(units, "Mã đơn vị").index("KCNTT")
    assert column(units, "Đã quán triệt")[kcntt] == 1
    assert column(units, "Số CBVC-NLĐ")[kcntt] == 2  # the head and Hoa
    people = wb["Danh sách cá nhân"]
    acked = dict(zip(column(people, "Họ và tên / Tập thể"), column(people, "Ngày quán triệt"), strict=True))
    assert isinstance(acked["Nguyễn Thị Hoa"], datetime) and acked["Trần Văn Minh"] is None


# -- scope ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["registrations", "good_deeds", "nominations", "decisions", "commendations", "proposals",
             "difficulties", "acknowledgements"]
)  # fmt: skip
async def test_a_head_never_gets_another_units_rows(world, name):
    year = await college_year(world)
    wb, _ = await export(world, year.minh, name)
    for ws in wb.worksheets:
        rows = cells(ws)
        if "Mã đơn vị" in rows[0]:
            assert set(column(ws, "Mã đơn vị")) <= {"KCNTT", None}, (name, ws.title)
    flat = " ".join(str(v) for v in everything(wb))
    assert "Phạm Văn Bình" not in flat, name  # of TCHC


@pytest.mark.parametrize("name", ["council_results", "objections"])
async def test_the_secretarys_own_kinds_are_refused_to_a_head(world, name):
    year = await college_year(world)
    with pytest.raises(NotAllowed):
        await export(world, year.minh, name)
    assert not can(await member_of(world, year.minh), f"export.{name}")


async def test_a_head_naming_another_unit_is_refused(world):
    year = await college_year(world)
    with pytest.raises(NotAllowed):
        await export(world, year.minh, "registrations", unit_id=year.tchc.id)


async def test_staff_and_finance_may_not_export_the_lists(world):
    year = await college_year(world)
    finance = await world.finance("Đỗ Thị Tài")
    for who in (year.hoa, finance):
        member = await member_of(world, who)
        assert not any(can(member, f"export.{n}") for n in SHIPPED), who
    assert Role.FINANCE not in {r for k in kinds() if k.name in SHIPPED for r in k.roles}


async def test_the_secretary_may_narrow_to_a_unit(world):
    year = await college_year(world)
    wb, count = await export(world, year.lan, "registrations", unit_id=year.tchc.id)
    assert count == 1 and column(wb.worksheets[0], "Mã đơn vị") == ["TCHC"]


async def test_an_unknown_round_is_named(world):
    year = await college_year(world)
    async with acting(world, year.lan) as ctx:
        with pytest.raises(UnknownFilter) as e:
            await ExportService(ctx).resolve("nominations", round="khong-co")
    assert e.value.text("vi") == "Không tìm thấy đợt khen thưởng “khong-co”."


async def test_an_empty_filter_gives_headers_and_a_note(world):
    year = await college_year(world)
    async with acting(world, year.lan) as ctx:
        kind, f = await ExportService(ctx).narrowed("objections", round_id=year.round.id)
    from dataclasses import replace

    f = replace(f, round_id=-1)
    async with acting(world, year.lan) as ctx:
        data, count = await ExportService(ctx).make(kind, f)
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert count == 0
    assert cells(ws)[1][0] == "Không có dòng nào theo bộ lọc đã chọn."


async def test_an_english_speakers_file_has_english_headers_and_labels(world):
    from openpyxl import load_workbook

    year = await college_year(world)
    async with acting(world, year.lan) as ctx:
        service = ExportService(ctx)
        kind, f = await service.narrowed("registrations")
        data, _ = await service.make(kind, f, "en")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws.title == "Registrations" and wb.sheetnames[-1] == "About"
    assert column(ws, "Individual / collective") == ["Individual", "Individual"]
    assert column(ws, "Commitments") == [TEXTS["commitments"]] * 2


async def test_the_information_sheet_names_only_the_kinds_own_filters(world):
    year = await college_year(world)
    wb, _ = await export(world, year.lan, "council_results", round_id=year.round.id)
    info = {r[0]: r[1] for r in cells(wb["Thông tin"])}
    assert info["Đợt"] == year.round.code and info["Năm học"] == "Tất cả"
    assert "Đơn vị" not in info
    wb, _ = await export(world, year.minh, "acknowledgements")
    info = {r[0]: r[1] for r in cells(wb["Thông tin"])}
    assert "Đợt" not in info and info["Đơn vị"] == "Đơn vị của người xuất"
