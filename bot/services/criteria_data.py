"""The criteria data of a school year from .xlsx (issue 19): `thidua grades import FILE --year Y` (and
`--collective` for the units' grades), `thidua initiatives import`, `thidua discipline import`.

As `thidua staff import` does (bot/services/roster.py): the header row names the columns (Vietnamese or
English, with or without diacritics); every bad row is reported by its number, and nothing is imported when
any row is bad. A person is found by the HR id when the file has one, else by full name and unit. Importing
again updates in place (a person's grade, an initiative found by its title) and never duplicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.context import Ctx
from bot.errors import DomainError
from bot.plan.schema import DISCIPLINE_MEASURES, INITIATIVE_KINDS, INITIATIVE_SCOPES, TASK_RATINGS
from bot.services.audit import Audit
from bot.services.roster import RowProblem, parse_birth_date
from bot.text import nfc, search_key
from storage.models import Person
from storage.models.criteria import Discipline, Initiative, StaffGrade, UnitGrade
from storage.models.plan import PlanSchoolYear
from storage.repositories.criteria import CriteriaRepo
from storage.repositories.roster import RosterRepo

KINDS = ("grades", "unit_grades", "discipline", "initiatives")
_WHO = {
    **dict.fromkeys(["ho ten", "ho va ten", "full name", "name", "ten can bo"], "full_name"),
    **dict.fromkeys(["don vi", "ma don vi", "ma dv", "unit", "unit code"], "unit"),
    **dict.fromkeys(["ma nhan su", "ma ns", "ma can bo", "ma cb", "ma vien chuc", "hr id"], "hr_id"),
}
HEADERS: dict[str, dict[str, str]] = {
    "grades": {
        **_WHO,
        **dict.fromkeys(["xep loai", "muc xep loai", "danh gia", "rating", "grade"], "rating"),
    },
    "unit_grades": {
        **dict.fromkeys(["don vi", "ma don vi", "ma dv", "unit", "unit code"], "unit"),
        **dict.fromkeys(["xep loai", "muc xep loai", "danh gia", "rating", "grade"], "rating"),
    },
    "discipline": {
        **_WHO,
        **dict.fromkeys(["hinh thuc ky luat", "ky luat", "hinh thuc", "measure", "discipline"], "measure"),
        **dict.fromkeys(["ngay quyet dinh", "ngay", "date"], "decided_on"),
    },
    "initiatives": {
        **_WHO,
        **dict.fromkeys(["loai", "kind", "type"], "kind"),
        **dict.fromkeys(["ten", "ten sang kien", "ten de tai", "noi dung", "title"], "title"),
        **dict.fromkeys(["cap", "cap cong nhan", "pham vi", "scope", "level"], "scope"),
        **dict.fromkeys(["quyet dinh", "so quyet dinh", "decision"], "recognised_by"),
    },
}
REQUIRED = {
    "grades": ("rating",),
    "unit_grades": ("unit", "rating"),
    "discipline": ("measure",),
    "initiatives": ("kind", "title", "scope"),
}
IGNORED = frozenset({"stt", "tt", "so tt", "no", "ghi chu", "note", "notes", "chuc vu", "position"})

# what a clerk writes -> the code (search keys: no case, no diacritics)
RATINGS = {
    **dict.fromkeys(
        ["hoan thanh xuat sac nhiem vu", "hoan thanh xuat sac", "htxsnv", "htxs"], "hoan_thanh_xuat_sac"
    ),
    **dict.fromkeys(["hoan thanh tot nhiem vu", "hoan thanh tot", "httnv", "htt"], "hoan_thanh_tot"),
    **dict.fromkeys(["hoan thanh nhiem vu", "hoan thanh", "htnv", "ht"], "hoan_thanh_nhiem_vu"),
    **dict.fromkeys(["khong hoan thanh nhiem vu", "khong hoan thanh", "khtnv", "kht"], "khong_hoan_thanh"),
}
MEASURES = {
    "khien trach": "khien_trach",
    "canh cao": "canh_cao",
    "ha bac luong": "ha_bac_luong",
    "giang chuc": "giang_chuc",
    "cach chuc": "cach_chuc",
    "buoc thoi viec": "buoc_thoi_viec",
}
INITIATIVE_WORDS = {
    **dict.fromkeys(["sang kien", "giai phap", "initiative"], "sang_kien"),
    **dict.fromkeys(["de tai", "de tai nghien cuu", "de tai khoa hoc", "research"], "de_tai"),
}
SCOPES = {
    **dict.fromkeys(["co so", "cap co so", "truong", "cap truong"], "co_so"),
    **dict.fromkeys(["tinh", "cap tinh", "province"], "tinh"),
    **dict.fromkeys(["toan quoc", "cap toan quoc", "quoc gia", "national"], "toan_quoc"),
}
assert set(RATINGS.values()) == set(TASK_RATINGS) and set(MEASURES.values()) == set(DISCIPLINE_MEASURES)
assert set(INITIATIVE_WORDS.values()) == set(INITIATIVE_KINDS) and set(SCOPES.values()) == set(
    INITIATIVE_SCOPES
)


class CriteriaFileInvalid(DomainError):
    key = "criteria-import-bad-file"


class CriteriaHasBadRows(DomainError):
    key = "criteria-import-bad-rows"

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


class SchoolYearUnknown(DomainError):
    key = "criteria-year-unknown"


@dataclass
class ImportResult:
    kind: str
    school_year: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


# -- reading the file -----------------------------------------------------------------------------------
def _key(value: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", search_key(str(value or ""))).split())


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(" ".join(str(value).split())) or None


def rows_from_table(kind: str, table: list[list[Any]]) -> list[dict[str, Any]]:
    """The header row mapped to fields; each row gets `row`, its number in the file (the header is 1)."""
    if not table:
        raise CriteriaFileInvalid("criteria-import-empty")
    headers, columns, unknown = HEADERS[kind], {}, []
    for i, h in enumerate(table[0]):
        name = _key(h)
        if not name or name in IGNORED:
            continue
        if name not in headers:
            unknown.append(f"“{str(h).strip()}”")
        else:
            columns[i] = headers[name]
    if unknown:
        raise CriteriaFileInvalid("criteria-import-unknown-columns", columns=", ".join(unknown))
    needed = [*REQUIRED[kind]] + ([] if kind == "unit_grades" else ["full_name|hr_id"])
    missing = [f for f in needed if not set(f.split("|")) & set(columns.values())]
    if missing:
        raise CriteriaFileInvalid("criteria-import-missing-columns", columns=", ".join(missing))
    out = []
    for n, raw in enumerate(table[1:], start=2):
        values = {f: _cell(raw[i]) if i < len(raw) else None for i, f in columns.items()}
        if any(v is not None for v in values.values()):
            out.append({"row": n, **values})
    return out


def read_criteria_file(kind: str, path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise CriteriaFileInvalid("criteria-import-bad-type", suffix=path.suffix or path.name)
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return rows_from_table(kind, [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)])
    finally:
        wb.close()


def read_criteria_bytes(kind: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an .xlsx sent in chat (its bytes); an unreadable file is `CriteriaFileInvalid`."""
    from io import BytesIO
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        raise CriteriaFileInvalid() from None
    try:
        return rows_from_table(kind, [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)])
    finally:
        wb.close()


