"""Past years' commendations from .xlsx (`thidua commendations import FILE`), so that "three consecutive
years" rules and /history have the years before the bot.

As `thidua staff import` and the criteria imports do: the header row names the columns (Vietnamese or
English, with or without diacritics); every bad row is reported by its number, and nothing is imported when
any row is bad. A row names a person (the HR id, else full name and unit) or, without a person, the unit
itself (a collective title). The title or award form is one of a plan's, by its code or its name; the
school year is written "2023-2024"; the decision's number and date are required, the date not after today;
the money, in đồng, is optional. Importing the same file again adds nothing (one commendation per person or
unit, title and school year)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.context import Ctx
from bot.services.audit import Audit
from bot.services.criteria_data import (
    CriteriaDataService,
    CriteriaFileInvalid,
    CriteriaHasBadRows,
    _cell,
    _key,
)
from bot.services.roster import RowProblem, parse_birth_date
from storage.models.decisions import Commendation
from storage.models.plan import PlanCommendation
from storage.repositories.roster import RosterRepo

HEADERS = {
    **dict.fromkeys(["ho ten", "ho va ten", "full name", "name", "ten can bo"], "full_name"),
    **dict.fromkeys(["don vi", "ma don vi", "ma dv", "unit", "unit code"], "unit"),
    **dict.fromkeys(["ma nhan su", "ma ns", "ma can bo", "ma cb", "ma vien chuc", "hr id"], "hr_id"),
    **dict.fromkeys(
        ["danh hieu", "hinh thuc", "hinh thuc khen thuong", "danh hieu hinh thuc", "title", "award"], "title"
    ),
    **dict.fromkeys(["nam hoc", "school year", "year"], "school_year"),
    **dict.fromkeys(["so quyet dinh", "quyet dinh", "so qd", "decision", "decision number"], "number"),
    **dict.fromkeys(["ngay quyet dinh", "ngay ky", "ngay qd", "decision date", "date"], "day"),
    **dict.fromkeys(["so tien", "tien thuong", "muc thuong", "amount", "money"], "amount"),
}
REQUIRED = ("unit|hr_id", "title", "school_year", "number", "day")
IGNORED = frozenset({"stt", "tt", "so tt", "no", "ghi chu", "note", "notes", "chuc vu", "position"})
_YEAR = re.compile(r"(\d{4})\s*[-–/]\s*(\d{4})")


@dataclass
class CommendationsImported:
    created: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def rows_from_table(table: list[list[Any]]) -> list[dict[str, Any]]:
    """The header row mapped to fields; each row gets `row`, its number in the file (the header is 1)."""
    if not table:
        raise CriteriaFileInvalid("criteria-import-empty")
    columns, unknown = {}, []
    for i, h in enumerate(table[0]):
        name = _key(h)
        if not name or name in IGNORED:
            continue
        if name not in HEADERS:
            unknown.append(f"“{str(h).strip()}”")
        else:
            columns[i] = HEADERS[name]
    if unknown:
        raise CriteriaFileInvalid("criteria-import-unknown-columns", columns=", ".join(unknown))
    missing = [f for f in REQUIRED if not set(f.split("|")) & set(columns.values())]
    if missing:
        raise CriteriaFileInvalid("commendations-import-missing-columns", columns=", ".join(missing))
    out = []
    for n, raw in enumerate(table[1:], start=2):
        values = {f: _cell(raw[i]) if i < len(raw) else None for i, f in columns.items()}
        if any(v is not None for v in values.values()):
            out.append({"row": n, **values})
    return out


def read_commendations_file(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise CriteriaFileInvalid("criteria-import-bad-type", suffix=path.suffix or path.name)
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return rows_from_table([list(r) for r in wb.worksheets[0].iter_rows(values_only=True)])
    finally:
        wb.close()


def _row_fields(
    raw: dict[str, Any], n: int, today: Any, problems: list[RowProblem]
) -> tuple[Any, str, Any, int | None]:
    """A row's school year, decision number, date and amount, each bad one told by its row number."""
    year = _YEAR.fullmatch(str(raw.get("school_year") or "").strip())
    if year is None or int(year.group(2)) != int(year.group(1)) + 1:
        problems.append(
            RowProblem(n, "commendations-row-bad-year", {"value": str(raw.get("school_year") or "")})
        )
    number = " ".join(str(raw.get("number") or "").split())
    if not number or len(number) > 60:
        problems.append(RowProblem(n, "commendations-row-bad-number", {"value": number[:80]}))
    try:
        day = parse_birth_date(raw.get("day"), today) if raw.get("day") is not None else None
    except ValueError:
        day = None
    if day is None:
        problems.append(RowProblem(n, "commendations-row-bad-date", {"value": str(raw.get("day") or "")}))
    amount = raw.get("amount")
    if amount is not None:
        digits = re.sub(r"[.\s,đd]|dong|đồng", "", str(amount).lower())
        amount = int(digits) if digits.isdigit() and len(digits) <= 12 else None
        if amount is None:
            problems.append(RowProblem(n, "commendations-row-bad-amount", {"value": str(raw["amount"])}))
    return year, number, day, amount


