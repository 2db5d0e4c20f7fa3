"""The one helper every workbook goes through (issue 21): Vietnamese headers, a frozen header row, filters,
column widths, real date cells (dd/mm/yyyy), money as integer cells (#,##0), and every user text an
explicit string cell.

    cols = (Column(<header key>, width=28), Column(<key>, "date"), Column(<key>, "money"))
    data = xlsx([Sheet(<sheet title key>, cols, rows)], locale="vi", info=[(<label key>, value), ...])
    data = table(<kind's title key>, cols, rows, f, locale)   # one sheet + the information sheet

- A text is written as a string cell whatever it starts with: openpyxl stores "=…" as a formula, and the
  CSV's apostrophe guard would show in a workbook. Characters a workbook cannot hold (control
  characters) are dropped.
- `date` cells are dates; `when` cells are the local date and time (the settings' time zone) of an aware
  datetime; `money` and `int` cells are integers; `share` a fraction shown as a percentage.
- openpyxl's write-only mode: 10,000 rows in about a second (bench/export.py). openpyxl is imported here,
  inside the functions, never at a module's top.
- The sheet opens with the header row frozen and filters on it; `note` (the filter, when it was made) goes
  to a second sheet "Thông tin", and an empty sheet says so in the row under its headers.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.i18n import t

CellKind = Literal["text", "int", "money", "date", "when", "share"]
DATE_FORMAT = "DD/MM/YYYY"
WHEN_FORMAT = "DD/MM/YYYY HH:MM"
MONEY_FORMAT = "#,##0"
SHARE_FORMAT = "0.00%"
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
SHEET_TITLE_MAX = 31


@dataclass(frozen=True)
class Column:
    header: str  # catalogue key of the header
    kind: CellKind = "text"
    width: float = 16


@dataclass
class Sheet:
    title: str  # catalogue key of the sheet's name
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    empty_note: str = "export-empty"  # catalogue key of the line under the headers when there is no row
    params: dict[str, Any] = field(default_factory=dict)  # the title's parameters


def ascii_slug(text: str) -> str:
    """ "Khoa CNTT – Điện" -> "Khoa-CNTT-Dien": a file name's part, ASCII letters, digits, - and _."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_]+", "-", plain).strip("-") or "x"


def column_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean_text(value: object) -> str:
    return _ILLEGAL.sub("", str(value))


class _Cells:
    """Makes the write-only cells of one sheet, sharing their styles."""

    def __init__(self, ws: Any, tz: ZoneInfo) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.ws, self.tz, self._cell = ws, tz, WriteOnlyCell
        self.bold = Font(bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def header(self, text: str) -> Any:
        cell = self.text(text)
        cell.font = self.bold
        return cell

    def text(self, value: object) -> Any:
        cell = self._cell(self.ws)
        cell.value = None
        cell._value = clean_text(value)  # never parsed: "=1+1" stays the text "=1+1"
        cell.data_type = "s"
        return cell

    def value(self, kind: CellKind, value: Any) -> Any:
        if value is None or value == "":
            return None
        if kind == "text":
            return self.text(value)
        if kind in ("int", "money"):
            cell = self._cell(self.ws, value=int(value))
            if kind == "money":
                cell.number_format = MONEY_FORMAT
            return cell
        if kind == "date":
            day = value.date() if isinstance(value, datetime) else value
            cell = self._cell(self.ws, value=day)
            cell.number_format = DATE_FORMAT
            return cell
        if kind == "when":
            local = value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo else value
            cell = self._cell(self.ws, value=local)
            cell.number_format = WHEN_FORMAT
            return cell
        if kind == "share":
            cell = self._cell(self.ws, value=float(Fraction(value)))
            cell.number_format = SHARE_FORMAT
            return cell
        raise ValueError(f"unknown cell kind {kind!r}")


def _write_sheet(wb: Any, sheet: Sheet, locale: str, tz: ZoneInfo) -> int:
    ws = wb.create_sheet(t(sheet.title, locale=locale, **sheet.params)[:SHEET_TITLE_MAX])
    cols = list(sheet.columns)
    last = column_letter(len(cols))
    for n, col in enumerate(cols, start=1):
        ws.column_dimensions[column_letter(n)].width = col.width
    ws.freeze_panes = "A2"
    cells = _Cells(ws, tz)
    ws.append([cells.header(t(c.header, locale=locale)) for c in cols])
    count = 0
    for row in sheet.rows:
        ws.append([cells.value(c.kind, v) for c, v in zip(cols, row, strict=True)])
        count += 1
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    if count == 0:
        ws.append([cells.text(t(sheet.empty_note, locale=locale))])
    return count


def _write_note(wb: Any, lines: Sequence[tuple[str, Any]], locale: str, tz: ZoneInfo) -> None:
    ws = wb.create_sheet(t("export-sheet-info", locale=locale)[:SHEET_TITLE_MAX])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    cells = _Cells(ws, tz)
    for label, value in lines:
        kind: CellKind = (
            "when" if isinstance(value, datetime) else "date" if isinstance(value, date) else "text"
        )
        ws.append([cells.header(t(label, locale=locale)), cells.value(kind, value)])


def xlsx(
    sheets: Sequence[Sheet],
    *,
    locale: str = "vi",
    info: Sequence[tuple[str, Any]] = (),
    tz: str | ZoneInfo = "Asia/Ho_Chi_Minh",
) -> bytes:
    """The workbook's bytes: each sheet in order, then the information sheet when `info` has lines
    ((catalogue key of the label, value) pairs: the kind, the filter, when it was made)."""
    from openpyxl import Workbook

    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet, locale, zone)
    if info:
        _write_note(wb, info, locale, zone)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def info_lines(title: str, f: Any, count: int, locale: str) -> list[tuple[str, Any]]:
    """The information sheet of an export: the list, its filter and scope, the rows, when, the privacy note.
    `f` is the kind's ExportFilter (bot/exports/registry.py)."""
    every = t("export-info-all", locale=locale)
    unit = f.unit_code or (t("export-info-scope-own", locale=locale) if f.units is not None else every)
    lines: list[tuple[str, Any]] = [
        ("export-info-kind", t(title, locale=locale)),
        ("export-info-round", f.round_code or every),
        ("export-info-year", f.year_code or every),
        ("export-info-unit", unit),
        ("export-info-rows", str(count)),
    ]
    if f.made_at is not None:
        lines.append(("export-info-made", f.made_at))
    lines.append(("export-info-note", t("export-info-private", locale=locale)))
    return lines


def table(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    f: Any,
    locale: str,
    *,
    tz: str | ZoneInfo = "Asia/Ho_Chi_Minh",
) -> bytes:
    """A one-sheet export: the sheet named by the kind's `title` key, then the information sheet."""
    return xlsx(
        [Sheet(title, columns, rows)], locale=locale, info=info_lines(title, f, len(rows), locale), tz=tz
    )