# -- checking and importing -----------------------------------------------------------------------------
class CriteriaDataService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = CriteriaRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)

    async def school_year(self, code: str) -> PlanSchoolYear:
        """ "2026-2027", or "2026" for the school year that starts in 2026."""
        years = list(
            (await self.ctx.session.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start))).all()
        )
        wanted = code.strip()
        found = [y for y in years if y.code == wanted or (wanted.isdigit() and y.start.year == int(wanted))]
        if not found:
            raise SchoolYearUnknown(year=wanted, known=", ".join(dict.fromkeys(y.code for y in years)) or "—")
        return found[-1]

    async def _person(
        self, raw: dict[str, Any], units: dict[str, Any], problems: list[RowProblem]
    ) -> Person | None:
        n = raw["row"]
        if raw.get("hr_id"):
            person = await self.roster.by_hr_id(str(raw["hr_id"]))
            if person is None:
                problems.append(RowProblem(n, "criteria-row-unknown-hr-id", {"value": str(raw["hr_id"])}))
            return person
        code = str(raw.get("unit") or "").strip()
        unit = units.get(code) or units.get(code.upper())
        if not raw.get("full_name") or unit is None:
            key = "criteria-row-no-person" if not raw.get("full_name") else "people-row-unknown-unit"
            problems.append(RowProblem(n, key, {"unit": code}))
            return None
        stmt = select(Person).where(
            Person.name_search == search_key(str(raw["full_name"])),
            Person.unit_id == unit.id,
            Person.active.is_(True),
        )
        people = list((await self.ctx.session.scalars(stmt)).all())
        if len(people) != 1:
            key = "criteria-row-unknown-person" if not people else "criteria-row-ambiguous-person"
            problems.append(RowProblem(n, key, {"name": str(raw["full_name"]), "unit": unit.code}))
            return None
        return people[0]

    @staticmethod
    def _code(
        raw: dict[str, Any], name: str, table: dict[str, str], problems: list[RowProblem]
    ) -> str | None:
        value = table.get(_key(raw.get(name)))
        if value is None:
            problems.append(
                RowProblem(raw["row"], f"criteria-row-bad-{name}", {"value": str(raw.get(name) or "")})
            )
        return value

    async def check(
        self, kind: str, raw_rows: list[dict[str, Any]], year: PlanSchoolYear
    ) -> tuple[list[dict[str, Any]], list[RowProblem]]:
        units = await self.roster.units_by_code()
        now, problems, good, seen = self.ctx.clock.now(), [], [], {}
        for raw in raw_rows:
            before = len(problems)
            values: dict[str, Any] = {"school_year_id": year.id, "imported_at": now}
            if kind == "unit_grades":
                unit = units.get(str(raw.get("unit") or "")) or units.get(str(raw.get("unit") or "").upper())
                if unit is None:
                    problems.append(
                        RowProblem(
                            raw["row"], "people-row-unknown-unit", {"unit": str(raw.get("unit") or "")}
                        )
                    )
                values["unit_id"] = unit.id if unit else None
            else:
                person = await self._person(raw, units, problems)
                values["person_id"] = person.id if person else None
            if kind in ("grades", "unit_grades"):
                values["rating"] = self._code(raw, "rating", RATINGS, problems)
            elif kind == "discipline":
                values["measure"] = self._code(raw, "measure", MEASURES, problems)
                values["decided_on"] = self._day(raw, problems)
            else:
                values["kind"] = self._code(raw, "kind", INITIATIVE_WORDS, problems)
                values["scope"] = self._code(raw, "scope", SCOPES, problems)
                values["title"] = str(raw.get("title") or "")[:2000]
                values["title_key"] = search_key(values["title"])[:200]
                values["recognised_by"] = (
                    (str(raw["recognised_by"])[:200]) if raw.get("recognised_by") else None
                )
            if len(problems) > before:
                continue
            key = tuple(values[k] for k in _KEYS[kind])
            if key in seen:
                problems.append(RowProblem(raw["row"], "people-row-duplicate", {"first": seen[key]}))
                continue
            seen[key] = raw["row"]
            good.append(values)
        return good, problems

    def _day(self, raw: dict[str, Any], problems: list[RowProblem]) -> date | None:
        if raw.get("decided_on") is None:
            return None
        try:
            return parse_birth_date(raw["decided_on"], self.ctx.clock.today())
        except ValueError:
            problems.append(RowProblem(raw["row"], "people-row-bad-date", {"value": str(raw["decided_on"])}))
            return None

    async def import_rows(
        self, kind: str, raw_rows: list[dict[str, Any]], year_code: str, source_name: str = ""
    ) -> ImportResult:
        """Import the rows of one kind for a school year; with any bad row nothing is imported. From the
        CLI (no actor) or by the secretary in chat, checked again here."""
        from bot.services.voting.common import is_secretary
        from bot.services.voting.errors import NotSecretary

        if self.ctx.actor is not None and not is_secretary(self.ctx.actor):
            raise NotSecretary()
        year = await self.school_year(year_code)
        good, problems = await self.check(kind, raw_rows, year)
        if problems:
            raise CriteriaHasBadRows(problems)
        result = ImportResult(kind, year.code)
        model = _MODELS[kind]
        for values in good:
            existing = await self.ctx.session.scalar(
                select(model.id).where(*[getattr(model, k) == values[k] for k in _KEYS[kind]])
            )
            changed = await self.repo.upsert(model, _KEYS[kind], values)
            bucket = "created" if existing is None else "updated" if changed else "unchanged"
            setattr(result, bucket, getattr(result, bucket) + 1)
        await self.repo.mark(year.id, kind, len(good), source_name, self.ctx.clock.now())
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "criteria.imported",
            "plan_school_year",
            year.id,
            after={
                "kind": kind,
                "file": source_name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return result


_MODELS: dict[str, Any] = {
    "grades": StaffGrade,
    "unit_grades": UnitGrade,
    "discipline": Discipline,
    "initiatives": Initiative,
}
_KEYS: dict[str, tuple[str, ...]] = {
    "grades": ("school_year_id", "person_id"),
    "unit_grades": ("school_year_id", "unit_id"),
    "discipline": ("school_year_id", "person_id", "measure"),
    "initiatives": ("school_year_id", "person_id", "kind", "title_key"),
}
