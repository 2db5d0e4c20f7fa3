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
- XlsxWriter in its constant-memory mode (rows streamed to a temporary file; about twice openpyxl's
  write-only speed: bench/export.py); imported inside `xlsx`, never at a module's top. Tests read the files
  back with openpyxl.
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


class _Writer:
    """Writes one sheet's cells with their kinds, sharing the formats of the workbook."""

    def __init__(self, ws: Any, tz: ZoneInfo, formats: dict[str, Any]) -> None:
        self.ws, self.tz, self.f = ws, tz, formats
        self._by_kind = {
            "text": self._text,
            "int": self._int,
            "money": self._money,
            "date": self._date,
            "when": self._when,
            "share": self._share,
        }

    def header(self, row: int, col: int, text: str) -> None:
        self.ws.write_string(row, col, clean_text(text), self.f["bold"])

    def writer(self, kind: CellKind) -> Any:
        """The function writing (row, col, value) of `kind`; None and "" write nothing."""
        if kind not in self._by_kind:
            raise ValueError(f"unknown cell kind {kind!r}")
        return self._by_kind[kind]

    def cell(self, row: int, col: int, kind: CellKind, value: Any) -> None:
        self.writer(kind)(row, col, value)

    def _text(self, row: int, col: int, value: Any) -> None:
        if value is not None and value != "":
            self.ws.write_string(row, col, clean_text(value))  # never parsed: "=1+1" stays the text "=1+1"

    def _int(self, row: int, col: int, value: Any) -> None:
        if value is not None and value != "":
            self.ws.write_number(row, col, int(value))

    def _money(self, row: int, col: int, value: Any) -> None:
        if value is not None and value != "":
            self.ws.write_number(row, col, int(value), self.f["money"])

    def _date(self, row: int, col: int, value: Any) -> None:
        if value is not None and value != "":
            day = value.date() if isinstance(value, datetime) else value
            self.ws.write_datetime(row, col, day, self.f["date"])

    def _when(self, row: int, col: int, value: Any) -> None:
        if value is not None and value != "":
            local = value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo else value
            self.ws.write_datetime(row, col, local, self.f["when"])

    def _share(self, row: int, col: int, value: Any) -> None:
        if value is not None and value != "":
            self.ws.write_number(row, col, float(Fraction(value)), self.f["share"])


def _formats(wb: Any) -> dict[str, Any]:
    return {
        "bold": wb.add_format({"bold": True}),
        "date": wb.add_format({"num_format": DATE_FORMAT}),
        "when": wb.add_format({"num_format": WHEN_FORMAT}),
        "money": wb.add_format({"num_format": MONEY_FORMAT}),
        "share": wb.add_format({"num_format": SHARE_FORMAT}),
    }


def _sheet_name(text: str) -> str:
    return re.sub(r"[\\\[\]:*?/]", "-", text)[:SHEET_TITLE_MAX]


def _write_sheet(wb: Any, sheet: Sheet, locale: str, tz: ZoneInfo, formats: dict[str, Any]) -> int:
    ws = wb.add_worksheet(_sheet_name(t(sheet.title, locale=locale, **sheet.params)))
    cols = list(sheet.columns)
    for n, col in enumerate(cols):
        ws.set_column(n, n, col.width)
    ws.freeze_panes(1, 0)
    w = _Writer(ws, tz, formats)
    for n, col in enumerate(cols):
        w.header(0, n, t(col.header, locale=locale))
    writers = [w.writer(c.kind) for c in cols]
    width = len(cols)
    count = 0
    for count, row in enumerate(sheet.rows, start=1):  # the count is the last row's
        if len(row) != width:
            raise ValueError(f"a row of {len(row)} values for {width} columns in {sheet.title}")
        for n, value in enumerate(row):
            writers[n](count, n, value)
    ws.autofilter(0, 0, max(count, 1), len(cols) - 1)
    if count == 0:
        w.cell(1, 0, "text", t(sheet.empty_note, locale=locale))
    return count


def _write_note(
    wb: Any, lines: Sequence[tuple[str, Any]], locale: str, tz: ZoneInfo, formats: dict[str, Any]
) -> None:
    ws = wb.add_worksheet(_sheet_name(t("export-sheet-info", locale=locale)))
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 60)
    w = _Writer(ws, tz, formats)
    for row, (label, value) in enumerate(lines):
        kind: CellKind = (
            "when" if isinstance(value, datetime) else "date" if isinstance(value, date) else "text"
        )
        w.header(row, 0, t(label, locale=locale))
        w.cell(row, 1, kind, value)


def xlsx(
    sheets: Sequence[Sheet],
    *,
    locale: str = "vi",
    info: Sequence[tuple[str, Any]] = (),
    tz: str | ZoneInfo = "Asia/Ho_Chi_Minh",
) -> bytes:
    """The workbook's bytes: each sheet in order, then the information sheet when `info` has lines
    ((catalogue key of the label, value) pairs: the kind, the filter, when it was made)."""
    import xlsxwriter

    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    out = io.BytesIO()
    options = {
        "constant_memory": True,  # rows go to a temporary file as they are written
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    wb = xlsxwriter.Workbook(out, options)
    formats = _formats(wb)
    for sheet in sheets:
        _write_sheet(wb, sheet, locale, zone, formats)
    if info:
        _write_note(wb, info, locale, zone, formats)
    wb.close()
    return out.getvalue()


def info_lines(title: str, f: Any, count: int, locale: str) -> list[tuple[str, Any]]:
    """The information sheet of an export: the list, its filter and scope, the rows, when, the privacy note.
    `f` is the kind's ExportFilter (bot/exports/registry.py)."""
    every = t("export-info-all", locale=locale)
    unit = f.unit_code or (t("export-info-scope-own", locale=locale) if f.units is not None else every)
    lines: list[tuple[str, Any]] = [("export-info-kind", t(title, locale=locale))]
    offered = getattr(f, "offered", ("round", "year", "unit"))
    if "round" in offered:
        lines.append(("export-info-round", f.round_code or every))
    if "year" in offered:
        lines.append(("export-info-year", f.year_code or every))
    if "unit" in offered or f.units is not None:
        lines.append(("export-info-unit", unit))
    lines.append(("export-info-rows", str(count)))
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
