"""Registrations, the plan's acknowledgements and the registration window's extensions. Never commits.

An individual registration counts in the unit its person is in now (docs/decisions.md 16): reads go through
`UNIT_NOW` (the person's unit, else the stored one) so a move shows at once, however it was made; writes
store the current unit too (`follow_person`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Person, Unit
from storage.models.registration import (
    PlanAcknowledgement,
    Registration,
    RegistrationExtension,
    RegistrationMovement,
    RegistrationState,
    RegistrationSubject,
    extension_scope,
    owner_key,
)
from storage.repositories.people import PeopleRepo

_Owner = aliased(Person)
# the unit a registration counts in: the individual's unit now, else the stored unit
UNIT_NOW = func.coalesce(_Owner.unit_id, Registration.unit_id)
LIVE = (RegistrationState.SUBMITTED.value, RegistrationState.RETURNED.value, RegistrationState.ENDORSED.value)


class RegistrationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self) -> Any:
        return select(Registration).outerjoin(_Owner, _Owner.id == Registration.person_id)

    # -- reading ------------------------------------------------------------------------------------
    async def get(self, registration_id: int) -> Registration | None:
        return await self.session.get(Registration, registration_id)

    async def refresh(self, row: Registration) -> Registration:
        await self.session.refresh(row)
        return row

    async def by_owner(
        self, school_year_id: int, *, person_id: int | None = None, unit_id: int | None = None
    ) -> Registration | None:
        """The registration of a person (`person_id`), or of a unit (`unit_id`: its collective one), for
        the school year, whatever its state."""
        if person_id is not None:
            owner = owner_key(RegistrationSubject.INDIVIDUAL, person_id, None)
        else:
            owner = owner_key(RegistrationSubject.COLLECTIVE, None, unit_id)
        return await self.of_owner(school_year_id, owner)

    async def of_owner(self, school_year_id: int, owner: str) -> Registration | None:
        return await self.session.scalar(
            select(Registration).where(
                Registration.school_year_id == school_year_id, Registration.owner == owner
            )
        )

    async def history(self, owner: str) -> list[Registration]:
        """All the registrations of an owner ("p<id>" / "u<id>"), newest first (earlier years too)."""
        rows = await self.session.scalars(
            select(Registration).where(Registration.owner == owner).order_by(Registration.submitted_at.desc())
        )
        return list(rows.all())

    async def counts_by_unit(
        self, school_year_id: int, *, subject: str = RegistrationSubject.INDIVIDUAL.value
    ) -> dict[int, dict[str, int]]:
        """unit id (where the person is now) -> state -> number of registrations of the school year."""
        stmt = (
            select(UNIT_NOW, Registration.state, func.count())
            .select_from(Registration)
            .outerjoin(_Owner, _Owner.id == Registration.person_id)
            .where(Registration.school_year_id == school_year_id, Registration.subject == subject)
            .group_by(UNIT_NOW, Registration.state)
        )
        out: dict[int, dict[str, int]] = {}
        for unit_id, state, n in (await self.session.execute(stmt)).all():
            out.setdefault(int(unit_id), {})[state] = int(n)
        return out

    async def registered_people(self, school_year_id: int, unit_id: int | None = None) -> set[int]:
        """Ids of the people with a live (not withdrawn) individual registration of the school year, in
        `unit_id` now when given."""
        stmt = (
            select(Registration.person_id)
            .select_from(Registration)
            .outerjoin(_Owner, _Owner.id == Registration.person_id)
            .where(
                Registration.school_year_id == school_year_id,
                Registration.subject == RegistrationSubject.INDIVIDUAL.value,
                Registration.state.in_(LIVE),
            )
        )
        if unit_id is not None:
            stmt = stmt.where(UNIT_NOW == unit_id)
        return {int(p) for p in (await self.session.scalars(stmt)).all() if p is not None}

    async def counts_by_title(self, school_year_id: int) -> list[tuple[int, str, int]]:
        """(title id, state, number) of the school year's registrations."""
        stmt = (
            select(Registration.title_id, Registration.state, func.count())
            .where(Registration.school_year_id == school_year_id)
            .group_by(Registration.title_id, Registration.state)
        )
        return [(int(t), s, int(n)) for t, s, n in (await self.session.execute(stmt)).all()]

    @staticmethod
    def _filters(
        school_year_id: int,
        unit_id: int | None,
        title_id: int | None,
        states: Sequence[str] | None,
        subject: str | None,
        exclude_person: int | None,
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Registration.school_year_id == school_year_id]
        if unit_id is not None:
            where.append(UNIT_NOW == unit_id)
        if title_id is not None:
            where.append(Registration.title_id == title_id)
        if states:
            where.append(Registration.state.in_(list(states)))
        if subject is not None:
            where.append(Registration.subject == subject)
        if exclude_person is not None:
            where.append(or_(Registration.person_id.is_(None), Registration.person_id != exclude_person))
        return where

    async def page(
        self,
        school_year_id: int,
        *,
        unit_id: int | None = None,
        title_id: int | None = None,
        states: Sequence[str] | None = None,
        subject: str | None = None,
        exclude_person: int | None = None,
        offset: int = 0,
        limit: int = 5,
    ) -> tuple[list[Registration], int]:
        """One page (oldest submission first: the order they came in) and the number that match."""
        where = self._filters(school_year_id, unit_id, title_id, states, subject, exclude_person)
        base = select(Registration.id).outerjoin(_Owner, _Owner.id == Registration.person_id).where(*where)
        total = await self.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        rows = await self.session.scalars(
            self._select()
            .where(*where)
            .order_by(Registration.submitted_at, Registration.id)
            .offset(offset)
            .limit(limit)
        )
        return list(rows.all()), int(total)

    async def waiting(
        self,
        school_year_id: int,
        *,
        unit_id: int | None = None,
        to_secretary: bool = False,
        heads: Sequence[int] = (),
    ) -> list[Registration]:
        """Submitted registrations waiting for the unit's head (`unit_id`: individual ones of people of the
        unit now, not the heads' own) or for the secretary (collective ones, the heads' own, and those of
        units with no linked head: the caller passes `unit_id=None, to_secretary=True`)."""
        where: list[ColumnElement[bool]] = [
            Registration.school_year_id == school_year_id,
            Registration.state == RegistrationState.SUBMITTED.value,
        ]
        if unit_id is not None:
            where += [
                UNIT_NOW == unit_id,
                Registration.subject == RegistrationSubject.INDIVIDUAL.value,
            ]
            if heads:
                where.append(Registration.person_id.not_in(list(heads)))
        rows = await self.session.scalars(
            self._select().where(*where).order_by(Registration.submitted_at, Registration.id)
        )
        return list(rows.all())

    async def people(self, ids: Sequence[int | None]) -> dict[int, Person]:
        return await PeopleRepo(self.session).people_by_id(ids)

    async def units(self, ids: Sequence[int | None]) -> dict[int, Unit]:
        return await PeopleRepo(self.session).units_by_id(ids)

    # -- writing ------------------------------------------------------------------------------------
    def add(self, row: Registration) -> Registration:
        self.session.add(row)
        return row

    async def set_movements(self, registration_id: int, movement_ids: Sequence[int]) -> None:
        """The movement rows mirror `movement_ids` (a plan reload checks them)."""
        await self.session.execute(
            delete(RegistrationMovement).where(RegistrationMovement.registration_id == registration_id)
        )
        for mid in dict.fromkeys(movement_ids):
            self.session.add(RegistrationMovement(registration_id=registration_id, movement_id=mid))

    async def change(
        self, registration_id: int, *, states: Sequence[str], version: int | None, values: dict[str, Any]
    ) -> bool:
        """A conditional UPDATE: it changes the row only if it is still in one of `states` (and at
        `version`, when given). True when this call won."""
        where: list[ColumnElement[bool]] = [
            Registration.id == registration_id,
            Registration.state.in_(list(states)),
        ]
        if version is not None:
            where.append(Registration.version == version)
        result = await self.session.execute(
            update(Registration).where(*where).values(**values).execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def follow_person(self, person_id: int, unit_id: int) -> int:
        """Store the unit a person moved to on their individual registrations (their registration moves)."""
        result = await self.session.execute(
            update(Registration)
            .where(
                Registration.person_id == person_id,
                Registration.subject == RegistrationSubject.INDIVIDUAL.value,
                Registration.unit_id != unit_id,
            )
            .values(unit_id=unit_id)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- the window's extensions ----------------------------------------------------------------------
    async def extensions(self, school_year_id: int) -> list[RegistrationExtension]:
        rows = await self.session.scalars(
            select(RegistrationExtension).where(RegistrationExtension.school_year_id == school_year_id)
        )
        return list(rows.all())

    async def extension(self, school_year_id: int, unit_id: int | None) -> RegistrationExtension | None:
        return await self.session.scalar(
            select(RegistrationExtension).where(
                RegistrationExtension.school_year_id == school_year_id,
                RegistrationExtension.scope == extension_scope(unit_id),
            )
        )

    def add_extension(self, row: RegistrationExtension) -> RegistrationExtension:
        self.session.add(row)
        return row

    # -- acknowledgements (the other half of issue 11 reads and writes these) -------------------------
    async def acknowledged(self, period_id: int, person_id: int) -> PlanAcknowledgement | None:
        return await self.session.scalar(
            select(PlanAcknowledgement).where(
                PlanAcknowledgement.period_id == period_id, PlanAcknowledgement.person_id == person_id
            )
        )
