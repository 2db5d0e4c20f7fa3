"""Good deeds: queries and conditional state changes. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.good_deed import GoodDeed, GoodDeedFile, GoodDeedState, GoodDeedSubject


class GoodDeedRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, item: GoodDeed) -> GoodDeed:
        self.session.add(item)
        return item

    def add_file(self, item: GoodDeedFile) -> GoodDeedFile:
        self.session.add(item)
        return item

    async def get(self, item_id: int) -> GoodDeed | None:
        return await self.session.get(GoodDeed, item_id)

    async def refresh(self, item: GoodDeed) -> GoodDeed:
        await self.session.refresh(item)
        return item

    async def files(self, item_id: int) -> list[GoodDeedFile]:
        rows = await self.session.scalars(
            select(GoodDeedFile).where(GoodDeedFile.good_deed_id == item_id).order_by(GoodDeedFile.position)
        )
        return list(rows)

    async def decide(
        self, item_id: int, version: int, state: GoodDeedState, by: int, at: datetime, reason: str | None
    ) -> bool:
        """Verify or reject a deed still submitted at that version; False when someone decided first."""
        result = await self.session.execute(
            update(GoodDeed)
            .where(
                GoodDeed.id == item_id,
                GoodDeed.version == version,
                GoodDeed.state == GoodDeedState.SUBMITTED.value,
            )
            .values(state=state.value, decided_by=by, decided_at=at, reason=reason, version=version + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def verified_for(
        self, *, person_id: int | None = None, unit_id: int | None = None, period_id: int | None = None
    ) -> list[GoodDeed]:
        """Verified deeds about one person, or about one unit as a collective, newest first
        (what a nomination can attach)."""
        q = select(GoodDeed).where(GoodDeed.state == GoodDeedState.VERIFIED.value)
        if person_id is not None:
            q = q.where(GoodDeed.subject == GoodDeedSubject.PERSON.value, GoodDeed.person_id == person_id)
        elif unit_id is not None:
            q = q.where(GoodDeed.subject == GoodDeedSubject.UNIT.value, GoodDeed.unit_id == unit_id)
        else:
            raise ValueError("verified_for needs person_id or unit_id")
        if period_id is not None:
            q = q.where(GoodDeed.period_id == period_id)
        rows = await self.session.scalars(q.order_by(GoodDeed.happened_on.desc(), GoodDeed.id.desc()))
        return list(rows)

    async def recent_verified(self, unit_id: int | None, limit: int = 20) -> list[GoodDeed]:
        """The latest verified deeds of a unit (its people and itself), or of the college (None)."""
        q = select(GoodDeed).where(GoodDeed.state == GoodDeedState.VERIFIED.value)
        if unit_id is not None:
            q = q.where(GoodDeed.unit_id == unit_id)
        q = q.order_by(GoodDeed.decided_at.desc(), GoodDeed.id.desc()).limit(limit)
        rows = await self.session.scalars(q)
        return list(rows)

    async def verified_counts(self, unit_id: int | None) -> tuple[dict[int, int], dict[int, int]]:
        """Verified deeds counted per person and per unit (all of the unit's), in a unit or the college."""
        base = select(GoodDeed.person_id, GoodDeed.unit_id, func.count()).where(
            GoodDeed.state == GoodDeedState.VERIFIED.value
        )
        if unit_id is not None:
            base = base.where(GoodDeed.unit_id == unit_id)
        per_person: dict[int, int] = {}
        per_unit: dict[int, int] = {}
        rows = await self.session.execute(base.group_by(GoodDeed.person_id, GoodDeed.unit_id))
        for person_id, u_id, n in rows:
            if person_id is not None:
                per_person[person_id] = per_person.get(person_id, 0) + n
            per_unit[u_id] = per_unit.get(u_id, 0) + n
        return per_person, per_unit

    async def pending(self, unit_ids: Sequence[int] | None, exclude: Sequence[int] = ()) -> list[GoodDeed]:
        """Deeds waiting for verification in these units (None: all), oldest first."""
        q = select(GoodDeed).where(GoodDeed.state == GoodDeedState.SUBMITTED.value)
        if unit_ids is not None:
            q = q.where(GoodDeed.unit_id.in_(list(unit_ids)))
        if exclude:
            q = q.where(GoodDeed.id.not_in(list(exclude)))
        rows = await self.session.scalars(q.order_by(GoodDeed.created_at, GoodDeed.id))
        return list(rows)
