"""The plan's acknowledgements and the roster figures of /status: queries and one insert. Never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Person, Unit
from storage.models.registration import PlanAcknowledgement, Registration, RegistrationSubject


class AcknowledgementRepo:
    def __init__(self, session: AsyncSession, *, is_sqlite: bool = True) -> None:
        self.session = session
        self.is_sqlite = is_sqlite

    async def get(self, period_id: int, person_id: int) -> PlanAcknowledgement | None:
        return await self.session.scalar(
            select(PlanAcknowledgement).where(
                PlanAcknowledgement.period_id == period_id, PlanAcknowledgement.person_id == person_id
            )
        )

    async def add_once(self, period_id: int, person_id: int, at: datetime) -> bool:
        """Insert unless it exists; True when this call inserted it (a race loses quietly)."""
        insert = (sqlite if self.is_sqlite else postgresql).insert(PlanAcknowledgement)
        stmt = (
            insert.values(period_id=period_id, person_id=person_id, acknowledged_at=at)
            .on_conflict_do_nothing(index_elements=["period_id", "person_id"])
            .returning(PlanAcknowledgement.id)
        )
        return await self.session.scalar(stmt) is not None

    async def acknowledged(self, period_id: int, person_ids: Iterable[int]) -> set[int]:
        ids = list(person_ids)
        if not ids:
            return set()
        rows = await self.session.scalars(
            select(PlanAcknowledgement.person_id).where(
                PlanAcknowledgement.period_id == period_id, PlanAcknowledgement.person_id.in_(ids)
            )
        )
        return set(rows.all())

    # -- the roster ----------------------------------------------------------------------------------
    async def linked_people(self) -> list[Person]:
        """Everyone who has joined and is active (reachable or not: the outbox decides)."""
        rows = await self.session.scalars(
            select(Person).where(Person.telegram_id.is_not(None), Person.active.is_(True)).order_by(Person.id)
        )
        return list(rows.all())

    async def roster(self, unit_id: int | None = None) -> list[Person]:
        """The active people of a unit (every unit's when None), joined or not, by name."""
        stmt = select(Person).where(Person.active.is_(True), Person.unit_id.is_not(None))
        if unit_id is not None:
            stmt = stmt.where(Person.unit_id == unit_id)
        rows = await self.session.scalars(stmt.order_by(Person.name_search, Person.id))
        return list(rows.all())

    async def units(self, ids: Iterable[int] | None = None) -> list[Unit]:
        stmt = select(Unit).where(Unit.active.is_(True))
        if ids is not None:
            stmt = stmt.where(Unit.id.in_(list(ids)))
        return list((await self.session.scalars(stmt.order_by(Unit.code))).all())

    async def person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    # -- registrations (read only: the registration feature writes them) -------------------------------
    async def individual_registrations(
        self, school_year_id: int, person_ids: Iterable[int]
    ) -> dict[int, Registration]:
        ids = list(person_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(Registration).where(
                Registration.school_year_id == school_year_id,
                Registration.subject == RegistrationSubject.INDIVIDUAL.value,
                Registration.person_id.in_(ids),
            )
        )
        return {r.person_id: r for r in rows.all() if r.person_id is not None}

    async def registrations_of_person(self, person_id: int) -> list[Registration]:
        rows = await self.session.scalars(
            select(Registration)
            .where(
                Registration.subject == RegistrationSubject.INDIVIDUAL.value,
                Registration.person_id == person_id,
            )
            .order_by(Registration.school_year_id)
        )
        return list(rows.all())

    # -- reminders -----------------------------------------------------------------------------------
    async def queued_keys(self, keys: Iterable[str]) -> set[str]:
        wanted = list(keys)
        if not wanted:
            return set()
        rows = await self.session.scalars(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(wanted))
        )
        return {k for k in rows.all() if k is not None}
