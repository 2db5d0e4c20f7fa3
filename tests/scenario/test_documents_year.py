"""A school year's papers and money across the roles (issue 21, decision 42), every file made by the export
worker after the commit while the person reads "Đang chuẩn bị tệp…".

The council has tallied the round and the fund receives the college's income; finance sees what the
council's list would cost; the secretary makes the proposal (tờ trình) and the minutes, and is refused the
decision before it is recorded. The decision is recorded; finance then sees the decided amounts and the
fund's ledger with the spending. The secretary aligns the blank with its grid, prints the certificates and
the report to the province; the principal reads the charts. A staff member gets none of it."""

from __future__ import annotations

import io
from pathlib import Path

from bot.devtools.harness import Chatter, World
from bot.exports import worker
from bot.roles import Role
from storage.models import AuditEntry
from storage.models.exports import ExportJob
from tests.handlers.decisions_steps import tallied_world
from tests.handlers.test_decisions_flow import decide
from tests.handlers.test_documents_papers import docx_text

ROUND = "Bình xét thi đua, khen thưởng năm học 2026-2027"
PREPARING = "Đang chuẩn bị tệp…"


def files(who: Chatter) -> list:
    return [m for m in who.messages() if m.kind in ("document", "photo")]


async def comes(world: World, who: Chatter, n: int = 1) -> list[tuple[str, bytes]]:
    """What the person reads first ("Đang chuẩn bị tệp…", no file yet), then the n files the worker sends."""
    before = len(files(who))
    assert PREPARING in who.last_text()
    await world.drain_outbox()
    assert len(files(who)) == before  # the preparing line is not the file
    await worker.settle()
    await world.drain_outbox()
    got = files(who)[before:]
    assert len(got) == n, [m.text for m in who.messages()[-3:]]
    return [(m.file_name or "", world.api.uploads[m.file_id]) for m in got]


async def test_the_documents_of_a_school_year_from_the_fund_to_the_report(world: World, tmp_path: Path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    c = await tallied_world(world, tmp_path)  # the round's council has voted; the tally is closed
    finance = await world.person("Đỗ Thị Tài", Role.STAFF, Role.FINANCE, unit="KCNTT")
    s = c.secretary

    # The fund receives this year's income from the college's budget.
    await s.send("/fund 20.000.000 Trích từ nguồn thu sự nghiệp năm 2027")
    assert "Khoản thu: Trích từ nguồn thu sự nghiệp năm 2027 — 20.000.000 đ" in s.texts()[-2]
    [(name, _)] = await comes(world, s)
    assert name.startswith("so-quy-thi-dua-")

    # After the tally: what the council's list would cost, before any decision.
    await finance.send("/budget")
    await finance.click(ROUND)
    assert "chưa có quyết định" in finance.texts()[-2] and "2.590.000 đ" in finance.texts()[-2]
    [(name, data)] = await comes(world, finance)
    assert load_workbook(io.BytesIO(data))["Danh sách"]["B2"].value == "Nguyễn Thị Hoa"

    # The secretary's proposal and minutes; the decision cannot be drawn before it is recorded.
    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Tờ trình")
    [(name, data)] = await comes(world, s)
    assert name.endswith(".docx") and "Nguyễn Thị Hoa" in docx_text(data)
    assert "Trần Văn Bình" not in docx_text(data) and "Lê Thị Thu" in docx_text(data)
    await s.click("Biên bản họp Hội đồng")
    [(_, data)] = await comes(world, s)
    assert "Trần Văn Bình" in docx_text(data) and "Không đạt" in docx_text(data)  # every dossier's counts
    await s.click("Quyết định khen thưởng")
    assert "chưa có quyết định" in s.alerts()[-1]
    await s.click("Giấy khen")
    assert "chưa có quyết định" in s.alerts()[-1]

    # The decision is recorded: the money follows it.
    await decide(c)
    await s.click("Xác nhận số tiền")
    await s.click("Ghi nhận")
    await finance.send("/budget")
    await finance.click(ROUND)
    assert "theo Quyết định số 123/QĐ-CĐKTCN" in finance.texts()[-2]
    [(_, data)] = await comes(world, finance)
    assert load_workbook(io.BytesIO(data))["Danh sách"]["E4"].value == 2_590_000
    await finance.send("/fund")
    ledger = finance.texts()[-2]
    assert "Chi theo Quyết định số 123/QĐ-CĐKTCN — 2.590.000 đ" in ledger and "số dư: 17.410.000 đ" in ledger
    [(_, data)] = await comes(world, finance)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.cell(ws.max_row, 4).value == 17_410_000

    # The decision itself, then the blank aligned and the certificates printed on it.
    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Quyết định khen thưởng")
    [(_, data)] = await comes(world, s)
    assert "Số: 123/QĐ-CĐKTCN" in docx_text(data) and "710.000" in docx_text(data)
    await s.send("/blank")
    [(name, data)] = await comes(world, s)
    assert (
        name.startswith("luoi-can-chinh-")
        and "Họ và tên (148.5, 95)" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    )
    await s.send("/blank name 150 92 26")
    assert "x = 150 mm, y = 92 mm, cỡ chữ 26" in s.last_text()
    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Giấy khen")
    [(name, data)] = await comes(world, s)
    pdf = PdfReader(io.BytesIO(data))
    assert name.startswith("giay-khen-123-QD-CDKTCN-") and len(pdf.pages) == 2
    assert "Nguyễn Thị Hoa" in pdf.pages[0].extract_text()
    assert "Quyết định số 123/QĐ-CĐKTCN" in pdf.pages[0].extract_text()

    # The round's report and the year's report to the province (Word and Excel).
    await s.click("Báo cáo kết quả đợt")
    [(_, data)] = await comes(world, s)
    assert "Lao động tiên tiến" in docx_text(data)
    await s.click("Báo cáo tổng kết năm học")
    report = dict(await comes(world, s, n=2))
    [docx] = [d for n, d in report.items() if n.startswith("bao-cao-nam-2026-2027") and n.endswith(".docx")]
    assert "1 cá nhân, 0 tập thể" in docx_text(docx)
    assert any(n.endswith(".xlsx") for n in report)

    # The principal's charts, as photos.
    await c.principal.send("/stats")
    photos = await comes(world, c.principal, n=3)
    assert all(data[:4] == b"\x89PNG" for _, data in photos)

    # Staff get none of it; every file was audited as the export it is.
    await c.hoa.send("/papers")
    assert "không thuộc quyền hạn" in c.hoa.last_text()
    await c.hoa.send("/stats")
    assert files(c.hoa) == []
    jobs = await world.rows(ExportJob)
    assert {j.state for j in jobs} == {"sent"} and len(jobs) == 15
    audited = await world.rows(AuditEntry, AuditEntry.action == "export.requested")
    assert len(audited) == len(jobs)
    assert {e.after["kind"] for e in audited} == {
        "fund", "budget", "to_trinh", "bien_ban", "quyet_dinh", "blank_grid", "giay_khen", "bao_cao",
        "year_report", "year_report_docx", "chart_units", "chart_titles", "chart_deeds",
    }  # fmt: skip
