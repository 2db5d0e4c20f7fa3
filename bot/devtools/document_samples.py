"""Sample files of every document kind, for reviewers (issue 21): `python -m bot.devtools.document_samples
DIR` writes each Word kind, the certificates, the grid page and a chart from sample rows (no database), then,
where LibreOffice (`soffice`) and poppler's `pdftoppm` are installed (Debian: libreoffice-writer-nogui,
poppler-utils, fonts-liberation), the first page of each as a PNG. Never run in production; the tests do
not depend on those tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from bot.clock import fmt_place_date

ROWS = [
    dict(
        no=1,
        name="Nguyễn Thị Hoa",
        unit="Khoa Công nghệ thông tin",
        title="Lao động tiên tiến",
        summary="Giảm 15% chi phí vật tư <thực hành> & tăng tỷ lệ đạt",
        amount="710.000",
        members=9,
        voters=9,
        agree=8,
        share="88,9%",
        outcome="Đạt",
        proposed=12,
        passed=10,
        decided=10,
        label="Lao động tiên tiến",
        count=10,
        note="8 cá nhân, 2 tập thể",
    ),
    dict(
        no=2,
        name="Phòng Đào tạo",
        unit="",
        title="Tập thể lao động tiên tiến",
        summary="Hoàn thành xuất sắc",
        amount="1.880.000",
        members=9,
        voters=9,
        agree=9,
        share="100,0%",
        outcome="Đạt",
        proposed=3,
        passed=2,
        decided=2,
        label="Tập thể lao động tiên tiến",
        count=2,
        note="",
    ),
]


def context(kind: str) -> dict:
    day = date(2027, 6, 19)
    return dict(
        college_parent="UBND tỉnh Bắc Ninh",
        college_name="Trường Cao đẳng Kỹ thuật Công nghệ",
        number="123/QĐ-CĐKTCN" if kind == "quyet_dinh" else "      /TTr-CĐKTCN",
        date="19/06/2027",
        place_date=fmt_place_date("Bắc Ninh", day),
        signer_title="KT. HIỆU TRƯỞNG" if kind == "quyet_dinh" else "TRƯỞNG PHÒNG TỔ CHỨC – HÀNH CHÍNH",
        signer_subtitle="PHÓ HIỆU TRƯỞNG" if kind == "quyet_dinh" else "",
        signer_name="Trần Văn Hiệu",
        recipients=["Như Điều 3", "Lưu: VT, TC-HC"],
        rows=ROWS,
        total="2.590.000",
        round_name="đợt bình xét năm học 2026-2027",
        count=2,
        body=[],
        members=9,
        voters=9,
        meeting_date="15/06/2027",
        school_year="2026-2027",
        recipient="Ban Thi đua – Khen thưởng tỉnh",
    )


def write(folder: Path) -> list[Path]:
    from bot.exports.certificates import Layout, certificates_pdf, grid_pdf
    from bot.exports.charts import bar_chart
    from bot.exports.word import KINDS, render_docx

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in KINDS:
        path = folder / f"{kind}.docx"
        path.write_bytes(render_docx(kind, context(kind)))
        out.append(path)
    pages = [
        {
            "name": r["name"],
            "unit": r["unit"],
            "title": r["title"],
            "school_year": "Năm học 2026-2027",
            "decision": "Quyết định số 123/QĐ-CĐKTCN ngày 19/06/2027",
            "place_date": fmt_place_date("Bắc Ninh", date(2027, 6, 19)),
        }
        for r in ROWS
    ]
    (folder / "giay_khen.pdf").write_bytes(certificates_pdf(pages, Layout()))
    (folder / "luoi_can_chinh.pdf").write_bytes(grid_pdf(Layout()))
    chart = bar_chart(
        "Đăng ký thi đua theo đơn vị",
        ["Khoa CNTT", "Phòng Đào tạo", "Khoa Cơ khí"],
        {"Số người": [24, 11, 30], "Đã đăng ký": [22, 11, 25]},
    )
    (folder / "bieu_do.png").write_bytes(chart)
    return [*out, folder / "giay_khen.pdf", folder / "luoi_can_chinh.pdf"]


def to_png(files: list[Path], folder: Path) -> list[Path]:
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        print("soffice or pdftoppm not installed: no PNG made", file=sys.stderr)
        return []
    docx = [str(f) for f in files if f.suffix == ".docx"]
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), *docx],
        check=True,
        capture_output=True,
        timeout=600,
    )
    made = []
    for f in files:
        pdf = f.with_suffix(".pdf")
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(folder / f.stem),
            ],
            check=True,
            timeout=120,
        )
        made.append(folder / f"{f.stem}.png")
    return made


if __name__ == "__main__":
    where = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")
    written = write(where)
    for png in to_png(written, where):
        print(png)
