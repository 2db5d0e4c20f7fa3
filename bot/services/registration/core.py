"""The service's common part: the actor, the school year and its window, who decides, the view of a row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import fmt_when
from bot.context import Ctx
from bot.roles import Member, Role, can
from bot.services.reminder_times import QuietHours
from storage.models import Person, Unit
from storage.models.plan import PlanCommendation, PlanMovement, PlanSchoolYear
from storage.models.registration import (
    Registration,
    RegistrationSubject,
)
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.registration import RegistrationRepo
from storage.repositories.roster import RosterRepo

from .rules import (
    NoMarkup,
    NoSchoolYear,
    NotLinked,
    NotYourUnit,
    RegistrationMarkup,
    RegistrationNotFound,
    RegistrationTexts,
    View,
    Window,
    WindowClosed,
    WindowNotOpen,
    plan_name,
)


class RegistrationCore:
    def __init__(
        self, ctx: Ctx, markup: RegistrationMarkup | None = None, texts: RegistrationTexts | None = None
    ) -> None:
        self.ctx = ctx
        self.repo = RegistrationRepo(ctx.session)
        self.plan = PlanRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self.markup: RegistrationMarkup = markup or NoMarkup()
        self._texts = texts

    @property
    def texts(self) -> RegistrationTexts:
        if self._texts is None:  # a caller that queues messages hands in the texts (the handlers do)
            raise RuntimeError("RegistrationService needs its texts to queue messages")
        return self._texts

    @property
    def actor(self) -> Member:
        if self.ctx.actor is None:
            raise NotLinked()
        return self.ctx.actor

    def is_secretary(self, member: Member | None = None) -> bool:
        return can(member or self.ctx.actor, "registration_manage")

    # -- the school year and its window ----------------------------------------------------------------
    async def current_year(self) -> PlanSchoolYear:
        """The school year that contains today; else NoSchoolYear naming when the last one ended and when
        the next one's registration opens (if a loaded plan has one)."""
        today = self.ctx.clock.today()
        year = await self.plan.school_year_on(today)
        if year is not None:
            return year
        years = list((await self.ctx.session.scalars(select(PlanSchoolYear))).all())
        past = sorted((y for y in years if y.end < today), key=lambda y: y.end)
        future = sorted((y for y in years if y.start > today), key=lambda y: y.start)
        raise NoSchoolYear(
            last=past[-1].code if past else "",
            ended=past[-1].end.strftime("%d/%m/%Y") if past else "",
            next=future[0].code if future else "",
            opens=future[0].registration_opens_at if future else None,
        )

    async def window(
        self,
        *,
        person_id: int | None = None,
        unit_id: int | None = None,
        school_year: PlanSchoolYear | None = None,
    ) -> Window:
        """Is registration open for this person (or unit) now? The plan's window of the current school
        year (or `school_year`), closing at the latest of the plan's end and the secretary's extensions for
        the college and for the person's unit now. Raises NoSchoolYear when no school year contains today.
        The reminders feature calls this too."""
        year = school_year or await self.current_year()
        if person_id is not None and unit_id is None:
            person = await self.people.get(person_id)
            unit_id = person.unit_id if person else None
        closes = year.registration_closes_at
        for ext in await self.repo.extensions(year.id):
            if ext.unit_id is None or ext.unit_id == unit_id:
                closes = max(closes, ext.closes_at)
        return Window(
            year, year.registration_opens_at, closes, year.registration_closes_at, self.ctx.clock.now()
        )

    def _require_open(self, window: Window) -> None:
        if window.not_yet:
            raise WindowNotOpen(year=window.school_year.code, opens=fmt_when(window.opens_at))
        if not window.open:
            raise WindowClosed(year=window.school_year.code, closed=fmt_when(window.closes_at))

    # -- who may -------------------------------------------------------------------------------------------
    async def _me(self) -> tuple[Member, Person]:
        me = self.actor
        person = await self.people.get(me.person_id)
        if person is None or not person.active or person.telegram_id is None:
            raise NotLinked()
        if person.unit_id is None:
            raise NotYourUnit()
        return me, person

    async def headed_units(self) -> list[Unit]:
        me = self.actor
        ids = sorted(
            {g.unit_id for g in me.grants if g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD) and g.unit_id}
        )
        units = await self.repo.units(ids)
        return [units[i] for i in ids if i in units]

    # -- the plan's choices --------------------------------------------------------------------------------
    async def titles(self, school_year: PlanSchoolYear, subject: str) -> list[PlanCommendation]:
        rows = await self.plan.commendations(school_year.period_id, "title")
        return [r for r in rows if r.subject == subject and r.registration_required]

    async def movements(self, school_year: PlanSchoolYear) -> list[PlanMovement]:
        return await self.plan.movements(school_year.period_id)

    def after_quiet_hours(self) -> datetime:
        """When a message goes to someone who did not just act: now, or at the end of the quiet hours."""
        now = self.ctx.clock.now()
        quiet = QuietHours.parse(self.ctx.settings.reminder_quiet_hours, self.ctx.settings.tz)
        return quiet.send_at(now, now + timedelta(days=1))

    @staticmethod
    def _audit(row: Registration) -> dict[str, Any]:
        return {
            "state": row.state,
            "version": row.version,
            "subject": row.subject,
            "unit_id": row.unit_id,
            "title_id": row.title_id,
            "movement_ids": list(row.movement_ids),
            "commitments_length": len(row.commitments),
            "return_reason": row.return_reason,
            "decided_by": row.decided_by,
        }

    # -- routing -----------------------------------------------------------------------------------------
    async def deciders(self, row: Registration) -> tuple[list[Person], bool]:
        """Who endorses it now, and whether that is the secretary: the unit's head or acting deputy for a
        staff member's; the secretary for a collective one, a head's own, or a unit with no linked head."""
        today = self.ctx.clock.today()
        if row.subject == RegistrationSubject.INDIVIDUAL.value:
            heads = await self.roster.heads_of(row.unit_id, today)
            if heads and all(h.id != row.person_id for h in heads):
                return heads, False
        return await self.people.with_role(Role.SECRETARY, today), True

    async def may_decide(self, row: Registration, member: Member | None = None) -> bool:
        member = member or self.actor
        _deciders, secretary = await self.deciders(row)
        if secretary:
            return self.is_secretary(member)
        return member.heads(row.unit_id) and member.person_id != row.person_id

    async def _owner_person(self, row: Registration) -> Person | None:
        if row.person_id is not None:
            return await self.people.get(row.person_id)
        if row.submitted_by is not None:
            return await self.people.get(row.submitted_by)
        return None

    # -- views ---------------------------------------------------------------------------------------------
    async def _view(self, row: Registration) -> View:
        locale = self.actor.language if self.ctx.actor else "vi"
        people = await self.repo.people([row.person_id, row.decided_by])
        owner_person = people.get(row.person_id) if row.person_id else None
        unit_id = owner_person.unit_id if owner_person and owner_person.unit_id else row.unit_id
        units = await self.repo.units([unit_id])
        unit = units.get(unit_id)
        title = await self.ctx.session.get(PlanCommendation, row.title_id) if row.title_id else None
        year = await self.ctx.session.get(PlanSchoolYear, row.school_year_id) if row.school_year_id else None
        movements = {m.id: m for m in (await self.plan.movements(year.period_id) if year else [])}
        decider = people.get(row.decided_by) if row.decided_by else None
        return View(
            row,
            owner_person.full_name if owner_person else (unit.name if unit else "?"),
            unit.name if unit else "",
            plan_name(title, locale) if title else "?",
            [plan_name(movements[m], locale) for m in row.movement_ids if m in movements],
            decider.full_name if decider else None,
            year.code if year else "",
        )

    async def view(self, registration_id: int) -> View:
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        return await self._view(row)

    async def title_name(self, title_id: int) -> str:
        row = await self.ctx.session.get(PlanCommendation, title_id)
        return plan_name(row, self.actor.language) if row else "?"
