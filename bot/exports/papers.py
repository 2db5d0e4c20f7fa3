"""The round's papers, the certificates, the budget and the yearly report as files, from the documents'
rows (bot/services/documents): pure, rows in, (file name, bytes) out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.clock import fmt_date, fmt_place_date
from bot.config import Settings
from bot.exports.certificates import Layout, certificates_pdf
from bot.exports.word import render_docx
from bot.i18n import grouped
from bot.services.documents import Budget, CertificatePage, Ledger, RoundPapers, YearReport

OUTCOME = {"passed": "Đạt", "failed": "Không đạt", "over_quota": "Vượt chỉ tiêu", "tied": "Bằng phiếu"}
SIGNER = {"principal": ("HIỆU TRƯỞNG", ""), "deputy": ("KT. HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG")}
REVEALS = "Số phiếu cho thấy cách bỏ phiếu của từng thành viên"
BLANK_NUMBER = "      /{kind}-{symbol}"


def dong(amount: int | None) -> str:
    return grouped(amount, "vi") if amount else "—"


def heading(settings: Settings, number: str, day: date) -> dict[str, Any]:
    return {
        "college_parent": settings.college_parent,
        "college_name": settings.college_name,
        "symbol": settings.college_symbol,
        "number": number,
        "date": fmt_date(day),
        "place_date": fmt_place_date(settings.document_place, day),
        "recipients": ["Như trên", "Lưu: VT, TC-HC"],
        "body": [],
    }


def _rows(p: RoundPapers, passed_only: bool) -> list[dict[str, Any]]:
    out = []
    for n, x in enumerate(p.passed if passed_only else p.lines, start=1):
        f = x.figures
        out.append({
            "no": n, "name": x.name, "unit": x.unit, "title": x.title, "summary": x.summary,
            "amount": dong(x.amount), "members": f.members if f else "", "voters": f.voters if f else "",
            "agree": f.agree if f else "", "disagree": f.disagree if f else "",
            "share": f"{float(f.share) * 100:.1f}%".replace(".", ",") if f else "",
            "outcome": OUTCOME.get(f.outcome, f.outcome) if f else "",
            "note": REVEALS if f and f.reveals else "",
        })  # fmt: skip
    return out


def round_context(
    kind: str, p: RoundPapers, settings: Settings, today: date, secretary: str
) -> dict[str, Any]:
    symbol = settings.college_symbol
    if kind == "quyet_dinh" and p.decision is not None:
        ctx = heading(settings, p.decision.number, p.decision.decided_on)
        title, subtitle = SIGNER.get(p.signed_as, SIGNER["principal"])
        ctx.update(signer_title=title, signer_subtitle=subtitle, signer_name=p.signer)
        ctx["recipients"] = ["Như Điều 3", "Lưu: VT, TC-HC"]
    else:
        short = {"quyet_dinh": "QĐ", "to_trinh": "TTr", "bien_ban": "BB", "bao_cao": "BC"}[kind]
        ctx = heading(settings, BLANK_NUMBER.format(kind=short, symbol=symbol), today)
        if kind in ("to_trinh", "bien_ban"):
            who = "TRƯỞNG PHÒNG TỔ CHỨC – HÀNH CHÍNH" if kind == "to_trinh" else "THƯ KÝ HỘI ĐỒNG"
            ctx.update(signer_title=who, signer_subtitle="", signer_name=secretary)
        else:
            ctx.update(signer_title="HIỆU TRƯỞNG", signer_subtitle="", signer_name=p.signer)
    voters = max((x.figures.voters for x in p.lines if x.figures), default=0)
    members = max((x.figures.members for x in p.lines if x.figures), default=0)
    ctx.update(
        round_name=p.round_vi, school_year=p.school_year, total=dong(p.total), members=members, voters=voters,
        meeting_date=fmt_date(p.meeting_day) if p.meeting_day else "",
        count=len(p.passed) if kind != "bien_ban" else len(p.lines),
        rows=_rows(p, passed_only=kind in ("to_trinh", "quyet_dinh")),
    )  # fmt: skip
    if kind == "bao_cao":
        ctx["rows"] = [
            {"no": n, "title": t, "proposed": a, "passed": b, "decided": c, "amount": dong(m)}
            for n, (t, a, b, c, m) in enumerate(p.by_title, start=1)
        ]
    return ctx


def round_docx(
    kind: str, p: RoundPapers, settings: Settings, today: date, secretary: str
) -> tuple[str, bytes]:
    data = render_docx(
        kind, round_context(kind, p, settings, today, secretary), settings.document_templates_dir
    )
    return f"{kind}-{p.round_id}.docx", data


def year_docx(r: YearReport, settings: Settings, today: date, secretary: str) -> tuple[str, bytes]:
    ctx = heading(settings, BLANK_NUMBER.format(kind="BC", symbol=settings.college_symbol), today)
    rows: list[dict[str, Any]] = []

    def add(label: str, count: int | str, note: str = "") -> None:
        rows.append({"no": len(rows) + 1, "label": label, "count": count, "note": note})

    for name, n in r.movements:
        add(f"Phong trào: {name}", n, "lượt đăng ký")
    for title, ind, col in r.titles:
        add(title, ind + col, f"{ind} cá nhân, {col} tập thể")
    for name, unit, title in r.exemplars:
        add(f"Điển hình: {name}" + (f" ({unit})" if unit else ""), 1, title)
    add("Khó khăn, vướng mắc được phản ánh", r.difficulties[0])
    add("Khó khăn, vướng mắc đã được trả lời", r.difficulties[1])
    add("Tiền thưởng (đồng)", dong(r.money))
    ctx.update(
        school_year=r.school_year, rows=rows, recipient="Ban Thi đua – Khen thưởng tỉnh",
        signer_title="HIỆU TRƯỞNG", signer_subtitle="", signer_name="",
    )  # fmt: skip
    ctx["recipients"] = ["Ban Thi đua – Khen thưởng tỉnh", "Lưu: VT, TC-HC"]
    return f"bao-cao-nam-{r.school_year}.docx", render_docx(
        "bao_cao_nam", ctx, settings.document_templates_dir
    )


def certificates(pages: Sequence[CertificatePage], layout: Layout, settings: Settings) -> tuple[str, bytes]:
    rows = [
        {
            "name": p.name, "unit": p.unit, "title": p.title, "school_year": f"Năm học {p.school_year}",
            "decision": f"Quyết định số {p.number} ngày {fmt_date(p.day)}",
            "place_date": fmt_place_date(settings.document_place, p.day),
        }
        for p in pages
    ]  # fmt: skip
    return f"giay-khen-{pages[0].number.replace('/', '-') if pages else 'trong'}.pdf", certificates_pdf(
        rows, layout
    )


def _sheet(wb, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], money_cols: Sequence[int]):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([v if isinstance(v, int | float | date) else str(v) for v in row])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"  # a text starting with = stays text
            elif isinstance(c.value, date):
                c.number_format = "DD/MM/YYYY"
    for col in money_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = "#,##0"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(h) + 6))
    return ws


BUDGET_HEADERS = ("STT", "Họ và tên / Tập thể", "Đơn vị", "Danh hiệu, hình thức", "Số tiền (đồng)", "Ghi chú")


def budget_xlsx(b: Budget) -> tuple[str, bytes]:
    return f"du-toan-khen-thuong-{b.round_id}.xlsx", budgets_xlsx([b])


def budgets_xlsx(budgets: Sequence[Budget]) -> bytes:
    """One round: its list, by title, by unit. Several: one list with the round in front, and the sums."""
    from openpyxl import Workbook

    if len(budgets) == 1:
        return _one_budget(budgets[0])
    wb = Workbook()
    wb.remove(wb.active)
    rows: list[Sequence[Any]] = []
    for b in budgets:
        state = f"Quyết định số {', '.join(b.numbers)}" if b.decided else "Dự toán (chưa có quyết định)"
        rows += [(b.round_vi, state, x.name, x.unit, x.title, x.amount) for x in b.lines]
    rows.append(("Tổng cộng", "", "", "", "", sum(b.total for b in budgets)))
    headers = ("Đợt", "Căn cứ", "Họ và tên / Tập thể", "Đơn vị", "Danh hiệu, hình thức", "Số tiền (đồng)")
    _sheet(wb, "Danh sách", headers, rows, (6,))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _one_budget(b: Budget) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    lines = [
        (n, x.name, x.unit, x.title, x.amount, "tạm tính" if x.provisional else "")
        for n, x in enumerate(b.lines, 1)
    ]
    lines.append(("", "Tổng cộng", "", "", b.total, ""))
    _sheet(
        wb,
        "Danh sách",
        BUDGET_HEADERS,
        lines,
        (5,),
    )
    _sheet(wb, "Theo danh hiệu", ("Danh hiệu, hình thức", "Số lượng", "Số tiền (đồng)"), b.by("title"), (3,))
    _sheet(wb, "Theo đơn vị", ("Đơn vị", "Số lượng", "Số tiền (đồng)"), b.by("unit"), (3,))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ledger_xlsx(ledger: Ledger) -> tuple[str, bytes]:
    from openpyxl import Workbook

    kinds = {"income": "Thu", "spending": "Chi", "recovered": "Thu hồi"}
    wb = Workbook()
    wb.remove(wb.active)
    rows: list[Sequence[Any]] = [("", "Số dư đầu năm", "", ledger.opening)]
    rows += [
        (x.day, kinds[x.kind], x.text, x.amount if x.kind != "spending" else -x.amount) for x in ledger.lines
    ]
    rows.append(("", "Số dư cuối năm", "", ledger.balance))
    _sheet(wb, f"Quỹ {ledger.year}", ("Ngày", "Loại", "Nguồn / Quyết định", "Số tiền (đồng)"), rows, (4,))
    out = io.BytesIO()
    wb.save(out)
    return f"so-quy-thi-dua-{ledger.year}.xlsx", out.getvalue()


def year_xlsx(r: YearReport) -> tuple[str, bytes]:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "Phong trào", ("Phong trào", "Lượt đăng ký"), r.movements, ())
    _sheet(wb, "Danh hiệu", ("Danh hiệu, hình thức", "Cá nhân", "Tập thể"), r.titles, ())
    _sheet(wb, "Điển hình", ("Họ và tên / Tập thể", "Đơn vị", "Danh hiệu, hình thức"), r.exemplars, ())
    _sheet(wb, "Khó khăn", ("Đã phản ánh", "Đã trả lời"), [r.difficulties], ())
    out = io.BytesIO()
    wb.save(out)
    return f"bao-cao-nam-{r.school_year}.xlsx", out.getvalue()
