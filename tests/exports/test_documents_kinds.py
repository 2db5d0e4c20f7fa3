"""The documents' export kinds in the registry (issue 21): the budget and the fund for finance and the
secretary, the yearly report (workbook and Word) for the secretary; a unit head is refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import bot.exports.kinds  # noqa: F401  (registers every kind)
from bot.errors import NotAllowed
from bot.roles import Role
from tests.exports.helpers import made
from tests.handlers.test_documents_papers import docx_text, recorded


async def test_finance_exports_the_budget_and_the_fund(world, tmp_path: Path):
    from openpyxl import load_workbook

    c = await recorded(world, tmp_path)
    finance = await world.person("Đỗ Thị Tài", Role.STAFF, Role.FINANCE, unit="KCNTT")
    wb = load_workbook(io.BytesIO(await made(world, finance, "budget", round_id=c.round_id)))
    ws = wb["Danh sách"]
    assert ws["B2"].value == "Nguyễn Thị Hoa" and ws["E2"].value == 710_000 and ws["E4"].value == 2_590_000
    wb = load_workbook(io.BytesIO(await made(world, finance, "fund")))
    assert wb.active.cell(wb.active.max_row, 4).value == -2_590_000  # this year's decision, no income yet


async def test_the_secretary_exports_the_yearly_report_as_word_and_a_head_is_refused(world, tmp_path: Path):
    c = await recorded(world, tmp_path)
    text = docx_text(await made(world, c.secretary, "year_report_docx"))
    assert "năm học 2026-2027" in text and "Lao động tiên tiến" in text
    assert (await made(world, c.secretary, "year_report"))[:2] == b"PK"
    for name in ("budget", "fund", "year_report"):
        with pytest.raises(NotAllowed):
            await made(world, c.head, name)
