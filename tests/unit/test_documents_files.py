"""The budget's and the ledger's workbooks from rows (issue 21): headers, integer đồng as #,##0, a text
starting with = kept as text, an empty round a file with its headers and a zero total."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from bot.exports.papers import budgets_xlsx, ledger_xlsx
from bot.services.documents import Budget, BudgetLine, Ledger, LedgerLine


def book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_several_rounds_make_one_list_with_the_round_in_front():
    a = Budget(
        1,
        "Đợt sơ kết",
        "Interim",
        False,
        (),
        (BudgetLine("=SUM(A1)", "Khoa Dược", "LĐTT", 710_000, True, True),),
    )
    b = Budget(
        2,
        "Đợt tổng kết",
        "Final",
        True,
        ("12/QĐ-CĐ",),
        (BudgetLine("Lê Văn An", "", "CSTĐ", 1_880_000, True, False),),
    )
    ws = book(budgets_xlsx([a, b]))["Danh sách"]
    assert [c.value for c in ws[1]] == [
        "Đợt",
        "Căn cứ",
        "Họ và tên / Tập thể",
        "Đơn vị",
        "Danh hiệu, hình thức",
        "Số tiền (đồng)",
    ]
    assert ws["C2"].value == "=SUM(A1)" and ws["C2"].data_type == "s"  # never a formula
    assert ws["B3"].value == "Quyết định số 12/QĐ-CĐ" and ws["F3"].number_format == "#,##0"
    assert ws["A4"].value == "Tổng cộng" and ws["F4"].value == 2_590_000


def test_an_empty_round_is_a_file_with_headers_and_a_zero_total():
    wb = book(budgets_xlsx([Budget(3, "Đợt trống", "Empty", False, (), ())]))
    ws = wb["Danh sách"]
    assert ws["B1"].value == "Họ và tên / Tập thể" and ws["B2"].value == "Tổng cộng" and ws["E2"].value == 0
    assert wb.sheetnames == ["Danh sách", "Theo danh hiệu", "Theo đơn vị"]


def test_the_ledger_shows_spending_as_negative_and_the_balance_last():
    lines = (
        LedgerLine(date(2027, 1, 5), "income", "Trích quỹ", 5_000_000),
        LedgerLine(date(2027, 6, 19), "spending", "12/QĐ-CĐ", 2_590_000),
    )
    ledger = Ledger(2027, 1_000_000, lines)
    name, data = ledger_xlsx(ledger)
    ws = book(data).active
    assert name == "so-quy-thi-dua-2027.xlsx"
    assert [ws.cell(r, 4).value for r in range(2, 6)] == [1_000_000, 5_000_000, -2_590_000, 3_410_000]
    assert ws["A3"].value.date() == date(2027, 1, 5) and ws["A3"].number_format == "DD/MM/YYYY"
