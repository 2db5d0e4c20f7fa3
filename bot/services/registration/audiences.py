"""The reminders' audiences of registration (bot/services/reminder_audiences.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reminder_audiences import (
    Items,
    Occurrence,
    audience,
    named_per_unit,
    people_where,
    unit_items,
)
from storage.models import Person, Unit
from storage.models.registration import (
    Registration,
    RegistrationState,
    RegistrationSubject,
)
from storage.repositories.people import heads_the_unit

# registered: sent or endorsed; a returned one is to fix, and its owner is reminded (issue 18, D17)
COUNTS = (RegistrationState.SUBMITTED.value, RegistrationState.ENDORSED.value)


def registered(school_year_id: int) -> Any:
    """Has an individual registration of the school year that counts (sent or endorsed: not withdrawn, nor
    returned to be fixed).

    A correlated EXISTS, so that its negation is an anti-join: PostgreSQL plans `NOT IN (subquery)` as a
    subplan run once per person as soon as the year's registrations outgrow work_mem (a million staff:
    hours), since NOT IN must honour NULLs. SQLite probes the (person, school year) index once per person
    (migration 0020); without it, it walked the year's registrations per person."""
    return (
        select(Registration.id)
        .where(
            Registration.person_id == Person.id,
            Registration.school_year_id == school_year_id,
            Registration.subject == RegistrationSubject.INDIVIDUAL.value,
            Registration.state.in_(COUNTS),
        )
        .exists()
    )


def _registered(occ: Occurrence) -> Any:
    return registered(occ.school_year_id)


async def not_registered_in(session: AsyncSession, school_year_id: int, unit_id: int | None) -> list[int]:
    """The linked, reachable people of one unit (or of every unit) with no registration that counts: ids."""
    where = [Person.unit_id.is_not(None), ~registered(school_year_id)]
    if unit_id is not None:
        where.append(Person.unit_id == unit_id)
    return await people_where(session, *where)


@audience("registration_close", "pending")
async def not_registered(session: AsyncSession, occ: Occurrence) -> list[int]:
    """Staff on a unit's roster (of this occurrence's units) with no registration for the school year that
    counts: none, withdrawn, or returned and not yet sent again."""
    return await people_where(
        session, Person.unit_id.is_not(None), occ.in_units(Person.unit_id), ~_registered(occ)
    )


@unit_items("registration_close")
async def units_not_registered(session: AsyncSession, occ: Occurrence) -> dict[int, Items]:
    """Per unit: staff not registered (by name), the unit's own registration missing, registrations to
    endorse (by name)."""
    staff = (
        select(Person.unit_id, Person.full_name, Person.telegram_id.is_not(None))
        .where(
            Person.active.is_(True),
            Person.unit_id.is_not(None),
            occ.in_units(Person.unit_id),
            ~_registered(occ),
        )
        .order_by(Person.full_name, Person.id)
    )
    out = named_per_unit((await session.execute(staff)).all(), "not_registered")
    own = (
        select(Registration.id)
        .where(
            Registration.school_year_id == occ.school_year_id,
            Registration.unit_id == Unit.id,
            Registration.subject == RegistrationSubject.COLLECTIVE.value,
            Registration.state.in_(COUNTS),
        )
        .exists()
    )
    units = select(Unit.id).where(Unit.active.is_(True), occ.in_units(Unit.id), ~own)
    for (unit_id,) in (await session.execute(units)).all():
        out.setdefault(unit_id, {})["unit_not_registered"] = 1
    for unit_id, items in (await _to_endorse(session, occ)).items():
        out.setdefault(unit_id, {}).update(items)
    return out


async def _to_endorse(session: AsyncSession, occ: Occurrence) -> dict[int, Items]:
    stmt = (
        select(Registration.unit_id, Person.full_name, Person.telegram_id.is_not(None))
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.school_year_id == occ.school_year_id,
            Registration.state == RegistrationState.SUBMITTED.value,
            Registration.subject == RegistrationSubject.INDIVIDUAL.value,
            occ.in_units(Registration.unit_id),
            ~heads_the_unit(
                Registration.person_id, Registration.unit_id, occ.today or date.today()
            ),  # a head's own: the secretary's
        )
        .order_by(Registration.id)
    )
    return named_per_unit((await session.execute(stmt)).all(), "to_endorse")


@unit_items("nominations_close")
async def registrations_to_endorse(session: AsyncSession, occ: Occurrence) -> dict[int, Items]:
    """Per unit: staff registrations still waiting for the head's endorsement, by name."""
    return await _to_endorse(session, occ)
