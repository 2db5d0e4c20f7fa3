"""People, units and roles."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import HEAD_ROLES, Grant, Member, Role, grant_active
from storage.models import Person, PersonRole, Unit


def role_in_force(today: date) -> ColumnElement[bool]:
    """SQL twin of `grant_active`: the role row's dates (a delegation, a term) include `today`."""
    return and_(
        or_(PersonRole.valid_from.is_(None), PersonRole.valid_from <= today),
        or_(PersonRole.valid_to.is_(None), PersonRole.valid_to >= today),
    )


def heads_the_unit(person: Any, unit: Any, today: date) -> ColumnElement[bool]:
    """SQL: `person` heads (or acts for the head of) `unit` on `today`; what only the secretary then decides
    (a head's own registration, report or good deed) is not the head's to act on."""
    return (
        select(PersonRole.id)
        .where(
            PersonRole.person_id == person,
            PersonRole.unit_id == unit,
            PersonRole.role.in_([r.value for r in HEAD_ROLES]),
            role_in_force(today),
        )
        .exists()
    )


class PeopleRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.telegram_id == telegram_id))

    async def get(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def member(self, telegram_id: int, today: date) -> Member | None:
        """The linked, active person behind `telegram_id`, with the roles in force today."""
        person = await self.by_telegram_id(telegram_id)
        if person is None or not person.active:
            return None
        return to_member(person, today)

    async def people_by_id(self, ids: Iterable[int | None]) -> dict[int, Person]:
        """The people of `ids` (None left out), in one query."""
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Person).where(Person.id.in_(wanted)))
        return {p.id: p for p in rows.all()}

    async def units_by_id(self, ids: Iterable[int | None]) -> dict[int, Unit]:
        """The units of `ids` (None left out), in one query."""
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = await self.session.scalars(select(Unit).where(Unit.id.in_(wanted)))
        return {u.id: u for u in rows.all()}

    async def unit_by_code(self, code: str) -> Unit | None:
        return await self.session.scalar(select(Unit).where(Unit.code == code))

    async def with_role(self, role: Role, today: date) -> list[Person]:
        """Active people holding `role` on `today`: a delegation or term outside its dates does not count."""
        stmt = (
            select(Person)
            .join(PersonRole)
            .where(PersonRole.role == role.value, role_in_force(today), Person.active.is_(True))
            .order_by(Person.id)
        )
        return list((await self.session.scalars(stmt)).unique())

    async def unconfirmed_in(self, units: Collection[int]) -> list[Person]:
        """People who joined by a unit's link, not on the roster, before a head's word was needed (issue 18):
        linked, with their roles, waiting in the head's /pending to be confirmed or refused."""
        stmt = select(Person).where(
            Person.source == "invite",
            Person.confirmed.is_(False),
            Person.active.is_(True),
            Person.telegram_id.is_not(None),
            Person.unit_id.in_(sorted(units)),
        )
        return list((await self.session.scalars(stmt.order_by(Person.joined_at, Person.id))).all())

    async def holding(self, role: Role, unit_id: int, today: date) -> list[Person]:
        """Active people holding `role` for `unit_id` on `today`, joined or not."""
        stmt = (
            select(Person)
            .join(PersonRole)
            .where(
                PersonRole.role == role.value,
                PersonRole.unit_id == unit_id,
                role_in_force(today),
                Person.active.is_(True),
            )
            .order_by(Person.id)
        )
        return list((await self.session.scalars(stmt)).unique())

    async def headed_units(self, today: date) -> set[int]:
        """The units with a linked, active head (or acting deputy) today: the others' joins go to the
        council's secretary."""
        stmt = (
            select(PersonRole.unit_id)
            .join(Person, Person.id == PersonRole.person_id)
            .where(
                PersonRole.role.in_([r.value for r in HEAD_ROLES]),
                PersonRole.unit_id.is_not(None),
                role_in_force(today),
                Person.active.is_(True),
                Person.telegram_id.is_not(None),
            )
        )
        return {u for u in (await self.session.scalars(stmt)).all() if u is not None}


def to_member(person: Person, today: date) -> Member:
    grants = frozenset(
        Grant(Role(r.role), r.unit_id) for r in person.roles if grant_active(r.valid_from, r.valid_to, today)
    )
    return Member(
        person_id=person.id,
        telegram_id=person.telegram_id or 0,
        full_name=person.full_name,
        unit_id=person.unit_id,
        language=person.language,
        grants=grants,
    )
