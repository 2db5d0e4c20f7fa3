"""/budget, /papers, /fund, /stats, /blank in chat (issue 21): the files arrive through the outbox and
open; forged presses and people without the right change nothing and are told; bad input is explained."""

from __future__ import annotations

import io
from pathlib import Path

from bot.devtools.harness import Chatter, World
from bot.roles import Role
from handlers.documents import DocCb
from storage.models import AuditEntry
from storage.models.documents import CertificateLayout, FundEntry
from tests.handlers.test_documents_papers import docx_text, recorded

ROUND = "Bình xét thi đua, khen thưởng năm học 2026-2027"


async def received(world: World, who: Chatter):
    await world.drain_outbox()
    sent = who.last()
    assert sent.kind in ("document", "photo")
    return sent, world.api.uploads[sent.file_id]


async def test_finance_gets_the_budget_as_text_and_a_workbook(world: World, tmp_path: Path):
    from openpyxl import load_workbook

    await recorded(world, tmp_path)
    finance = await world.person("Đỗ Thị Tài", Role.STAFF, Role.FINANCE, unit="KCNTT")
    await finance.send("/budget")
    await finance.click(ROUND)
    text = "\n".join(finance.texts()[-2:])
    assert "theo Quyết định số 123/QĐ-CĐKTCN" in text and "Tổng cộng: 2.590.000 đ" in text
    sent, data = await received(world, finance)
    assert sent.file_name.endswith(".xlsx")
    assert load_workbook(io.BytesIO(data))["Danh sách"]["E2"].value == 710_000
    assert any(e.action == "documents.budget" for e in await world.rows(AuditEntry))


async def test_the_secretary_makes_the_decision_and_the_certificates(world: World, tmp_path: Path):
    from pypdf import PdfReader

    c = await recorded(world, tmp_path)
    s = c.secretary
    await s.send("/papers")
    await s.click(ROUND)
    await s.click("Quyết định khen thưởng")
    sent, data = await received(world, s)
    assert sent.file_name.endswith(".docx") and "Số: 123/QĐ-CĐKTCN" in docx_text(data)
    await s.click("Giấy khen")
    sent, data = await received(world, s)
    assert "Nguyễn Thị Hoa" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


async def test_a_broken_template_is_named_and_the_bot_goes_on(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "to_trinh.docx").write_bytes(b"not a docx")
    world.settings.document_templates_dir = str(tmp_path / "tpl")
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Tờ trình")
    assert "Mẫu “to_trinh.docx” bị lỗi" in c.secretary.alerts()[-1]
    await c.secretary.click("Biên bản họp Hội đồng")  # the shipped one still works
    _sent, data = await received(world, c.secretary)
    assert "Hội đồng có 3 thành viên" in docx_text(data)


async def test_forged_presses_by_staff_and_a_head_make_no_file(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    for who in (c.hoa, c.head):
        for data in (
            DocCb(op="b", r=c.round_id),
            DocCb(op="p", r=c.round_id),
            DocCb(op="k", r=c.round_id, k=2),
        ):
            await who.press(data.pack())
            assert "không có quyền" in who.alerts()[-1]
        await world.drain_outbox()
        assert all(m.kind == "text" for m in who.messages())
    await c.secretary.press(DocCb(op="k", r=999_999, k=0).pack())  # a round that does not exist
    assert c.secretary.alerts()[-1]
    assert not any(e.action.startswith("documents.") for e in await world.rows(AuditEntry))


async def test_the_fund_records_an_income_and_refuses_a_bad_amount(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    s = c.secretary
    await s.send("/fund năm-triệu Trích quỹ")
    assert "Số tiền “năm-triệu” chưa đúng" in s.last_text()
    await s.send("/fund 5.000.000")
    assert "/fund &lt;số tiền&gt; &lt;nguồn&gt;" in s.last_text()
    assert await world.rows(FundEntry) == []
    await s.send("/fund 5.000.000 Trích từ nguồn thu sự nghiệp")
    assert "Khoản thu: Trích từ nguồn thu sự nghiệp — 5.000.000 đ" in s.texts()[-2]
    [row] = await world.rows(FundEntry)
    assert row.amount == 5_000_000
    await c.hoa.send("/fund 1.000 Thử")
    assert [r.id for r in await world.rows(FundEntry)] == [row.id]


async def test_the_blank_is_aligned_and_its_grid_printed(world: World, tmp_path: Path):
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
    sent, data = await received(world, s)
    assert sent.file_name == "luoi-can-chinh.pdf" and data[:4] == b"%PDF"


async def test_the_principal_gets_three_charts(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path)
    await c.principal.send("/stats")
    await world.drain_outbox()
    photos = [m for m in c.principal.messages() if m.kind == "photo"]
    assert len(photos) == 3 and all(world.api.uploads[p.file_id][:4] == b"\x89PNG" for p in photos)
    await c.hoa.send("/stats")
    assert "không thuộc quyền hạn" in c.hoa.last_text()


async def test_a_template_error_too_long_for_an_alert_comes_as_a_message(
    world: World, tmp_path: Path, monkeypatch
):
    import handlers.documents
    from tests.unit.test_documents_word import _replace

    c = await recorded(world, tmp_path)
    folder = tmp_path / "tpl"
    folder.mkdir()
    _replace(folder, "bao_cao", "{{ round_name }}", "{{ round_name }}{{ tong_so }}")
    world.settings.document_templates_dir = str(folder)
    monkeypatch.setattr(handlers.documents, "ALERT_MAX", 60)  # Telegram's 200, made short for the test
    await c.secretary.send("/papers")
    await c.secretary.click(ROUND)
    await c.secretary.click("Báo cáo kết quả đợt")
    assert "trường “tong_so”" in c.secretary.last_text() and "bao_cao.docx" in c.secretary.last_text()
