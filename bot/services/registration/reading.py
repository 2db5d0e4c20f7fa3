"""What waits for the actor (/pending), the secretary's list, one's own over the years."""

from __future__ import annotations

from storage.models import Unit
from storage.models.plan import PlanCommendation
from storage.models.registration import (
    Registration,
    RegistrationState,
    owner_key,
)

from .core import RegistrationCore
from .rules import (
    PAGE_SIZE,
    NotSecretary,
    Page,
    View,
)


class Reading(RegistrationCore):
    # -- lists ---------------------------------------------------------------------------------------------
    async def pending(self) -> list[View]:
        """Everything waiting for the actor: for a head, the unit's staff registrations (not the heads'
        own); for the secretary, collective ones, heads' own and those of units with no linked head."""
        me = self.actor
        year = await self.current_year()
        rows: list[Registration] = []
        today = self.ctx.clock.today()
        for unit in await self.headed_units():
            heads = [h.id for h in await self.roster.heads_of(unit.id, today)]
            rows += await self.repo.waiting(year.id, unit_id=unit.id, heads=heads)
        if self.is_secretary(me):
            for row in await self.repo.waiting(year.id, unit_id=None):
                if row not in rows and (await self.deciders(row))[1]:
                    rows.append(row)
        return [await self._view(r) for r in rows if r.person_id != me.person_id]

    async def listing(
        self,
        *,
        unit_id: int | None = None,
        title_id: int | None = None,
        state: str | None = None,
        page: int = 0,
    ) -> Page:
        if not self.is_secretary():
            raise NotSecretary()
        year = await self.current_year()
        page = max(page, 0)
        rows, total = await self.repo.page(
            year.id,
            unit_id=unit_id or None,
            title_id=title_id or None,
            states=[state] if state else None,
            offset=page * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        if not rows and page > 0 and total:
            return await self.listing(unit_id=unit_id, title_id=title_id, state=state, page=pages - 1)
        counts: dict[int, int] = {}
        for tid, st, n in await self.repo.counts_by_title(year.id):
            if st != RegistrationState.WITHDRAWN.value:
                counts[tid] = counts.get(tid, 0) + n
        titles = [(await self.title_name(tid), n) for tid, n in sorted(counts.items())]
        return Page([await self._view(r) for r in rows], total, page, pages, titles)

    async def filter_choices(self) -> tuple[list[Unit], list[PlanCommendation]]:
        if not self.is_secretary():
            raise NotSecretary()
        year = await self.current_year()
        units = await self.roster.units(active_only=True)
        titles = [
            r for r in await self.plan.commendations(year.period_id, "title") if r.registration_required
        ]
        return units, titles

    async def mine(self) -> list[View]:
        """The actor's own registrations over the years (the individual ones), newest first."""
        me = self.actor
        return [
            await self._view(r) for r in await self.repo.history(owner_key("individual", me.person_id, None))
        ]
