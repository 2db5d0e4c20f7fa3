"""The roster from the HR list (`thidua staff import FILE.xlsx|FILE.csv`) and the rule for full names.

People exist before they join (Person.telegram_id is NULL until then), so a unit's counts cover everyone.
The stable key of a person is the HR id when the file has one, else the normalised name + date of birth
+ unit. Importing again updates people in place and never duplicates them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.context import Ctx
from bot.errors import DomainError
from bot.roles import Role
from bot.services.audit import Audit
from bot.text import nfc, search_key
from storage.models import Person
from storage.repositories.roster import RosterRepo

NAME_MIN, NAME_MAX = 2, 100
_NAME_PUNCT = set("'’ʼ-‐‑")  # apostrophes and hyphens may join the letters of a name


# -- full names ------------------------------------------------------------------------------------
class NameInvalid(DomainError):
    key = "join-name-letters"


def clean_full_name(text: str) -> str:
    """A full name, NFC-normalised with single spaces; raises NameInvalid with the reason.

    2–100 characters of letters (Vietnamese included) and spaces; apostrophes and hyphens are allowed
    between letters. Digits, emoji and other symbols are refused.
    """
    name = nfc(" ".join((text or "").split()))
    if any(unicodedata.category(c) == "Nd" or c.isdigit() for c in name):
        raise NameInvalid("join-name-digits")
    letters = sum(1 for c in name if unicodedata.category(c).startswith("L"))
    bad = [c for c in name if not (unicodedata.category(c)[0] in "LM" or c == " " or c in _NAME_PUNCT)]
    if bad or letters == 0:
        raise NameInvalid("join-name-letters")
    if len(name) < NAME_MIN or letters < NAME_MIN:
        raise NameInvalid("join-name-too-short", min=NAME_MIN)
    if len(name) > NAME_MAX:
        raise NameInvalid("join-name-too-long", max=NAME_MAX, length=len(name))
    return name


# -- reading the file ------------------------------------------------------------------------------
FIELDS = ("full_name", "unit", "position", "birth_date", "email", "phone", "hr_id")
HEADERS: dict[str, str] = {
    **dict.fromkeys(["full name", "fullname", "name", "ho ten", "ho va ten", "ten"], "full_name"),
    **dict.fromkeys(["unit", "unit code", "ma don vi", "don vi", "ma dv"], "unit"),
    **dict.fromkeys(["position", "chuc vu", "chuc danh"], "position"),
    **dict.fromkeys(["birth date", "date of birth", "dob", "ngay sinh"], "birth_date"),
    **dict.fromkeys(["email", "e mail", "thu dien tu"], "email"),
    **dict.fromkeys(["phone", "dien thoai", "so dien thoai", "sdt"], "phone"),
    **dict.fromkeys(
        ["hr id", "ma nhan su", "ma ns", "ma can bo", "ma cb", "ma vien chuc", "ma nhan vien", "ma nv"],
        "hr_id",
    ),
}
REQUIRED = ("full_name", "unit")
IGNORED = frozenset({"stt", "tt", "so tt", "so thu tu", "no", "ghi chu", "note", "notes"})


class RosterFileInvalid(DomainError):
    key = "people-import-bad-file"


def _header(text: Any) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", search_key(str(text or ""))).split())


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _columns(table: list[list[Any]]) -> dict[int, str]:
    """The field of each column; a header not recognised, or a field named twice, refuses the file."""
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for i, h in enumerate(table[0]):
        name = _header(h)
        if not name:
            if any(i < len(r) and _cell(r[i]) is not None for r in table[1:]):
                raise RosterFileInvalid("people-import-untitled-column", n=i + 1)
            continue  # an empty column: nothing to guess
        if name in IGNORED:
            continue
        f = HEADERS.get(name)
        if f is None:
            unknown.append(f"“{str(h).strip()}”")
        elif f in columns.values():
            first = next(j for j, g in columns.items() if g == f)
            raise RosterFileInvalid(
                "people-import-duplicate-column",
                field=str(table[0][first]).strip(),
                columns=f"“{str(table[0][first]).strip()}”, “{str(h).strip()}”",
            )
        else:
            columns[i] = f
    if unknown:
        raise RosterFileInvalid("people-import-unknown-columns", columns=", ".join(unknown))
    return columns


def rows_from_table(table: list[list[Any]]) -> list[dict[str, Any]]:
    """Map the header row to fields; each row gets `row`, its number in the file (the header is 1)."""
    if not table:
        raise RosterFileInvalid("people-import-empty")
    columns = _columns(table)
    missing = [f for f in REQUIRED if f not in columns.values()]
    if missing:
        raise RosterFileInvalid("people-import-missing-columns", columns=", ".join(missing))
    out = []
    for n, raw in enumerate(table[1:], start=2):
        values = {f: _cell(raw[i]) if i < len(raw) else None for i, f in columns.items()}
        if all(v is None for v in values.values()):
            continue  # blank line
        out.append({"row": n, **{f: values.get(f) for f in FIELDS}})
    return out


def read_roster_file(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        try:
            dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return rows_from_table([list(r) for r in csv.reader(text.splitlines(), dialect)])
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            return rows_from_table([list(r) for r in ws.iter_rows(values_only=True)])
        finally:
            wb.close()
    raise RosterFileInvalid("people-import-bad-type", suffix=suffix or path.name)


# -- checking rows ---------------------------------------------------------------------------------
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RosterRow:
    row: int
    full_name: str
    unit_id: int
    unit_code: str
    position: str | None
    birth_date: date | None
    email: str | None
    phone: str | None
    hr_id: str | None

    @property
    def key(self) -> tuple[Any, ...]:
        if self.hr_id:
            return ("hr", self.hr_id)
        return ("name", search_key(self.full_name), self.birth_date, self.unit_id)


class RosterHasBadRows(DomainError):
    key = "people-import-bad-rows"

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowProblem] = field(default_factory=list)


def parse_birth_date(value: Any, today: date) -> date:
    """dd/mm/yyyy, yyyy-mm-dd (ISO, as in the plan files) or a spreadsheet date; raises ValueError."""
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        text = str(value).strip()
        if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
            d = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        elif m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        else:
            raise ValueError(value)
    if d.year < 1900 or d > today:
        raise ValueError(value)
    return d


class RosterService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = RosterRepo(ctx.session)

    async def check(self, raw_rows: list[dict[str, Any]]) -> tuple[list[RosterRow], list[RowProblem]]:
        units = await self.repo.units_by_code()
        today = self.ctx.clock.today()
        good: list[RosterRow] = []
        problems: list[RowProblem] = []
        seen: dict[tuple[Any, ...], int] = {}
        for raw in raw_rows:
            n = raw["row"]
            before = len(problems)
            name = ""
            try:
                name = clean_full_name(str(raw.get("full_name") or ""))
            except NameInvalid as e:
                key = "people-row-empty-name" if not raw.get("full_name") else "people-row-bad-name"
                problems.append(RowProblem(n, key, {"name": raw.get("full_name") or "", "reason": e.key}))
            code = str(raw.get("unit") or "").strip()
            unit = units.get(code) or units.get(code.upper())
            if unit is None:
                problems.append(RowProblem(n, "people-row-unknown-unit", {"unit": code}))
            birth: date | None = None
            if raw.get("birth_date") is not None:
                try:
                    birth = parse_birth_date(raw["birth_date"], today)
                except ValueError:
                    problems.append(RowProblem(n, "people-row-bad-date", {"value": str(raw["birth_date"])}))
            email = raw.get("email")
            if email is not None and not EMAIL_RE.match(str(email)):
                problems.append(RowProblem(n, "people-row-bad-email", {"value": str(email)}))
            if len(problems) > before or unit is None:
                continue
            row = RosterRow(
                row=n,
                full_name=name,
                unit_id=unit.id,
                unit_code=unit.code,
                position=_limit(raw.get("position"), 120),
                birth_date=birth,
                email=_limit(email, 200),
                phone=_limit(raw.get("phone"), 40),
                hr_id=_limit(raw.get("hr_id"), 40),
            )
            if row.key in seen:
                problems.append(RowProblem(n, "people-row-duplicate", {"first": seen[row.key]}))
                continue
            seen[row.key] = n
            good.append(row)
        return good, problems

    async def import_rows(
        self, raw_rows: list[dict[str, Any]], *, skip_bad: bool = False, source_name: str = ""
    ) -> ImportResult:
        """Import the roster; with any bad row nothing is imported unless `skip_bad`."""
        good, problems = await self.check(raw_rows)
        if problems and not skip_bad:
            raise RosterHasBadRows(problems)
        result = ImportResult(skipped=problems)
        for row in good:
            outcome = await self._upsert(row)
            setattr(result, outcome, getattr(result, outcome) + 1)
        Audit(self.ctx).record(
            "roster.imported",
            "roster",
            None,
            after={
                "file": source_name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped_rows": [p.row for p in problems],
            },
        )
        return result

    async def _find(self, row: RosterRow) -> Person | None:
        if row.hr_id:
            person = await self.repo.by_hr_id(row.hr_id)
            if person is not None:
                return person
        candidates = await self.repo.by_key(search_key(row.full_name), row.birth_date, row.unit_id)
        for p in candidates:
            if p.hr_id is None or p.hr_id == row.hr_id:
                return p
        if row.birth_date is not None:  # someone added by an invite, before HR listed them
            for p in await self.repo.by_key(search_key(row.full_name), None, row.unit_id):
                if p.source == "invite" and p.hr_id is None:
                    return p
        return None

    async def _upsert(self, row: RosterRow) -> str:
        now = self.ctx.clock.now()
        values: dict[str, Any] = {
            "full_name": row.full_name,
            "name_search": search_key(row.full_name),
            "unit_id": row.unit_id,
            "position": row.position,
            "birth_date": row.birth_date,
            "email": row.email,
            "phone": row.phone,
            "hr_id": row.hr_id,
        }
        person = await self._find(row)
        audit = Audit(self.ctx)
        if person is None:
            person = Person(
                **values,
                source="roster",
                confirmed=True,
                language="vi",
                active=True,
                unreachable=False,
                created_at=now,
            )
            self.repo.add(person)
            await self.ctx.session.flush()
            audit.record("person.imported", "person", person.id, after={**values, "row": row.row})
            return "created"
        # an empty optional cell keeps what is known; the HR list confirms people added by invite
        changes = {k: v for k, v in values.items() if v is not None and getattr(person, k) != v}
        if person.source == "invite" and not person.confirmed:
            changes["confirmed"] = True
        if not changes:
            return "unchanged"
        before = {k: getattr(person, k) for k in changes}
        old_unit = person.unit_id
        for k, v in changes.items():
            setattr(person, k, v)
        if "unit_id" in changes:
            for grant in person.roles:
                if grant.role == Role.STAFF.value and grant.unit_id == old_unit:
                    grant.unit_id = row.unit_id
        audit.record("person.updated", "person", person.id, before=before, after={**changes, "row": row.row})
        self.ctx.forget_person(person.telegram_id)
        return "updated"


def _limit(value: Any, size: int) -> str | None:
    if value is None:
        return None
    text = nfc(" ".join(str(value).split()))
    return text[:size] or None
