"""The deadlines the reminders know, worked out from the plan's rows and the secretary's changes.

Each is an `Occurrence`: its kind, school year, round or unit, and instant, as it stands now. A registration
window extended for one unit gives that unit an occurrence of its own (and the college's leaves the unit
out); a round's nomination extension moves the round's deadline; the voting window follows the early
opening and the extension; the award ceremony follows the time the secretary set in chat, and the council's
review meeting is one once she has set it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.calendar import effective_voting_window
from bot.services.reminder_audiences import Occurrence
from storage.models import Unit
from storage.models.nomination import NominationExtension
from storage.models.plan import PlanRound, PlanSchoolYear
from storage.models.registration import RegistrationExtension


def _base(sy: PlanSchoolYear, opens: datetime, today: date) -> dict[str, Any]:
    """What every occurrence of a school year shares."""
    return {
        "period_id": sy.period_id,
        "school_year_id": sy.id,
        "school_year": sy.code,
        "opens_at": opens,
        "today": today,
    }


def _year_occurrences(
    sy: PlanSchoolYear, extensions: list[RegistrationExtension], today: date, units: dict[int, str]
) -> Iterable[Occurrence]:
    base = _base(sy, sy.registration_opens_at, today)
    college = sy.registration_closes_at
    for ext in extensions:
        if ext.unit_id is None:
            college = max(college, ext.closes_at)
    own = {e.unit_id: e.closes_at for e in extensions if e.unit_id is not None and e.closes_at > college}
    yield Occurrence(kind="registration_close", deadline=college, other_units=frozenset(own), **base)
    for unit_id, closes in sorted(own.items()):
        name = units.get(unit_id, "")
        yield Occurrence(kind="registration_close", deadline=closes, unit_id=unit_id, unit_name=name, **base)
    ack = sy.acknowledgement_closes_at or sy.registration_closes_at
    yield Occurrence(kind="acknowledgement", deadline=ack, **base)
    if sy.province_report_at is not None:
        yield Occurrence(kind="province_report", deadline=sy.province_report_at, **base)


def _round_occurrences(
    r: PlanRound, sy: PlanSchoolYear, extension: datetime | None, today: date
) -> Iterable[Occurrence]:
    base = _base(sy, r.nominations_open_at, today) | {
        "round_id": r.id,
        "round_name_vi": r.name_vi,
        "round_name_en": r.name_en,
    }
    nominations = max(r.nominations_close_at, extension) if extension else r.nominations_close_at
    voting_open, voting_close = effective_voting_window(r)
    yield Occurrence(kind="nominations_close", deadline=nominations, **base)
    yield Occurrence(kind="voting_open", deadline=voting_open, **base)
    yield Occurrence(kind="voting_close", deadline=voting_close, **base)
    if r.review_meeting_at is not None:  # the council's review meeting, once the secretary set it
        yield Occurrence(
            kind="review_meeting", deadline=r.review_meeting_at, place=r.review_meeting_place, **base
        )
    ceremony = r.ceremony_set_at or r.ceremony_at
    yield Occurrence(kind="ceremony", deadline=ceremony, place=r.ceremony_place, **base)


async def occurrences(session: AsyncSession, after: datetime, today: date) -> list[Occurrence]:
    """Every deadline still ahead of `after`, soonest first (a handful of queries, whatever the staff)."""
    years = {sy.id: sy for sy in (await session.scalars(select(PlanSchoolYear))).all()}
    reg_ext: dict[int, list[RegistrationExtension]] = {}
    for ext in (await session.scalars(select(RegistrationExtension))).all():
        reg_ext.setdefault(ext.school_year_id, []).append(ext)
    nom_ext = {e.round_id: e.closes_at for e in (await session.scalars(select(NominationExtension))).all()}
    extended = {e.unit_id for exts in reg_ext.values() for e in exts if e.unit_id is not None}
    units: dict[int, str] = {}
    if extended:
        stmt = select(Unit.id, Unit.name).where(Unit.id.in_(sorted(extended)))
        units = {unit_id: name for unit_id, name in (await session.execute(stmt)).all()}
    out: list[Occurrence] = []
    for sy in years.values():
        out += _year_occurrences(sy, reg_ext.get(sy.id, []), today, units)
    for r in (await session.scalars(select(PlanRound))).all():
        sy = years.get(r.school_year_id)
        if sy is not None:
            out += _round_occurrences(r, sy, nom_ext.get(r.id), today)
    return sorted((o for o in out if o.deadline > after), key=lambda o: (o.deadline, o.kind, o.scope))