class CommendationImport:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    async def _titles(self) -> dict[str, PlanCommendation]:
        """Every plan's titles and award forms, by code and by name (vi, en), as search keys."""
        out: dict[str, PlanCommendation] = {}
        for c in await self.ctx.session.scalars(select(PlanCommendation).order_by(PlanCommendation.id)):
            for k in (c.code, c.name_vi, c.name_en):
                if k:
                    out[_key(k.replace("_", " "))] = c
        return out

    async def check(self, raw_rows: list[dict[str, Any]]) -> tuple[list[Commendation], list[RowProblem]]:
        units = await RosterRepo(self.ctx.session).units_by_code()
        titles, people = await self._titles(), CriteriaDataService(self.ctx)
        problems: list[RowProblem] = []
        good: list[Commendation] = []
        seen: dict[tuple[Any, ...], int] = {}
        today = self.ctx.clock.today()
        for raw in raw_rows:
            n, before = raw["row"], len(problems)
            person_id = unit_id = None
            if raw.get("hr_id") or raw.get("full_name"):
                person = await people._person(raw, units, problems)
                person_id = person.id if person else None
            else:
                code = str(raw.get("unit") or "").strip()
                unit = units.get(code) or units.get(code.upper())
                if unit is None:
                    problems.append(RowProblem(n, "people-row-unknown-unit", {"unit": code}))
                unit_id = unit.id if unit else None
            title = titles.get(_key(str(raw.get("title") or "").replace("_", " ")))
            if title is None:
                problems.append(
                    RowProblem(n, "commendations-row-bad-title", {"value": str(raw.get("title") or "")})
                )
            elif title.subject == "individual" and person_id is None and unit_id is not None:
                problems.append(RowProblem(n, "commendations-row-needs-person", {"title": title.name_vi}))
            elif title.subject == "collective" and person_id is not None:
                problems.append(RowProblem(n, "commendations-row-needs-unit", {"title": title.name_vi}))
            year, number, day, amount = _row_fields(raw, n, today, problems)
            if len(problems) > before:
                continue
            assert title is not None and year is not None and day is not None
            sy = f"{year.group(1)}-{year.group(2)}"
            key = (person_id, unit_id, title.code, sy)
            if key in seen:
                problems.append(RowProblem(n, "commendations-row-duplicate", {"first": seen[key]}))
                continue
            seen[key] = n
            good.append(
                Commendation(
                    subject="individual" if person_id else "collective",
                    person_id=person_id,
                    unit_id=unit_id,
                    code=title.code,
                    name_vi=title.name_vi,
                    name_en=title.name_en,
                    school_year=sy,
                    level="imported",
                    decision_number=number,
                    decision_date=day,
                    amount=amount,
                    amount_provisional=False,
                    paid=True,
                    state="active",
                    created_at=self.ctx.clock.now(),
                )
            )
        return good, problems

    async def import_rows(
        self, raw_rows: list[dict[str, Any]], source_name: str = ""
    ) -> CommendationsImported:
        """With any bad row nothing is imported; a commendation already there is left as it is."""
        good, problems = await self.check(raw_rows)
        if problems:
            raise CriteriaHasBadRows(problems)
        result = CommendationsImported()
        for c in good:
            there = await self.ctx.session.scalar(
                select(Commendation.id).where(
                    Commendation.person_id == c.person_id
                    if c.person_id
                    else Commendation.unit_id == c.unit_id,
                    Commendation.code == c.code,
                    Commendation.school_year == c.school_year,
                )
            )
            if there is not None:
                result.unchanged += 1
                continue
            self.ctx.session.add(c)
            result.created += 1
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "commendations.imported",
            "commendation",
            None,
            after={"file": source_name, "created": result.created, "unchanged": result.unchanged},
        )
        return result


__all__ = ["CommendationImport", "CommendationsImported", "read_commendations_file", "rows_from_table"]
