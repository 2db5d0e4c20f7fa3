"""Exports of taking part (issue 21): the plan's acknowledgements per unit, and the registrations.

- `acknowledgements`: per unit, the active people, how many acknowledged the plan (of the school year's
  period, else the latest period), how many not yet, the share; a second sheet lists each person with the
  day they acknowledged (blank: not yet). Filters: year, unit.
- `registrations`: each registration of the school year (individual or collective), its title, movements,
  commitments, state and days. Filters: year, unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select

from bot.exports import common as c
from bot.exports.registry import ExportFilter, export_kind
from bot.exports.workbook import Column, Sheet, info_lines, xlsx
from storage.models import Person, PlanAcknowledgement, PlanPeriod, Registration, Unit
from storage.models.plan import PlanCommendation, PlanMovement, PlanSchoolYear

ACK_UNITS = (
    c.NO,
    c.UNIT_CODE,
    c.UNIT,
    Column("export-col-people", "int", 10),
    Column("export-col-acknowledged", "int", 12),
    Column("export-col-not-yet", "int", 12),
    Column("export-col-share", "share", 10),
)
ACK_PEOPLE = (
    c.NO,
    c.NAME,
    Column("export-col-position", width=24),
    c.UNIT_CODE,
    Column("export-col-acknowledged-on", "when", 18),
)


async def _period_id(session: Any, f: ExportFilter) -> int | None:
    if f.school_year_id is not None:
        return await session.scalar(
            select(PlanSchoolYear.period_id).where(PlanSchoolYear.id == f.school_year_id)
        )
    return await session.scalar(
        select(PlanPeriod.id).order_by(PlanPeriod.start_year.desc(), PlanPeriod.id.desc())
    )


def build_acknowledgements(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    people = [r for r in rows if r[0] == "person"]
    units: dict[str, list[Any]] = {}
    for _, _name, _position, code, unit_name, when in people:
        tally = units.setdefault(code, [unit_name, 0, 0])
        tally[1] += 1
        tally[2] += when is not None
    unit_rows = [
        (code, name, total, done, total - done, Fraction(done, total) if total else None)
        for code, (name, total, done) in sorted(units.items())
    ]
    person_rows = [(name, position, code, when) for _, name, position, code, _u, when in people]
    sheets = [
        Sheet("export-kind-acknowledgements", ACK_UNITS, c.numbered(unit_rows)),
        Sheet("export-sheet-people", ACK_PEOPLE, c.numbered(person_rows)),
    ]
    info = info_lines("export-kind-acknowledgements", f, len(person_rows), locale)
    return xlsx(sheets, locale=locale, info=info)


@export_kind(
    "acknowledgements",
    title="export-kind-acknowledgements",
    roles=c.SECRETARY_AND_HEADS,
    filters=("year", "unit"),
    file_name="quan-triet-ke-hoach",
    build=build_acknowledgements,
    order=10,
)
async def acknowledgements(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    period = await _period_id(ctx.session, f)
    acked = (
        select(PlanAcknowledgement.person_id, func.min(PlanAcknowledgement.acknowledged_at).label("at"))
        .where(PlanAcknowledgement.period_id == period)
        .group_by(PlanAcknowledgement.person_id)
        .subquery()
    )
    rows = await ctx.session.execute(
        select(Person.full_name, Person.position, Unit.code, Unit.name, acked.c.at)
        .join(Unit, Unit.id == Person.unit_id)
        .outerjoin(acked, acked.c.person_id == Person.id)
        .where(Person.active.is_(True), Unit.active.is_(True), *f.in_scope(Person.unit_id))
        .order_by(Unit.code, Person.name_search)
    )
    return [("person", r[0], r[1], r[2], r[3], r[4]) for r in rows]


REGISTRATIONS = (
    c.NO,
    c.YEAR,
    c.SUBJECT,
    c.NAME,
    c.UNIT_CODE,
    c.TITLE,
    Column("export-col-movements", width=40),
    Column("export-col-commitments", width=60),
    c.STATE,
    Column("export-col-submitted-on", "when", 18),
    Column("export-col-decided-on", "when", 18),
    Column("export-col-return-reason", width=40),
)


def build_registrations(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    from bot.exports.workbook import table

    out = [
        (
            year,
            c.subject(person_id, locale),
            person or unit_name,
            unit_code,
            c.pick(title_vi, title_en, locale),
            movements,
            commitments,
            c.label("registration-state", state, locale),
            submitted,
            decided,
            reason,
        )
        for (
            year,
            person_id,
            person,
            unit_code,
            unit_name,
            title_vi,
            title_en,
            movements,
            commitments,
            state,
            submitted,
            decided,
            reason,
        ) in rows
    ]
    return table("export-kind-registrations", REGISTRATIONS, c.numbered(out), f, locale)


@export_kind(
    "registrations",
    title="export-kind-registrations",
    roles=c.SECRETARY_AND_HEADS,
    filters=("year", "unit"),
    file_name="dang-ky-thi-dua",
    build=build_registrations,
    order=20,
)
async def registrations(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    s = ctx.session
    movements = {
        m.id: c.pick(m.name_vi, m.name_en, f.locale) for m in (await s.scalars(select(PlanMovement)))
    }
    query = (
        select(
            PlanSchoolYear.code,
            Registration.person_id,
            Person.full_name,
            Unit.code,
            Unit.name,
            PlanCommendation.name_vi,
            PlanCommendation.name_en,
            Registration.movement_ids,
            Registration.commitments,
            Registration.state,
            Registration.submitted_at,
            Registration.decided_at,
            Registration.return_reason,
        )
        .join(PlanSchoolYear, PlanSchoolYear.id == Registration.school_year_id)
        .join(Unit, Unit.id == Registration.unit_id)
        .join(PlanCommendation, PlanCommendation.id == Registration.title_id)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(*f.in_scope(Registration.unit_id))
        .order_by(
            PlanSchoolYear.start,
            Unit.code,
            Registration.person_id.is_not(None),
            Person.name_search,
            Registration.id,
        )
    )
    if f.school_year_id is not None:
        query = query.where(Registration.school_year_id == f.school_year_id)
    rows = []
    for r in await s.execute(query):
        names = "; ".join(movements.get(m, "") for m in (r[7] or []))
        rows.append((*r[:7], names, *r[8:]))
    return rows
