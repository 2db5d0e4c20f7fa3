"""The documents' kinds the worker makes (issue 21, decision 42): the round's Word papers, the certificates of
a decision, the blank's grid and the three charts, through the same query and build as the chat (as the
operator's `thidua export` runs them); each file opened. Only the secretary makes the papers; the charts are
the principal's too; none is in /export's menu."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import bot.exports.kinds  # noqa: F401  (registers every kind)
from bot.errors import NotAllowed
from bot.exports.paper_kinds import CHART_KINDS, WORD
from bot.services import documents as docs
from bot.services.exports import ExportService
from tests.exports.helpers import acting, made
from tests.handlers.test_documents_papers import docx_text, recorded, run


async def test_every_word_paper_of_the_round_opens_with_its_content(world, tmp_path: Path):
    c = await recorded(world, tmp_path)
    texts = {k: docx_text(await made(world, c.secretary, k, round_id=c.round_id)) for k in WORD}
    assert "TỜ TRÌNH" in texts["to_trinh"] and "2.590.000" in texts["to_trinh"]
    assert "Hội đồng có 3 thành viên" in texts["bien_ban"] and "Trần Văn Bình" in texts["bien_ban"]
    assert "Số: 123/QĐ-CĐKTCN" in texts["quyet_dinh"] and "Nguyễn Thị Hoa" in texts["quyet_dinh"]
    assert "Lao động tiên tiến" in texts["bao_cao"]


async def test_without_a_round_the_latest_tallied_one_is_taken(world, tmp_path: Path):
    c = await recorded(world, tmp_path)
    assert "Số: 123/QĐ-CĐKTCN" in docx_text(await made(world, c.secretary, "quyet_dinh"))


async def test_the_certificates_of_a_decision_are_one_page_each(world, tmp_path: Path):
    from pypdf import PdfReader

    c = await recorded(world, tmp_path)
    p = await run(world, c.secretary, lambda ctx: docs.round_papers(ctx, c.round_id))
    pdf = await made(world, c.secretary, "giay_khen", decision_id=p.decision.id)
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) == 2 and "Nguyễn Thị Hoa" in texts[0] and "Quyết định số 123/QĐ-CĐKTCN" in texts[0]


async def test_the_grid_and_the_charts_are_made(world, tmp_path: Path):
    c = await recorded(world, tmp_path)
    assert (await made(world, c.secretary, "blank_grid", blank="giay-khen"))[:4] == b"%PDF"
    for name in CHART_KINDS:
        assert (await made(world, c.principal, name))[:4] == b"\x89PNG"


async def test_a_head_and_staff_are_refused_the_papers_and_the_charts(world, tmp_path: Path):
    c = await recorded(world, tmp_path)
    for who in (c.head, c.hoa):
        for name in (*WORD, "giay_khen", "blank_grid", *CHART_KINDS):
            with pytest.raises(NotAllowed):
                await made(world, who, name)
    with pytest.raises(NotAllowed):
        await made(world, c.principal, "to_trinh")


async def test_none_of_them_is_in_the_menu(world, tmp_path: Path):
    c = await recorded(world, tmp_path)
    async with acting(world, c.secretary) as ctx:
        offered = {k.name for k in ExportService(ctx).available()}
    assert offered.isdisjoint({*WORD, "giay_khen", "blank_grid", *CHART_KINDS})
    assert {"budget", "fund", "year_report", "year_report_docx"} <= offered
