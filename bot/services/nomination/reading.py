"""Reading nominations: a card, the report, the lists (/nominations, /pending, the nominee's /status), the
draft's preview, and the reminders' audience. Nothing here writes: locking is the due work's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import can
from bot.services.reminder_audiences import Items, Occurrence, named_per_unit, unit_items
from storage.models import Person, Unit
from storage.models.nomination import Nomination, NominationState, ReportState
from storage.models.plan import PlanCommendation, PlanRound
from storage.repositories.people import heads_the_unit

from .rules import PAGE_SIZE, SUBMIT, Draft, NominationNotFound, NotNominator, Page, View
from .submit import Nominating


class Reading(Nominating):
    async def view(self, nomination_id: int) -> View:
        """A nomination the actor may see: a nominator of its unit, or the secretary; never one's own."""
        return await self._view(await self._nominators_row(nomination_id))

    async def report_of(self, nomination_id: int) -> View:
        """The nomination whose report the actor reads ("Xem báo cáo"): as `view`, with a report in."""
        view = await self.view(nomination_id)
        if not (view.item.report_text or view.item.report_file_id):
            raise NominationNotFound()
        return view

    async def preview(self, draft: Draft) -> View:
        """The draft as it will be stored (nothing is written): "bản nháp, chưa gửi"."""
        row = Nomination(
            id=draft.nomination_id or 0,
            round_id=draft.round_id,
            subject=draft.subject,
            owner=draft.owner,
            person_id=draft.person_id,
            unit_id=draft.unit_id,
            commendation_id=draft.commendation_id,
            summary=draft.summary,
            file_name=draft.file_name,
            state="submitted",
            report_state="missing",
            version=draft.version,
            created_by=self.actor.person_id,
        )
        view = await self._view(row, draft=True)
        view.deeds = [d for d in await self.deeds(draft) if d.id in draft.deed_ids]
        return view

    async def listing(
        self, *, round_id: int = 0, commendation_id: int = 0, state: str = "", page: int = 0
    ) -> Page:
        """A head sees the unit's nominations (not one about himself), the secretary all of them."""
        if not can(self.ctx.actor, SUBMIT):
            raise NotNominator()
        secretary = self.is_secretary()
        units = [None] if secretary else [u.id for u in await self.headed_units()]
        rows: list[Nomination] = []
        total = 0
        for unit_id in units:
            found, n = await self.repo.page(
                unit_id=unit_id,
                round_id=round_id,
                commendation_id=commendation_id,
                state=state,
                but_person=None if secretary else self.actor.person_id,
                offset=0,
                limit=1000,
            )
            rows += found
            total += n
        page = max(page, 0)
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(page, pages - 1)
        chosen = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        return Page([await self._view(r) for r in chosen], total, page, pages)

    async def filter_choices(self) -> tuple[list[PlanRound], list[PlanCommendation]]:
        rounds = await self.plan.rounds_around(self.ctx.clock.now())
        titles: list[PlanCommendation] = []
        for r in rounds:
            titles += [
                c
                for c in await self.plan.commendations(r.period_id)
                if c.code in r.nominable and c not in titles
            ]
        return rounds, titles

    async def pending_reports(self) -> list[View]:
        """Reports waiting for the actor's review: a head's, of the units he heads (not his own, nor a head's
        own); the secretary's, heads' own and those of units with no linked head (issue 18)."""
        me = self.ctx.actor
        if me is None:
            return []
        if self.is_secretary():
            rows = []
            for row in await self.repo.reports_waiting(None):
                if me.heads(row.unit_id) or (await self._reviewers(row))[1]:
                    rows.append(row)
        else:
            units = [u.id for u in await self.headed_units()]
            rows = await self.repo.reports_waiting(units)
        views = [await self._view(r) for r in rows]
        return [v for v in views if v.may_review]

    async def of_nominee(self, person_id: int) -> list[View]:
        """The nominations of a person (not withdrawn), for their /status."""
        return [await self._view(r) for r in await self.repo.of_person(person_id)]


# -- the reminders' audiences (bot/services/reminder_audiences.py) -------------------------------------------
@unit_items("nominations_close")
async def units_to_nominate(session: AsyncSession, occ: Occurrence) -> dict[int, Items]:
    """Per unit: nominated nobody in the round yet; achievement reports waiting to be reviewed, by the
    nominee's name (a collective's: the unit's)."""
    out: dict[int, Items] = {}
    nominated = (
        select(Nomination.id)
        .where(
            Nomination.round_id == occ.round_id,
            Nomination.unit_id == Unit.id,
            Nomination.state != NominationState.WITHDRAWN.value,
        )
        .exists()
    )
    staffed = select(Person.id).where(Person.unit_id == Unit.id, Person.active.is_(True)).exists()
    for (unit_id,) in (
        await session.execute(select(Unit.id).where(Unit.active.is_(True), staffed, ~nominated))
    ).all():
        out.setdefault(unit_id, {})["nominated_nobody"] = 1
    reports = (
        select(
            Nomination.unit_id,
            func.coalesce(Person.full_name, Unit.name),
            Person.id.is_(None) | Person.telegram_id.is_not(None),
        )
        .outerjoin(Person, Person.id == Nomination.person_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .where(
            Nomination.round_id == occ.round_id,
            Nomination.state != NominationState.WITHDRAWN.value,
            Nomination.report_state == ReportState.SUBMITTED.value,
            # a head's own report is the secretary's to review (`Core._reviewers`)
            ~heads_the_unit(Nomination.person_id, Nomination.unit_id, occ.today or date.today()),
        )
        .order_by(Nomination.id)
    )
    for unit_id, items in named_per_unit((await session.execute(reports)).all(), "reports_to_review").items():
        out.setdefault(unit_id, {}).update(items)
    return out
