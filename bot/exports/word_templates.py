"""The shipped Word templates (docxtpl), built with python-docx in the NĐ 30/2020 layout.

Each kind's template holds the wording; the context holds the data. The secretary may replace any of them
by a file `<kind>.docx` in DOCUMENT_TEMPLATES_DIR (`thidua documents templates -o DIR` writes these to start
from). The layout: the heading table (the governing body and the college on the left, upper case, the college
bold, "Số: …"; the national heading on the right with the place and date in italics), the title and its
"V/v", the body, a table of rows, and the signer block beside "Nơi nhận".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

FONT, SIZE = "Times New Roman", 13


@dataclass(frozen=True)
class Layout:
    title: str  # the document's name, upper case ("QUYẾT ĐỊNH"), may hold placeholders
    about: str  # the line under it ("Về việc …")
    body: tuple[str, ...]  # paragraphs (Jinja); "{%p for … %}" lines loop
    columns: tuple[tuple[str, str, float], ...]  # (header, the row's expression, width in cm)
    table_intro: tuple[str, ...] = ()  # the annex's heading paragraphs, before the table
    after_table: tuple[str, ...] = ()
    recipients: bool = True


PARAS = "{%p for para in body %}", "{{ para }}", "{%p endfor %}"

LAYOUTS: dict[str, Layout] = {
    "to_trinh": Layout(
        "TỜ TRÌNH",
        "Về việc đề nghị khen thưởng {{ round_name }}",
        (
            "Kính gửi: Hiệu trưởng {{ college_name }}.",
            "Căn cứ kết quả bình xét của Hội đồng Thi đua – Khen thưởng {{ round_name }}, Phòng Tổ chức – "
            "Hành chính kính trình Hiệu trưởng xem xét, quyết định khen thưởng {{ count }} cá nhân, tập thể "
            "có tên trong danh sách dưới đây, tổng số tiền thưởng {{ total }} đồng.",
            *PARAS,
            "Kính trình Hiệu trưởng xem xét, quyết định./.",
        ),
        (
            ("STT", "r.no", 1.2),
            ("Họ và tên / Tập thể", "r.name", 5.0),
            ("Đơn vị", "r.unit", 3.5),
            ("Danh hiệu, hình thức", "r.title", 4.0),
            ("Tóm tắt thành tích", "r.summary", 5.0),
            ("Số tiền (đồng)", "r.amount", 2.5),
        ),
    ),
    "quyet_dinh": Layout(
        "QUYẾT ĐỊNH",
        "Về việc khen thưởng {{ round_name }}",
        (
            "HIỆU TRƯỞNG {{ college_name | upper }}",
            "Căn cứ Luật Thi đua, khen thưởng năm 2022; Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của "
            "Chính phủ quy định chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
            "Căn cứ kết quả bình xét của Hội đồng Thi đua – Khen thưởng;",
            "Theo đề nghị của Trưởng phòng Tổ chức – Hành chính.",
            "QUYẾT ĐỊNH:",
            "Điều 1. Khen thưởng {{ count }} cá nhân, tập thể có thành tích trong {{ round_name }} (có danh "
            "sách kèm theo).",
            "Điều 2. Tiền thưởng kèm theo: {{ total }} đồng, chi từ Quỹ thi đua, khen thưởng của trường.",
            *PARAS,
            "Điều 3. Trưởng phòng Tổ chức – Hành chính, Trưởng phòng Kế hoạch – Tài chính, Trưởng các đơn "
            "vị và các cá nhân, tập thể có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
        ),
        (
            ("STT", "r.no", 1.2),
            ("Họ và tên / Tập thể", "r.name", 5.5),
            ("Đơn vị", "r.unit", 4.0),
            ("Danh hiệu, hình thức", "r.title", 4.5),
            ("Số tiền (đồng)", "r.amount", 2.8),
        ),
        table_intro=(
            "DANH SÁCH KHEN THƯỞNG",
            "(Kèm theo Quyết định số {{ number }} ngày {{ date }} của Hiệu trưởng {{ college_name }})",
        ),
        after_table=("Tổng cộng: {{ count }} cá nhân, tập thể; {{ total }} đồng.",),
    ),
    "bien_ban": Layout(
        "BIÊN BẢN",
        "Họp Hội đồng Thi đua – Khen thưởng {{ round_name }}",
        (
            "Thời gian: {{ meeting_date }}. Địa điểm: {{ college_name }}.",
            "Hội đồng có {{ members }} thành viên; {{ voters }} thành viên tham gia bỏ phiếu.",
            "Hội đồng đã bỏ phiếu kín đối với {{ count }} hồ sơ; kết quả kiểm phiếu (chỉ số phiếu) như sau:",
            *PARAS,
        ),
        (
            ("STT", "r.no", 1.2),
            ("Họ và tên / Tập thể", "r.name", 4.5),
            ("Danh hiệu, hình thức", "r.title", 4.0),
            ("Số thành viên", "r.members", 2.0),
            ("Số phiếu", "r.voters", 1.8),
            ("Đồng ý", "r.agree", 1.8),
            ("Tỷ lệ", "r.share", 2.0),
            ("Kết quả", "r.outcome", 2.0),
            ("Ghi chú", "r.note", 2.5),
        ),
        after_table=("Biên bản kết thúc lúc cùng ngày, đã thông qua Hội đồng./.",),
    ),
    "bao_cao": Layout(
        "BÁO CÁO",
        "Kết quả thi đua, khen thưởng {{ round_name }}",
        (
            "Thực hiện kế hoạch thi đua, khen thưởng năm học {{ school_year }}, {{ college_name }} báo cáo "
            "kết quả {{ round_name }} như sau:",
            *PARAS,
        ),
        (
            ("STT", "r.no", 1.2),
            ("Danh hiệu, hình thức", "r.title", 6.0),
            ("Đề nghị", "r.proposed", 2.2),
            ("Hội đồng thông qua", "r.passed", 2.5),
            ("Được khen thưởng", "r.decided", 2.5),
            ("Số tiền (đồng)", "r.amount", 3.0),
        ),
    ),
    "bao_cao_nam": Layout(
        "BÁO CÁO",
        "Tổng kết công tác thi đua, khen thưởng năm học {{ school_year }}",
        (
            "Kính gửi: {{ recipient }}.",
            "{{ college_name }} báo cáo tổng kết công tác thi đua, khen thưởng năm học {{ school_year }} "
            "như sau:",
            *PARAS,
        ),
        (
            ("STT", "r.no", 1.2),
            ("Nội dung", "r.label", 9.0),
            ("Số lượng", "r.count", 2.5),
            ("Ghi chú", "r.note", 4.0),
        ),
    ),
}

# what every template must contain, and what each kind adds: a template without one is refused, named
COMMON = ("college_name", "number", "place_date", "signer_title", "signer_name")
REQUIRED: dict[str, tuple[str, ...]] = {
    "to_trinh": (*COMMON, "rows", "total"),
    "quyet_dinh": (*COMMON, "rows", "total", "date"),
    "bien_ban": (*COMMON, "rows", "members", "voters"),
    "bao_cao": (*COMMON, "rows"),
    "bao_cao_nam": (*COMMON, "rows", "school_year"),
}


def _run(par, text: str, *, bold: bool = False, italic: bool = False, size: float = SIZE):
    from docx.shared import Pt

    run = par.add_run(text)
    run.bold, run.italic, run.font.size, run.font.name = bold, italic, Pt(size), FONT
    return run


def _para(cell_or_doc, text: str, *, center=False, bold=False, italic=False, size=SIZE, right=False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    par = cell_or_doc.add_paragraph()
    if center:
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(par, text, bold=bold, italic=italic, size=size)
    return par


def _heading(doc) -> None:
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(10)
    _run(left.paragraphs[0], "{{ college_parent | upper }}", size=12)
    left.paragraphs[0].alignment = 1
    _para(left, "{{ college_name | upper }}", center=True, bold=True, size=12)
    _para(left, "Số: {{ number }}", center=True, size=13)
    _run(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    right.paragraphs[0].alignment = 1
    _para(right, "Độc lập - Tự do - Hạnh phúc", center=True, bold=True, size=13)
    _para(right, "{{ place_date }}", center=True, italic=True, size=13)


def _table(doc, layout: Layout) -> None:
    from docx.shared import Cm

    cols = layout.columns
    table = doc.add_table(rows=4, cols=len(cols))
    table.style = "Table Grid"
    for i, (header, expr, width) in enumerate(cols):
        for row in table.rows:
            row.cells[i].width = Cm(width)
        _run(table.rows[0].cells[i].paragraphs[0], header, bold=True, size=12)
        _run(table.rows[2].cells[i].paragraphs[0], "{{ " + expr + " }}", size=12)
    _run(table.rows[1].cells[0].paragraphs[0], "{%tr for r in rows %}")
    _run(table.rows[3].cells[0].paragraphs[0], "{%tr endfor %}")


def _signer(doc, recipients: bool) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    if recipients:
        _run(left.paragraphs[0], "Nơi nhận:", bold=True, italic=True, size=12)
        _para(left, "{%p for n in recipients %}", size=11)
        _para(left, "- {{ n }};", size=11)
        _para(left, "{%p endfor %}", size=11)
    _run(right.paragraphs[0], "{{ signer_title }}", bold=True)
    right.paragraphs[0].alignment = 1
    _para(right, "{{ signer_subtitle }}", center=True, bold=True)
    for _ in range(3):
        _para(right, "")
    _para(right, "{{ signer_name }}", center=True, bold=True)


def build(kind: str) -> bytes:
    """The shipped template of `kind`, as .docx bytes (a docxtpl template)."""
    from docx import Document
    from docx.shared import Cm

    layout = LAYOUTS[kind]
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    doc.paragraphs[0]._p.getparent().remove(doc.paragraphs[0]._p) if doc.paragraphs else None
    _heading(doc)
    _para(doc, layout.title, center=True, bold=True, size=14)
    _para(doc, layout.about, center=True, bold=True)
    for text in layout.body:
        lead = text.split("{{")[0].strip()
        heading = bool(lead) and lead.isupper()  # "QUYẾT ĐỊNH:", "HIỆU TRƯỞNG …": centred, bold
        _para(doc, text, center=heading, bold=heading)
    for text in layout.table_intro:
        _para(doc, text, center=True, bold=text.isupper(), italic=not text.isupper())
    _table(doc, layout)
    for text in layout.after_table:
        _para(doc, text)
    _signer(doc, layout.recipients)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@cache
def shipped(kind: str) -> bytes:
    return build(kind)
