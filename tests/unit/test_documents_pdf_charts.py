"""Certificates on blanks and the grid page (read back with pypdf, diacritics kept); the charts' PNGs."""

from __future__ import annotations

import io

import pytest

from bot.exports.certificates import Layout, certificates_pdf, font_path, grid_pdf
from bot.exports.charts import bar_chart


def text_of(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_one_page_per_commended_with_the_names_in_diacritics():
    pages = [
        {
            "name": "Nguyễn Thị Hoà",
            "unit": "Khoa Dược",
            "title": "Lao động tiên tiến",
            "school_year": "2025-2026",
            "decision": "Quyết định số 12/QĐ-CĐYT ngày 07/12/2026",
            "place_date": "Bắc Ninh, ngày 07 tháng 12 năm 2026",
        },
        {"name": "Trần Văn Đức", "unit": "Phòng Đào tạo", "title": "Chiến sĩ thi đua cơ sở"},
    ]
    texts = text_of(certificates_pdf(pages))
    assert len(texts) == 2
    assert "Nguyễn Thị Hoà" in texts[0] and "Khoa Dược" in texts[0] and "12/QĐ-CĐYT" in texts[0]
    assert "Trần Văn Đức" in texts[1] and "Chiến sĩ thi đua cơ sở" in texts[1]


def test_the_fields_print_where_the_layout_puts_them():
    from pypdf import PdfReader

    layout = Layout().moved("name", 40, 30, 20)
    data = certificates_pdf([{"name": "Lê Văn Ánh"}], layout)
    page = PdfReader(io.BytesIO(data)).pages[0]
    where = []
    page.extract_text(
        visitor_text=lambda t, cm, tm, fd, fs: where.append((t, tm[4], tm[5])) if t.strip() else None
    )
    text, x, y = where[0]
    mm = 72 / 25.4
    assert text.startswith("Lê Văn Ánh")
    assert abs(float(page.mediabox.height) - y - 30 * mm) < 1  # 30 mm from the top
    assert x < 40 * mm  # centred on 40 mm


def test_a_position_off_the_blank_is_refused():
    with pytest.raises(ValueError):
        Layout().moved("name", 400, 30)
    with pytest.raises(ValueError):
        Layout().moved("unknown", 10, 10)


def test_the_layout_is_stored_as_data_and_read_back():
    layout = Layout(210, 297).moved("title", 105, 150, 22)
    assert Layout.from_data(layout.as_data()) == layout
    assert Layout.from_data(None) == Layout()


def test_the_grid_page_numbers_its_lines_and_marks_each_field():
    texts = text_of(grid_pdf(labels={"name": "Họ và tên"}))
    assert len(texts) == 1
    assert "Họ và tên (148.5, 95)" in texts[0] and "290" in texts[0]


def test_a_font_with_vietnamese_glyphs_is_found():
    assert font_path().suffix == ".ttf"


def test_a_chart_is_a_png_and_an_empty_one_too():
    png = bar_chart(
        "Đăng ký thi đua theo đơn vị", ["Khoa Dược", "Phòng Đào tạo"], {"Đã đăng ký": [3, 5], "Chưa": [1, 0]}
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert bar_chart("Trống", [], {}, empty="Chưa có số liệu")[:4] == b"\x89PNG"
