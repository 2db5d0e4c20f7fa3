"""/budget, /papers, /fund, /stats, /blank in chat (issue 21, decision 42): the person reads "Đang chuẩn bị
tệp…" at once, the export worker builds the file after the commit and it comes through the outbox, and it
opens; forged presses and people without the right change nothing and are told; bad input is explained."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import update

from bot.devtools.harness import Chatter, World
from bot.exports import worker
from bot.roles import Role
from handlers.documents import DocCb
from handlers.exports import ExportCb
from storage.models import AuditEntry
from storage.models.decisions import Commendation
from storage.models.documents import CertificateLayout, FundEntry
from storage.models.exports import ExportJob
from tests.handlers.test_documents_papers import docx_text, recorded

ROUND = "Bình xét thi đua, khen thưởng năm học 2026-2027"
PREPARING = "Đang chuẩn bị tệp…"


def files(who: Chatter) -> list:
    return [m for m in who.messages() if m.kind in ("document", "photo")]


async def received(world: World, who: Chatter):
    """The file the worker sent last: nothing before it ran, then the document or photo and its bytes."""
    before = len(files(who))
    await worker.settle()
    await world.drain_outbox()
    assert len(files(who)) > before, "the worker sent nothing"
    sent = files(who)[-1]
    return sent, world.api.uploads[sent.file_id]


def preparing_shown(who: Chatter, what: str) -> None:
    assert PREPARING in who.last_text() and what in who.last_text()


async def test_finance_gets_the_budget_as_text_then_the_workbook_from_the_worker(
    world: World, tmp_path: Path
):
    from openpyxl import load_workbook

    await recorded(world, tmp_path)
    finance = await world.person("Đỗ Thị Tài", Role.STAFF, Role.FINANCE, unit="KCNTT")
    await finance.send("/budget")
    await finance.click(ROUND)
    text = "\n".join(finance.texts()[-2:])
    assert "theo Quyết định số 123/QĐ-CĐKTCN" in text and "Tổng cộng: 2.590.000 đ" in text
    preparing_shown(finance, "Dự toán, tiền thưởng của đợt")
    assert files(finance) == []  # not before the worker built it
    sent, data = await received(world, finance)
    assert sent.kind == "document" and sent.file_name.startswith("du-toan-khen-thuong-yearly-2026-2027-")
    assert sent.file_name.endswith(".xlsx") and "dữ liệu cá nhân" in sent.text
    assert load_workbook(io.BytesIO(data))["Danh sách"]["E2"].value == 710_000
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "export.requested")
    assert entry.actor_id == finance.person_id
    assert entry.after["kind"] == "budget" and entry.after["round"] == "yearly-2026-2027"


async def test_the_secretary_makes_the_decision_and_the_certificates(world: World, tmp_path: Path):
    from pypdf import PdfReader

    c = await recorded(world, tmp_path)
    s = c.secretary
    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Quyết định khen thưởng")
    preparing_shown(s, "Quyết định khen thưởng (kèm danh sách)")
    sent, data = await received(world, s)
    assert sent.file_name.startswith("quyet-dinh-khen-thuong-") and sent.file_name.endswith(".docx")
    assert "Số: 123/QĐ-CĐKTCN" in docx_text(data) and "Nguyễn Thị Hoa" in docx_text(data)
    await s.click("Giấy khen")
    preparing_shown(s, "Giấy khen")
    sent, data = await received(world, s)
    assert sent.file_name.startswith("giay-khen-123-QD-CDKTCN-") and sent.file_name.endswith(".pdf")
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 2 and "Nguyễn Thị Hoa" in pages[0] and "Phòng KCNTT" in pages[1]
    audited = await world.rows(AuditEntry, AuditEntry.action == "export.requested")
    assert [(e.after["kind"], e.after.get("decision")) for e in audited] == [
        ("quyet_dinh", None),
        ("giay_khen", "123/QĐ-CĐKTCN"),
    ]


async def test_the_tờ_trình_is_signed_by_the_secretary_who_asked(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Tờ trình")
    _sent, data = await received(world, c.secretary)
    text = docx_text(data)
    assert "TỜ TRÌNH" in text and "Lê Thị Thu" in text and "2.590.000" in text


async def test_a_template_that_does_not_open_is_named_at_once_and_the_bot_goes_on(
    world: World, tmp_path: Path
):
    c = await recorded(world, tmp_path)
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "to_trinh.docx").write_bytes(b"not a docx")
    world.settings.document_templates_dir = str(tmp_path / "tpl")
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Tờ trình")
    assert "Mẫu “to_trinh.docx” bị lỗi" in c.secretary.alerts()[-1]
    assert await world.rows(ExportJob) == []  # refused in the update: no job
    await c.secretary.click("Biên bản họp Hội đồng")  # the shipped one still works
    _sent, data = await received(world, c.secretary)
    assert "Hội đồng có 3 thành viên" in docx_text(data)


async def test_a_template_naming_an_unknown_field_is_told_by_the_worker_which_goes_on(
    world: World, tmp_path: Path
):
    from tests.unit.test_documents_word import _replace

    c = await recorded(world, tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    _replace(folder, "bao_cao", "{{ round_name }}", "{{ round_name }}{{ tong_so }}")
    world.settings.document_templates_dir = str(folder)
    s = c.secretary
    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Báo cáo kết quả đợt")
    preparing_shown(s, "Báo cáo kết quả đợt")  # it parses and holds its placeholders: only rendering tells
    await s.click("Biên bản họp Hội đồng")
    await worker.settle()
    await world.drain_outbox()
    told = [x for x in s.texts() if "tong_so" in x]
    assert told and "bao_cao.docx" in told[0] and "không có" in told[0]
    jobs = {j.kind: j for j in await world.rows(ExportJob)}
    assert jobs["bao_cao"].state == "failed" and "documents-template-unknown-name" in jobs["bao_cao"].error
    assert jobs["bien_ban"].state == "sent"  # the worker went on with the next job
    [sent] = files(s)
    assert sent.file_name.startswith("bien-ban-hop-hoi-dong-")


async def test_a_template_error_too_long_for_an_alert_comes_as_a_message(
    world: World, tmp_path: Path, monkeypatch
):
    import handlers.documents
    from tests.unit.test_documents_word import _replace

    c = await recorded(world, tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    _replace(folder, "to_trinh", "{{ number }}", "")
    world.settings.document_templates_dir = str(folder)
    monkeypatch.setattr(handlers.documents, "ALERT_MAX", 60)  # Telegram's 200, made short for the test
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Tờ trình")
    assert "thiếu trường number" in c.secretary.last_text() and "to_trinh.docx" in c.secretary.last_text()
    assert await world.rows(ExportJob) == []


async def test_forged_presses_by_staff_and_a_head_make_no_file(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    for who in (c.hoa, c.head):
        for data in (
            DocCb(op="b", r=c.round_id),
            DocCb(op="p", r=c.round_id),
            DocCb(op="k", r=c.round_id, k=2),
            DocCb(op="k", r=c.round_id, k=4),
        ):
            await who.press(data.pack())
            assert "không có quyền" in who.alerts()[-1]
        await worker.settle()
        await world.drain_outbox()
        assert files(who) == []
    await c.secretary.press(DocCb(op="k", r=999_999, k=0).pack())  # a round that does not exist
    assert c.secretary.alerts()[-1]
    assert await world.rows(ExportJob) == []
    assert await world.rows(AuditEntry, AuditEntry.action == "export.requested") == []


async def test_export_does_not_offer_the_papers_and_refuses_a_press_naming_one(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    await c.secretary.send("/export")
    assert "Tờ trình đề nghị khen thưởng" not in c.secretary.buttons()
    assert "Dự toán, tiền thưởng của đợt" in c.secretary.buttons()
    await c.secretary.press(ExportCb(s="r", k="to_trinh", r=c.round_id).pack())
    assert c.secretary.alerts()[-1] == "Nút này không còn hiệu lực."  # no code shown
    assert await world.rows(ExportJob) == []


async def test_certificates_with_nobody_left_commended_are_refused_at_once(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    async with world.session() as s:
        await s.execute(update(Commendation).values(state="revoked"))
        await s.commit()
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Giấy khen")
    assert "không còn ai được khen thưởng" in c.secretary.alerts()[-1]
    assert await world.rows(ExportJob) == []


async def test_a_double_tap_on_a_paper_makes_one_file(world: World, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(worker, "wake_after_commit", lambda ctx: None)  # the worker waits for the due work
    c = await recorded(world, tmp_path)
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Biên bản họp Hội đồng")
    await c.secretary.click("Biên bản họp Hội đồng")
    assert "đang được chuẩn bị" in c.secretary.alerts()[-1]
    await world.tick()
    assert len(files(c.secretary)) == 1


async def test_stats_asked_again_while_its_charts_are_made_adds_none_of_them(
    world: World, tmp_path: Path, monkeypatch
):
    from bot.due import due_context

    monkeypatch.setattr(worker, "wake_after_commit", lambda ctx: None)  # the worker waits for the due work
    c = await recorded(world, tmp_path)
    await c.principal.send("/stats")
    first = min(j.id for j in await world.rows(ExportJob))
    await worker.build_one(due_context(world.dp), first)  # the first chart made, the other two not yet
    await c.principal.send("/stats")  # the double tap
    assert "đang được chuẩn bị" in c.principal.last_text()
    assert len(await world.rows(ExportJob)) == 3
    await world.tick()
    assert len(files(c.principal)) == 3


async def test_the_fund_records_an_income_and_refuses_a_bad_amount(world: World, tmp_path: Path):
    from openpyxl import load_workbook

    c = await recorded(world, tmp_path)
    s = c.secretary
    await s.send("/fund năm-triệu Trích quỹ")
    assert "Số tiền “năm-triệu” chưa đúng" in s.last_text()
    await s.send("/fund 5.000.000")
    assert "/fund &lt;số tiền&gt; &lt;nguồn&gt;" in s.last_text()
    assert await world.rows(FundEntry) == []
    assert await world.rows(ExportJob) == []
    await s.send("/fund 5.000.000 Trích từ nguồn thu sự nghiệp")
    assert "Khoản thu: Trích từ nguồn thu sự nghiệp — 5.000.000 đ" in s.texts()[-2]
    preparing_shown(s, "Sổ quỹ thi đua, khen thưởng")
    [row] = await world.rows(FundEntry)
    assert row.amount == 5_000_000
    sent, data = await received(world, s)
    assert sent.file_name.startswith("so-quy-thi-dua-")
    ws = load_workbook(io.BytesIO(data)).active
    assert "Trích từ nguồn thu sự nghiệp" in [c.value for c in ws["C"]]
    await c.hoa.send("/fund 1.000 Thử")
    assert [r.id for r in await world.rows(FundEntry)] == [row.id]


async def test_the_blank_is_aligned_and_its_grid_printed(world: World, tmp_path: Path):
    from pypdf import PdfReader

    c = await recorded(world, tmp_path)
    s = c.secretary
    await s.send("/blank name 140 80 26")
    assert "x = 140 mm, y = 80 mm, cỡ chữ 26" in s.last_text()
    await s.send("/blank name 900 80")
    assert "ngoài phôi" in s.last_text()
    await s.send("/blank ten 1 2")
    assert "Không có trường “ten”" in s.last_text()
    [row] = await world.rows(CertificateLayout)
    assert row.data["fields"]["name"]["x"] == 140
    await s.send("/blank")
    preparing_shown(s, "Trang lưới căn chỉnh")
    sent, data = await received(world, s)
    assert sent.file_name.startswith("luoi-can-chinh-") and data[:4] == b"%PDF"
    assert "Họ và tên (140, 80)" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    await c.head.send("/blank")
    assert await world.rows(ExportJob, ExportJob.person_id == c.head.person_id) == []


async def test_the_principal_gets_three_charts_as_photos(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    await c.principal.send("/stats")
    preparing_shown(c.principal, "Biểu đồ thống kê thi đua")
    assert files(c.principal) == []
    await worker.settle()
    await world.drain_outbox()
    photos = files(c.principal)
    assert [p.kind for p in photos] == ["photo"] * 3
    assert all(world.api.uploads[p.file_id][:4] == b"\x89PNG" for p in photos)
    assert photos[1].text == "Biểu đồ: danh hiệu, hình thức khen thưởng theo năm học."
    await c.hoa.send("/stats")
    assert "không thuộc quyền hạn" in c.hoa.last_text()
