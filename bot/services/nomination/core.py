"""What every part of the nomination service stands on: the actor, the window and its locking, who writes
and who reviews the achievement report, and the view of a nomination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Ctx
from bot.roles import Member, Role, can
from bot.services.audit import Audit
from bot.services.outbox import Outbox
from storage.models import Person
from storage.models.good_deed import GoodDeed
from storage.models.nomination import Nomination, NominationState, ReportState
from storage.models.plan import PlanCommendation, PlanPeriod, PlanRound
from storage.repositories.nomination import NominationRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.registration import RegistrationRepo
from storage.repositories.roster import RosterRepo

from .rules import (
    MANAGE,
    AboutYou,
    Draft,
    NominationMarkup,
    NominationNotFound,
    NominationTexts,
    NoRoundOpen,
    NotNominator,
    NotYourUnit,
    RoundClosed,
    View,
)


class Core:
    def __init__(
        self, ctx: Ctx, texts: NominationTexts | None = None, markup: NominationMarkup | None = None
    ):
        self.ctx = ctx
        self.repo = NominationRepo(ctx.session)
        self.plan = PlanRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self._texts, self._markup = texts, markup

    @property
    def actor(self) -> Member:
        if self.ctx.actor is None:
            raise NotNominator()
        return self.ctx.actor

    def is_secretary(self, member: Member | None = None) -> bool:
        return can(member or self.ctx.actor, MANAGE)

    def may_nominate_for(self, unit_id: int | None) -> bool:
        return self.is_secretary() or self.actor.heads(unit_id)

    async def _nominators_row(self, nomination_id: int) -> Nomination:
        """A nomination the actor may read as a nominator: its unit's head or the secretary; never one about
        themselves, but the secretary (issue 18: a head does not read his own summary)."""
        row = await self.repo.get(nomination_id)
        if row is None:
            raise NominationNotFound()
        if not self.may_nominate_for(row.unit_id):
            raise NotYourUnit()
        if row.person_id == self.actor.person_id and not self.is_secretary():
            raise AboutYou()
        return row

    # -- the window ----------------------------------------------------------------------------------------
    async def closes(self, round_: PlanRound) -> datetime:
        """When the round's nominations close: the plan's date, or the secretary's later extension."""
        ext = await self.repo.extension(round_.id)
        return max(round_.nominations_close_at, ext.closes_at) if ext else round_.nominations_close_at

    async def is_open(self, round_: PlanRound) -> bool:
        now = self.ctx.clock.now()
        voting = round_.voting_opened_early_at or round_.voting_open_at
        return round_.nominations_open_at <= now <= await self.closes(round_) and now < voting

    async def open_rounds(self) -> list[PlanRound]:
        rounds = await self.plan.rounds_around(self.ctx.clock.now())
        return [r for r in rounds if await self.is_open(r)]

    async def _round(self, round_id: int | None, *, open_: bool = True) -> PlanRound:
        round_ = await self.plan.round(round_id or 0)
        if round_ is None:
            raise NoRoundOpen()
        if open_ and not await self.is_open(round_):
            raise RoundClosed(closed=await self.closes(round_))
        return round_

    async def _round_of(self, row: Nomination) -> PlanRound:
        round_ = await self.plan.round(row.round_id)
        assert round_ is not None
        return round_

    async def lock_due(self) -> int:
        """Lock the nominations of rounds whose window has passed; each audited once, by the call whose
        UPDATE locked it (two processes at once lock and audit nothing twice); how many. The due work calls
        it; reads do not: a view shows a passed window's nomination as locked, and edits are refused."""
        now = self.ctx.clock.now()
        count = 0
        for round_id in await self.repo.rounds_with_submitted():
            round_ = await self.plan.round(round_id)
            if round_ is None or now <= await self.closes(round_):
                continue
            for nomination_id in await self.repo.lock_round(round_.id, now):
                Audit(self.ctx).record(
                    "nomination.locked",
                    "nomination",
                    nomination_id,
                    before={"state": "submitted"},
                    after={"state": "locked"},
                )
                count += 1
        return count

    # -- who writes the report, who reviews it ---------------------------------------------------------------
    async def _nominee(self, row: Nomination) -> Person | None:
        return await self.people.get(row.person_id) if row.person_id else None

    async def _secretaries(self) -> list[Person]:
        return await self.people.with_role(Role.SECRETARY, self.ctx.clock.today())

    async def _is_principal(self, person: Person) -> bool:
        """The nominee is the principal (addressed by the title in what is sent to him)."""
        return person.id in {
            p.id for p in await self.people.with_role(Role.PRINCIPAL, self.ctx.clock.today())
        }

    async def _heads(self, row: Nomination) -> list[Person]:
        """The unit's heads but the nominee, else the secretaries: who writes a report the nominee cannot."""
        heads = await self.roster.heads_of(row.unit_id, self.ctx.clock.today())
        return [h for h in heads if h.id != row.person_id] or await self._secretaries()

    async def _writers(self, row: Nomination) -> tuple[list[Person], bool]:
        """Who writes the report: the nominee when linked and reachable, else the unit's head(s)."""
        nominee = await self._nominee(row)
        if nominee is not None and Outbox.reachable(nominee):
            return [nominee], True
        return await self._heads(row), False

    async def _reviewers(self, row: Nomination) -> tuple[list[Person], bool]:
        """Who reviews the report, and whether that is the secretary: the unit's heads, but a head's own
        report (or his acting deputy's) and those of a unit with no linked head go to the secretary."""
        heads = await self.roster.heads_of(row.unit_id, self.ctx.clock.today())
        if heads and row.person_id not in {h.id for h in heads}:
            return heads, False
        return await self._secretaries(), True

    async def _may_review(self, row: Nomination) -> bool:
        """Never one's own report; the secretary any other; a head those routed to him."""
        me = self.actor
        if row.person_id == me.person_id:
            return False
        if self.is_secretary():
            return True
        reviewers, _ = await self._reviewers(row)
        return me.person_id in {p.id for p in reviewers}

    async def _ask_report(self, view: View) -> None:
        """Ask the report's writers for it (the report's part: bot/services/nomination/report.py)."""
        raise NotImplementedError

    # -- the view ------------------------------------------------------------------------------------------
    async def _nominee_name(self, row: Nomination) -> str:
        if row.person_id is not None:
            person = await self.people.get(row.person_id)
            return person.full_name if person else "?"
        unit = await self.roster.unit(row.unit_id)
        return unit.name if unit else "?"

    async def plan_row(self, commendation_id: int | None) -> PlanCommendation | None:
        return await self.ctx.session.get(PlanCommendation, commendation_id or 0)

    async def registration_missing(self, draft: Draft) -> bool:
        """The plan asks for a registration for this title and the nominee has no endorsed one this year."""
        title = await self.plan_row(draft.commendation_id)
        round_ = await self._round(draft.round_id, open_=False)
        if title is None or not title.registration_required:
            return False
        reg = await RegistrationRepo(self.ctx.session).of_owner(round_.school_year_id, draft.owner)
        return reg is None or reg.state != "endorsed" or reg.title_id != title.id

    async def _view(self, row: Nomination, *, draft: bool = False) -> View:
        round_ = await self._round_of(row)
        unit = await self.roster.unit(row.unit_id)
        title = await self.plan_row(row.commendation_id)
        assert title is not None
        period = await self.ctx.session.get(PlanPeriod, round_.period_id)
        deeds = []
        if not draft:
            deed_ids = await self.repo.deed_ids(row.id)
            deeds = [d for d in [await self.ctx.session.get(GoodDeed, i) for i in deed_ids] if d is not None]
        writers, by_nominee = await self._writers(row)
        window_open = await self.is_open(round_)
        state = row.state
        if draft:
            state = "draft"
        elif state == NominationState.SUBMITTED.value and not window_open:
            state = NominationState.LOCKED.value  # the due work locks it within a minute
        nominator = await self.people.get(row.created_by) if row.created_by else None
        me = self.ctx.actor
        live = state == NominationState.SUBMITTED.value and window_open
        return View(
            item=row,
            nominee=await self._nominee_name(row),
            unit=unit.name if unit else "",
            title=title,
            round=round_,
            closes_at=await self.closes(round_),
            deeds=deeds,
            open=state in ("draft", "submitted", "withdrawn") and window_open,
            registration_missing=await self.registration_missing(_draft_of(row)),
            nominee_can_read_summary=bool(period and period.nominee_can_read_summary),
            writer_is_nominee=by_nominee,
            state=state,
            nominator=nominator.full_name if nominator else "",
            nominated_at=row.created_at,
            may_write=live
            and me is not None
            and row.report_state != ReportState.ACCEPTED.value
            and me.person_id in {w.id for w in writers},
            may_review=live
            and me is not None
            and row.report_state == ReportState.SUBMITTED.value
            and await self._may_review(row),
        )

    @staticmethod
    def _audit(row: Nomination) -> dict[str, Any]:
        return {
            "state": row.state,
            "version": row.version,
            "subject": row.subject,
            "person_id": row.person_id,
            "unit_id": row.unit_id,
            "commendation_id": row.commendation_id,
            "summary_length": len(row.summary or ""),
            "file": row.file_name,
            "report_state": row.report_state,
            "report_reason": row.report_reason,
        }


def _draft_of(row: Nomination) -> Draft:
    return Draft(
        round_id=row.round_id,
        subject=row.subject,
        person_id=row.person_id,
        unit_id=row.unit_id,
        commendation_id=row.commendation_id,
    )
