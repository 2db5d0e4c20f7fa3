"""The documents from a tallied round (issue 21), through the services and the file makers, without chat:
the budget before and after the decision, the papers opened with python-docx, the certificates with pypdf,
the fund's ledger, the yearly report, the charts' figures; a person without the right is refused."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from bot.context import Ctx
from bot.devtools.harness import Chatter, World
from bot.exports import papers as files
from bot.services import documents as docs
from bot.services.documents.layouts import layout, move
from storage.models import Person
from storage.repositories.people import to_member
from storage.uow import UnitOfWork
from tests.handlers.decisions_steps import tallied_world
from tests.handlers.test_decisions_flow import decide


async def run(world: World, who: Chatter, fn):  # type: ignore[no-untyped-def]
    async with UnitOfWork(world.sessionmaker) as uow:
        person = await uow.session.get(Person, who.person_id)
        ctx = Ctx(
            uow, world.clock, world.dp["identity"], world.settings, to_member(person, world.clock.today())
        )
        return await fn(ctx)


def docx_text(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    return "\n".join(
        [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
    )


async def recorded(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path)
    await decide(c)
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    return c


async def test_the_budget_before_the_decision_is_what_the_councils_list_would_cost(
    world: World, tmp_path: Path
):
    c = await tallied_world(world, tmp_path)
    b = await run(world, c.secretary, lambda ctx: docs.budget(ctx, c.round_id))
    assert not b.decided
    assert [(x.name, x.amount) for x in b.lines] == [("Nguyễn Thị Hoa", 710_000), ("Phòng KCNTT", 1_880_000)]
    assert b.total == 2_590_000 and b.provisional
    assert b.by("title") == [("Lao động tiên tiến", 1, 710_000), ("Tập thể lao động tiên tiến", 1, 1_880_000)]


async def test_the_budget_after_the_decision_is_what_was_recorded_and_opens_as_a_workbook(
    world: World, tmp_path: Path
):
    c = await recorded(world, tmp_path)
    b = await run(world, c.secretary, lambda ctx: docs.budget(ctx, c.round_id))
    assert b.decided and b.numbers == ("123/QĐ-CĐKTCN",) and b.total == 2_590_000
    from openpyxl import load_workbook

    name, data = files.budget_xlsx(b)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Danh sách"]
    assert [c.value for c in ws[1]][:5] == [
        "STT",
        "Họ và tên / Tập thể",
        "Đơn vị",
        "Danh hiệu, hình thức",
        "Số tiền (đồng)",
    ]
    assert (
        ws["B2"].value == "Nguyễn Thị Hoa" and ws["E2"].value == 710_000 and ws["E2"].number_format == "#,##0"
    )
    assert ws["B4"].value == "Tổng cộng" and ws["E4"].value == 2_590_000
    assert ws.freeze_panes == "A2" and name.endswith(".xlsx")


async def test_the_round_papers_carry_the_decision_the_figures_and_the_signer(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    world.settings.college_name = "Trường Cao đẳng Kỹ thuật Công nghệ"
    p = await run(world, c.secretary, lambda ctx: docs.round_papers(ctx, c.round_id))
    today = date(2027, 6, 20)
    qd = docx_text(files.round_docx("quyet_dinh", p, world.settings, today, "Lê Thị Thu")[1])
    assert "Số: 123/QĐ-CĐKTCN" in qd and "ngày 19 tháng 6 năm 2027" in qd
    assert "TRƯỜNG CAO ĐẲNG KỸ THUẬT CÔNG NGHỆ" in qd and "HIỆU TRƯỞNG\n\n\n\n\nTrần Văn Hiệu" in qd
    assert "Nguyễn Thị Hoa" in qd and "710.000" in qd and "Trần Văn Bình" not in qd
    bb = docx_text(files.round_docx("bien_ban", p, world.settings, today, "Lê Thị Thu")[1])
    assert "Hội đồng có 3 thành viên; 3 thành viên tham gia bỏ phiếu." in bb
    assert "Trần Văn Bình" in bb and "Không đạt" in bb and "THƯ KÝ HỘI ĐỒNG" in bb
    assert "Số phiếu cho thấy cách bỏ phiếu của từng thành viên" in bb  # 3 of 3 agreed: the vote's warning
    assert all(x.figures.reveals for x in p.lines)  # unanimous each way
    tt = docx_text(files.round_docx("to_trinh", p, world.settings, today, "Lê Thị Thu")[1])
    assert "TỜ TRÌNH" in tt and "/TTr-" in tt and "2.590.000" in tt
    bc = docx_text(files.round_docx("bao_cao", p, world.settings, today, "Lê Thị Thu")[1])
    assert "Lao động tiên tiến" in bc


async def test_certificates_are_one_page_per_commended_where_the_blank_says(world: World, tmp_path: Path):
    from pypdf import PdfReader

    c = await recorded(world, tmp_path)
    moved = await run(world, c.secretary, lambda ctx: move(ctx, "name", 150, 90, 26))
    assert moved.fields["name"].y == 90
    assert (await run(world, c.secretary, layout)).fields["name"].size == 26  # remembered
    d = await run(world, c.secretary, lambda ctx: docs.round_papers(ctx, c.round_id))
    pages = await run(world, c.secretary, lambda ctx: docs.certificate_pages(ctx, d.decision.id))
    _, pdf = files.certificates(pages, moved, world.settings)
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) == 2 and "Nguyễn Thị Hoa" in texts[0] and "Phòng KCNTT" in texts[1]
    with pytest.raises(docs.DocumentsError) as e:
        await run(world, c.secretary, lambda ctx: move(ctx, "name", 500, 90))
    assert e.value.key == "documents-blank-off-page"


async def test_the_fund_ledger_adds_income_spends_each_decision_and_carries_the_balance(
    world: World, tmp_path: Path
):
    c = await recorded(world, tmp_path)
    await run(
        world,
        c.secretary,
        lambda ctx: docs.add_income(ctx, date(2026, 12, 1), 9_000_000, "Trích từ nguồn thu sự nghiệp"),
    )
    await run(
        world,
        c.secretary,
        lambda ctx: docs.add_income(
            ctx, date(2027, 1, 5), docs.parse_amount("5.000.000"), "Trích quỹ năm 2027"
        ),
    )
    ledger = await run(world, c.secretary, lambda ctx: docs.ledger(ctx, 2027))
    assert ledger.opening == 9_000_000 and ledger.income == 5_000_000 and ledger.spending == 2_590_000
    assert ledger.balance == 11_410_000
    assert [x.kind for x in ledger.lines] == ["income", "spending"]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(files.ledger_xlsx(ledger)[1])).active
    assert ws["D2"].value == 9_000_000 and ws.cell(ws.max_row, 4).value == 11_410_000
    with pytest.raises(docs.DocumentsError):
        docs.parse_amount("năm triệu")


async def test_the_yearly_report_counts_titles_and_opens_as_docx_and_xlsx(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    r = await run(world, c.secretary, lambda ctx: docs.year_report(ctx, "2026-2027"))
    assert ("Lao động tiên tiến", 1, 0) in r.titles and r.money == 2_590_000
    text = docx_text(files.year_docx(r, world.settings, date(2027, 6, 30), "Lê Thị Thu")[1])
    assert "năm học 2026-2027" in text and "1 cá nhân, 0 tập thể" in text
    assert files.year_xlsx(r)[1][:2] == b"PK"
    with pytest.raises(docs.DocumentsError) as e:
        await run(world, c.secretary, lambda ctx: docs.year_report(ctx, "1999-2000"))
    assert e.value.key == "documents-year-unknown"


async def test_staff_and_a_unit_head_are_refused_the_papers_and_the_budget(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    for who in (c.hoa, c.head):
        for fn in (
            lambda ctx: docs.budget(ctx, c.round_id),
            lambda ctx: docs.round_papers(ctx, c.round_id),
            lambda ctx: docs.ledger(ctx, 2027),
            lambda ctx: docs.add_income(ctx, date(2027, 1, 1), 1000, "Nguồn thử nghiệm"),
            lambda ctx: move(ctx, "name", 10, 10),
            docs.stats,
        ):
            with pytest.raises(docs.DocumentsError) as e:
                await run(world, who, fn)
            assert e.value.key == "documents-not-allowed"


async def test_the_charts_figures_count_units_and_titles(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    s = await run(world, c.principal, docs.stats)
    assert "Lao động tiên tiến" in s.titles["2026-2027"]
    assert len(s.units) == len(s.staff) == len(s.registered)


async def test_two_secretaries_saving_the_blank_s_first_position_at_once_keep_one_row(
    world: World, tmp_path: Path
):
    import asyncio

    from sqlalchemy import select

    from storage.models.documents import CertificateLayout

    c = await tallied_world(world, tmp_path)
    other = await world.secretary("Phan Thị Mai")
    await asyncio.gather(
        run(world, c.secretary, lambda ctx: move(ctx, "name", 100, 90)),
        run(world, other, lambda ctx: move(ctx, "unit", 120, 110)),
    )
    async with world.session() as s:
        rows = list(await s.scalars(select(CertificateLayout)))
    assert len(rows) == 1 and rows[0].data["fields"]["name"]["x"] in (100, 148.5)
