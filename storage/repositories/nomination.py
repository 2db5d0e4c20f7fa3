"""Nominations, their good deeds, the nomination window's extensions. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person
from storage.models.nomination import (
    Nomination,
    NominationExtension,
    NominationGoodDeed,
    NominationState,
)


class NominationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, nomination_id: int) -> Nomination | None:
        return await self.session.get(Nomination, nomination_id)

    async def refresh(self, row: Nomination) -> Nomination:
        await self.session.refresh(row)
        return row

    async def of_owner(self, round_id: int, owner: str, commendation_id: int) -> Nomination | None:
        return await self.session.scalar(
            select(Nomination).where(
                Nomination.round_id == round_id,
                Nomination.owner == owner,
                Nomination.commendation_id == commendation_id,
            )
        )

    def add(self, row: Nomination) -> Nomination:
        self.session.add(row)
        return row

    async def change(
        self, nomination_id: int, *, version: int, states: Sequence[str], values: dict[str, Any]
    ) -> bool:
        """Apply `values` if the row is still at `version` in one of `states`; False if another was first."""
        result = await self.session.execute(
            update(Nomination)
            .where(
                Nomination.id == nomination_id, Nomination.version == version, Nomination.state.in_(states)
            )
            .values(**values, version=Nomination.version + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def page(
        self,
        *,
        unit_id: int | None = None,
        round_id: int | None = None,
        commendation_id: int | None = None,
        state: str | None = None,
        but_person: int | None = None,
        offset: int = 0,
        limit: int = 5,
    ) -> tuple[list[Nomination], int]:
        where = []
        if but_person is not None:  # a head's own nomination is not in his list
            where.append(or_(Nomination.person_id.is_(None), Nomination.person_id != but_person))
        if unit_id is not None:
            where.append(Nomination.unit_id == unit_id)
        if round_id:
            where.append(Nomination.round_id == round_id)
        if commendation_id:
            where.append(Nomination.commendation_id == commendation_id)
        if state:
            where.append(Nomination.state == state)
        total = await self.session.scalar(select(func.count()).select_from(Nomination).where(*where)) or 0
        rows = await self.session.scalars(
            select(Nomination).where(*where).order_by(Nomination.id.desc()).offset(offset).limit(limit)
        )
        return list(rows.all()), int(total)

    async def of_person(self, person_id: int) -> list[Nomination]:
        rows = await self.session.scalars(
            select(Nomination)
            .where(Nomination.person_id == person_id, Nomination.state != NominationState.WITHDRAWN.value)
            .order_by(Nomination.id)
        )
        return list(rows.all())

    async def reports_waiting(self, unit_ids: Sequence[int] | None) -> list[Nomination]:
        """Reports waiting for review in these units (None: every unit)."""
        where = [] if unit_ids is None else [Nomination.unit_id.in_(list(unit_ids))]
        rows = await self.session.scalars(
            select(Nomination)
            .where(
                *where,
                Nomination.report_state == "submitted",
                Nomination.state == NominationState.SUBMITTED.value,
            )
            .order_by(Nomination.id)
        )
        return list(rows.all())

    async def rounds_with_submitted(self) -> list[int]:
        rows = await self.session.scalars(
            select(Nomination.round_id).where(Nomination.state == NominationState.SUBMITTED.value).distinct()
        )
        return list(rows.all())

    async def lock_round(self, round_id: int, now: datetime) -> list[int]:
        """Lock the round's submitted nominations; the ids this call's UPDATE changed (another process
        locking at the same time gets the others, or none)."""
        result = await self.session.execute(
            update(Nomination)
            .where(Nomination.round_id == round_id, Nomination.state == NominationState.SUBMITTED.value)
            .values(state=NominationState.LOCKED.value, updated_at=now, version=Nomination.version + 1)
            .returning(Nomination.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(result.scalars().all())

    async def reports_for_linked(self) -> list[tuple[Nomination, Person]]:
        """Submitted nominations of a person whose report is missing or returned, with the nominee, when
        the nominee is linked, active and reachable (to ask those who joined after being nominated)."""
        rows = await self.session.execute(
            select(Nomination, Person)
            .join(Person, Person.id == Nomination.person_id)
            .where(
                Nomination.state == NominationState.SUBMITTED.value,
                Nomination.report_state.in_(["missing", "returned"]),
                Person.telegram_id.is_not(None),
                Person.active.is_(True),
                Person.unreachable.is_(False),
            )
            .order_by(Nomination.id)
        )
        return [(n, p) for n, p in rows.all()]

    # -- good deeds --------------------------------------------------------------------------------------
    async def deed_ids(self, nomination_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(NominationGoodDeed.good_deed_id)
            .where(NominationGoodDeed.nomination_id == nomination_id)
            .order_by(NominationGoodDeed.good_deed_id)
        )
        return list(rows.all())

    async def set_deeds(self, nomination_id: int, deed_ids: Sequence[int]) -> None:
        await self.session.execute(
            delete(NominationGoodDeed).where(NominationGoodDeed.nomination_id == nomination_id)
        )
        for deed_id in dict.fromkeys(deed_ids):
            self.session.add(NominationGoodDeed(nomination_id=nomination_id, good_deed_id=deed_id))
        await self.session.flush()

    # -- the window's extension --------------------------------------------------------------------------
    async def extension(self, round_id: int) -> NominationExtension | None:
        return await self.session.scalar(
            select(NominationExtension).where(NominationExtension.round_id == round_id)
        )

    def add_extension(self, row: NominationExtension) -> NominationExtension:
        self.session.add(row)
        return row
