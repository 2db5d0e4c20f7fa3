"""What the export kinds share: the usual columns, the roles of the usual scope, labels, the school
year's days.

A kind's query returns plain tuples (names already joined in SQL, one query where it can); its build turns
codes into labels in the requester's language with `label(...)` and writes one workbook with
`workbook.table(...)`. None of them reads a date of birth, a phone number or an e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import select

from bot.exports.registry import ExportFilter
from bot.exports.workbook import Column
from bot.i18n import t
from bot.roles import Role, Scope
from storage.models.plan import PlanSchoolYear

# The usual scope: the secretary every unit, a head (or the acting deputy) the own unit.
SECRETARY_AND_HEADS = {
    Role.SECRETARY: Scope.ALL,
    Role.UNIT_HEAD: Scope.OWN_UNIT,
    Role.DEPUTY_HEAD: Scope.OWN_UNIT,
}
SECRETARY_ONLY = {Role.SECRETARY: Scope.ALL}

NO = Column("export-col-no", "int", 6)
NAME = Column("export-col-name", width=28)
UNIT = Column("export-col-unit", width=28)
UNIT_CODE = Column("export-col-unit-code", width=10)
SUBJECT = Column("export-col-subject", width=10)
TITLE = Column("export-col-title", width=30)
ROUND = Column("export-col-round", width=28)
YEAR = Column("export-col-year", width=11)
STATE = Column("export-col-state", width=16)


@cache
def label(prefix: str, value: str | None, locale: str) -> str:
    """The catalogue's name of a state or kind (`<prefix>-<value>`), capitalised as a cell starts, or the
    value itself when it has none."""
    if value is None:
        return ""
    key = f"{prefix}-{value}"
    text = t(key, locale=locale)
    return value if text == key else text[:1].upper() + text[1:]


def pick(vi: str | None, en: str | None, locale: str) -> str:
    return (en if locale == "en" and en else vi) or ""


def subject(person_id: int | None, locale: str) -> str:
    return t(
        "export-subject-individual" if person_id is not None else "export-subject-collective", locale=locale
    )


def numbered(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Each row with its number (STT) first."""
    return [(n, *row) for n, row in enumerate(rows, start=1)]


async def year_days(session: Any, f: ExportFilter) -> tuple[date, date] | None:
    """The first and last day of the school year chosen, or None."""
    if f.school_year_id is None:
        return None
    year = await session.get(PlanSchoolYear, f.school_year_id)
    return (year.start, year.end) if year is not None else None


def day_range(days: tuple[date, date], tz: Any) -> tuple[datetime, datetime]:
    """The instants (UTC) of a school year's first day at 00:00 and its last day's end, local time."""
    start = datetime.combine(days[0], time.min, tz).astimezone(UTC)
    end = datetime.combine(days[1], time.max, tz).astimezone(UTC)
    return start, end


async def year_of_round(session: Any, f: ExportFilter) -> list[Any]:
    """WHERE conditions tying a plan round to the school year chosen (for `PlanRound`-joined queries)."""
    from storage.models.plan import PlanRound

    return [PlanRound.school_year_id == f.school_year_id] if f.school_year_id is not None else []


async def school_year_codes(session: Any) -> dict[int, str]:
    rows = await session.execute(select(PlanSchoolYear.id, PlanSchoolYear.code))
    return {r.id: r.code for r in rows}
