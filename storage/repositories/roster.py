"""The roster: units and the people of the college, whether or not they have joined."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import HEAD_ROLES
from storage.models import Person, PersonRole, Unit
from storage.repositories.people import role_in_force


class RosterRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- units --------------------------------------------------------------------------------------
    async def units(self, *, active_only: bool = False) -> list[Unit]:
        stmt = select(Unit).order_by(Unit.code)
        if active_only:
            stmt = stmt.where(Unit.active.is_(True))
        return list((await self.session.scalars(stmt)).all())

    async def units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in await self.units()}

    async def unit(self, unit_id: int) -> Unit | None:
        return await self.session.get(Unit, unit_id)

    async def unit_by_code(self, code: str) -> Unit | None:
        return await self.session.scalar(select(Unit).where(Unit.code == code))

    def add(self, obj: Unit | Person) -> None:
        self.session.add(obj)

    # -- people -------------------------------------------------------------------------------------
    async def person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def by_hr_id(self, hr_id: str) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.hr_id == hr_id))

    async def by_key(self, name_search: str, birth_date: date | None, unit_id: int) -> list[Person]:
        """People with this normalised name, date of birth and unit (the key when there is no HR id)."""
        stmt = select(Person).where(Person.name_search == name_search, Person.unit_id == unit_id)
        stmt = stmt.where(
            Person.birth_date.is_(None) if birth_date is None else Person.birth_date == birth_date
        )
        return list((await self.session.scalars(stmt.order_by(Person.id))).all())

    def _not_joined(self, unit_id: int):  # type: ignore[no-untyped-def]
        return select(Person).where(
            Person.unit_id == unit_id, Person.telegram_id.is_(None), Person.active.is_(True)
        )

    async def not_joined(self, unit_id: int, offset: int = 0, limit: int | None = None) -> list[Person]:
        """Active roster people of the unit who have not joined yet, by name."""
        stmt = self._not_joined(unit_id).order_by(Person.name_search, Person.id).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def count_active(self, unit_id: int) -> int:
        """The unit's headcount: its active roster people, joined or not."""
        stmt = select(func.count(Person.id)).where(Person.unit_id == unit_id, Person.active.is_(True))
        return int(await self.session.scalar(stmt) or 0)

    async def count_not_joined(self, unit_id: int) -> int:
        sub = self._not_joined(unit_id).subquery()
        return int(await self.session.scalar(select(func.count()).select_from(sub)) or 0)

    async def heads_of(self, unit_id: int, today: date) -> list[Person]:
        """Linked, active heads of the unit on `today` (acting deputies too, within their delegation)."""
        stmt = (
            select(Person)
            .join(PersonRole)
            .where(
                PersonRole.role.in_([r.value for r in HEAD_ROLES]),
                PersonRole.unit_id == unit_id,
                role_in_force(today),
                Person.active.is_(True),
                Person.telegram_id.is_not(None),
            )
            .order_by(Person.id)
        )
        return list((await self.session.scalars(stmt)).unique())
