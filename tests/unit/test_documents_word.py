"""The Word documents (issue 21): each kind opened with python-docx and read back; the secretary's
templates: autoescaped, sandboxed, a missing placeholder or an unknown name named, a broken one refused."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from bot.clock import fmt_place_date
from bot.exports.word import KINDS, TemplateProblem, render_docx, write_templates
from bot.exports.word_templates import REQUIRED, shipped


def context(**over):
    base = dict(
        college_parent="UBND tỉnh Bắc Ninh",
        college_name="Trường Cao đẳng Y tế",
        number="12/QĐ-CĐYT",
        date="07/12/2026",
        place_date=fmt_place_date("Bắc Ninh", date(2026, 12, 7)),
        signer_title="KT. HIỆU TRƯỞNG",
        signer_subtitle="PHÓ HIỆU TRƯỞNG",
        signer_name="Trần Văn Minh",
        recipients=["Như Điều 3", "Lưu: VT, TC-HC"],
        rows=[
            dict(
                no=1,
                name="Nguyễn Thị Hoa",
                unit="Khoa Dược",
                title="Lao động tiên tiến",
                summary="Giảm chi phí <10% & tăng chất lượng",
                amount="710.000",
                members=7,
                voters=7,
                agree=6,
                share="6/7",
                outcome="Đạt",
                proposed=3,
                passed=2,
                decided=2,
                label="Tổng",
                count=4,
                note="",
            )
        ],
        total="710.000",
        round_name="đợt tổng kết năm học 2025-2026",
        count=1,
        body=["Ghi chú: A < B & C"],
        members=7,
        voters=7,
        meeting_date="05/12/2026",
        school_year="2025-2026",
        recipient="Ban Thi đua",
    )
    base.update(over)
    return base


def read(data: bytes):
    import docx

    d = docx.Document(io.BytesIO(data))
    text = [p.text for p in d.paragraphs]
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join(text), "\n".join(cells)


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_has_the_national_heading_number_date_and_signer(kind):
    text, cells = read(render_docx(kind, context()))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert "Độc lập - Tự do - Hạnh phúc" in cells
    assert "TRƯỜNG CAO ĐẲNG Y TẾ" in cells
    assert "Số: 12/QĐ-CĐYT" in cells
    assert "Bắc Ninh, ngày 07 tháng 12 năm 2026" in cells
    assert "KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG" in cells and "Trần Văn Minh" in cells
    assert "STT\n" in cells  # the table
    assert "Ghi chú: A < B & C" in text  # autoescaped as XML, read back as written


def test_the_decision_lists_its_annex_and_recipients():
    text, cells = read(render_docx("quyet_dinh", context()))
    assert "QUYẾT ĐỊNH" in text and "DANH SÁCH KHEN THƯỞNG" in text
    assert "(Kèm theo Quyết định số 12/QĐ-CĐYT ngày 07/12/2026 của Hiệu trưởng Trường Cao đẳng Y tế)" in text
    assert "Nơi nhận:" in cells and "- Lưu: VT, TC-HC;" in cells
    assert "Lao động tiên tiến" in cells and "710.000" in cells


def test_a_summary_with_angle_brackets_and_ampersand_is_kept_as_written():
    data = render_docx("to_trinh", context())
    _, cells = read(data)
    assert "Giảm chi phí <10% & tăng chất lượng" in cells
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;10% &amp; tăng" in xml  # escaped once in the XML, never raw


def test_the_minutes_show_counts_only():
    text, cells = read(render_docx("bien_ban", context()))
    assert "Hội đồng có 7 thành viên; 7 thành viên tham gia bỏ phiếu." in text
    assert "6/7" in cells and "Đạt" in cells


def test_place_date_pads_the_day_and_the_first_two_months():
    assert fmt_place_date("Hà Nội", date(2026, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert fmt_place_date("Hà Nội", date(2026, 11, 20)) == "Hà Nội, ngày 20 tháng 11 năm 2026"


def _replace(folder, kind: str, old: str, new: str) -> None:
    """The shipped template with `old` replaced in its document.xml, as the secretary's."""
    src = zipfile.ZipFile(io.BytesIO(shipped(kind)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            z.writestr(item, data)
    (folder / f"{kind}.docx").write_bytes(out.getvalue())


def test_the_secretarys_template_replaces_the_shipped_one(tmp_path):
    _replace(tmp_path, "quyet_dinh", "DANH SÁCH KHEN THƯỞNG", "DANH SÁCH CÁ NHÂN, TẬP THỂ ĐƯỢC KHEN")
    text, _ = read(render_docx("quyet_dinh", context(), tmp_path))
    assert "DANH SÁCH CÁ NHÂN, TẬP THỂ ĐƯỢC KHEN" in text


def test_a_template_missing_a_placeholder_names_it(tmp_path):
    _replace(tmp_path, "to_trinh", "Số: {{ number }}", "Số: ....")
    with pytest.raises(TemplateProblem) as e:
        render_docx("to_trinh", context(), tmp_path)
    assert e.value.key == "documents-template-missing"
    assert e.value.params == {"template": "to_trinh.docx", "name": "number"}


def test_a_template_using_an_unknown_name_names_it(tmp_path):
    _replace(tmp_path, "to_trinh", "{{ total }}", "{{ total }} {{ tong_tien }}")
    with pytest.raises(TemplateProblem) as e:
        render_docx("to_trinh", context(), tmp_path)
    assert e.value.key == "documents-template-unknown-name"
    assert e.value.params["name"] == "tong_tien"


def test_a_template_reaching_outside_the_sandbox_is_refused(tmp_path):
    _replace(tmp_path, "to_trinh", "{{ total }}", "{{ total }}{{ rows.__class__.__mro__ }}")
    with pytest.raises(TemplateProblem) as e:
        render_docx("to_trinh", context(), tmp_path)
    assert e.value.key in ("documents-template-broken", "documents-template-unknown-name")


def test_a_broken_template_is_refused_with_its_name(tmp_path):
    _replace(tmp_path, "bao_cao", "{{ round_name }}", "{% if round_name %}")
    with pytest.raises(TemplateProblem) as e:
        render_docx("bao_cao", context(), tmp_path)
    assert e.value.key == "documents-template-broken" and e.value.params["template"] == "bao_cao.docx"
    (tmp_path / "bien_ban.docx").write_bytes(b"not a zip")
    with pytest.raises(TemplateProblem):
        render_docx("bien_ban", context(), tmp_path)


def test_every_shipped_template_holds_its_required_placeholders(tmp_path):
    written = write_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{k}.docx" for k in REQUIRED)
    for kind in KINDS:  # rendering from the written copies checks them
        render_docx(kind, context(), tmp_path)


def test_the_operator_writes_the_shipped_templates_to_start_from(tmp_path):
    from click.testing import CliRunner

    from bot.cli import main

    result = CliRunner().invoke(main, ["--lang", "vi", "documents", "templates", "-o", str(tmp_path / "mau")])
    assert result.exit_code == 0, result.output
    assert "Đã ghi mẫu" in result.output and (tmp_path / "mau" / "quyet_dinh.docx").is_file()
