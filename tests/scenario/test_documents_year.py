"""A round's papers and money across the roles (issue 21): after the tally, finance sees what the council's
list would cost; the secretary makes the proposal and the minutes, records the decision; finance then sees
the decided amounts and the fund's ledger, with the income the secretary recorded; the secretary prints the
certificates and the school year's report; the principal reads the charts; a staff member gets nothing."""

from __future__ import annotations

import io
from pathlib import Path

from bot.devtools.harness import World
from bot.roles import Role
from tests.handlers.decisions_steps import tallied_world
from tests.handlers.test_decisions_flow import decide
from tests.handlers.test_documents_papers import docx_text

ROUND = "Bình xét thi đua, khen thưởng năm học 2026-2027"


async def file_of(world: World, who) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    await world.drain_outbox()
    sent = who.last()
    assert sent.kind in ("document", "photo"), sent.text
    return sent.file_name or "", world.api.uploads[sent.file_id]


async def test_a_rounds_papers_and_money_from_the_tally_to_the_yearly_report(world: World, tmp_path: Path):
    from pypdf import PdfReader

    c = await tallied_world(world, tmp_path)
    finance = await world.person("Đỗ Thị Tài", Role.STAFF, Role.FINANCE, unit="KCNTT")
    s = c.secretary

    await finance.send("/budget")
    await finance.click(ROUND)
    assert "chưa có quyết định" in finance.texts()[-2] and "2.590.000 đ" in finance.texts()[-2]
    assert "tạm tính" in finance.texts()[-2]

    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Tờ trình")
    name, data = await file_of(world, s)
    assert (
        name.endswith(".docx")
        and "Nguyễn Thị Hoa" in docx_text(data)
        and "Trần Văn Bình" not in docx_text(data)
    )
    await s.click("Biên bản họp Hội đồng")
    assert "Trần Văn Bình" in docx_text((await file_of(world, s))[1])  # every dossier's counts
    await s.click("Quyết định khen thưởng")
    assert "chưa có quyết định" in s.alerts()[-1]

    await decide(c)
    await s.click("Xác nhận số tiền")
    await s.click("Ghi nhận")
    await finance.send("/budget")
    await finance.click(ROUND)
    assert "theo Quyết định số 123/QĐ-CĐKTCN" in finance.texts()[-2]

    await s.send("/fund 20.000.000 Trích từ nguồn thu sự nghiệp năm 2027")
    await finance.send("/fund")
    ledger = finance.texts()[-2]
    assert "Chi theo Quyết định số 123/QĐ-CĐKTCN — 2.590.000 đ" in ledger and "số dư: 17.410.000 đ" in ledger

    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Giấy khen")
    pdf = PdfReader(io.BytesIO((await file_of(world, s))[1]))
    assert len(pdf.pages) == 2 and "Quyết định số 123/QĐ-CĐKTCN" in pdf.pages[0].extract_text()
    await s.click("Báo cáo tổng kết năm học")
    await world.drain_outbox()
    files = [m.file_name for m in s.messages() if m.kind == "document"]
    assert "bao-cao-nam-2026-2027.docx" in files and "bao-cao-nam-2026-2027.xlsx" in files

    await c.principal.send("/stats")
    await world.drain_outbox()
    assert sum(m.kind == "photo" for m in c.principal.messages()) == 3

    await c.hoa.send("/papers")
    assert "không thuộc quyền hạn" in c.hoa.last_text()
