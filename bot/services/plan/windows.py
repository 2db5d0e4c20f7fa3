"""The plan at run time: what is current (period, school year, rounds) and the voting windows.

`WindowService(ctx)` answers which period and rounds are under way, and lets the secretary open a round's
voting early or extend it (audited). Its errors are the ones handlers show for the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.clock import fmt_date
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.i18n import current_locale
from bot.plan.calendar import (
    LOCAL_TZ,
    closes_at,
    effective_voting_window,
    round_ends_at,
    round_phase,
    to_local,
)
from bot.plan.messages import Phrase, render
from bot.roles import Action, can
from bot.services.audit import Audit
from storage.models.plan import PlanPeriod, PlanRound, PlanSchoolYear
from storage.repositories.plan import PlanRepo


# -- errors ----------------------------------------------------------------------------------------------
class PlanNotLoaded(DomainError):
    key = "plan-none-loaded"


class RoundNotFound(DomainError):
    key = "plan-round-not-found"


class WindowError(DomainError):
    """A voting window the secretary cannot set (the key says why)."""

    def text(self, locale: str | None = None) -> str:
        return render(self.key, self.params, locale or current_locale())


# -- what is current ---------------------------------------------------------------------------------------
@dataclass
class CurrentPlan:
    """The period, school year and rounds under way at `now` (any may be missing)."""

    now: datetime
    period: PlanPeriod | None
    school_year: PlanSchoolYear | None
    rounds: list[PlanRound]  # under way: nominations opened, ceremony day not over
    school_year_rounds: list[PlanRound]  # every round of the current school year


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class WindowService:
    """What is current, and the voting windows the secretary may open early or extend."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = PlanRepo(ctx.session)

    # -- what is current --------------------------------------------------------------------------------
    async def period_on(self, day: date) -> PlanPeriod | None:
        """The period of the school year that includes `day`, else the one whose years include it."""
        school_year = await self.repo.school_year_on(day)
        if school_year is not None:
            return await self.repo.period(school_year.period_id)
        return await self.repo.period_of_year(day.year)

    async def current(self, now: datetime | None = None) -> CurrentPlan:
        """The school year and rounds under way at `now` (default: the clock), from the database.

        The period is the one of the current school year, else the one whose years include today, else
        the latest loaded (so the plan can still be shown between two periods).
        """
        now = now or self.ctx.clock.now()
        day = to_local(now).date()  # a naive `now` is refused: its zone would be a guess
        school_year = await self.repo.school_year_on(day)
        if school_year is not None:
            period = await self.repo.period(school_year.period_id)
        else:
            period = await self.repo.period_of_year(day.year) or await self.repo.latest_period()
        rounds = [
            r for r in await self.repo.rounds_around(now) if r.nominations_open_at <= now <= round_ends_at(r)
        ]
        school_year_rounds = await self.repo.rounds_of_school_year(school_year.id) if school_year else []
        return CurrentPlan(now, period, school_year, rounds, school_year_rounds)

    async def period(self, code: str | None = None) -> PlanPeriod:
        """The period `code`, or the current one; raises when no plan is loaded."""
        if code:
            found = await self.repo.period_by_code(code)
            if found is None:
                known = [p.code for p in await self.repo.periods()]
                if not known:
                    raise DomainError("plan-period-unknown-none", code=code)
                raise DomainError("plan-period-unknown", code=code, known=", ".join(known))
            return found
        found = (await self.current()).period
        if found is None:
            raise PlanNotLoaded()
        return found

    # -- voting windows ---------------------------------------------------------------------------------
    def _ensure_secretary(self) -> None:
        if not can(self.ctx.actor, Action.PLAN_WINDOWS):
            raise NotAllowed()

    async def _round(self, round_id: int) -> PlanRound:
        round_ = await self.repo.round(round_id)
        if round_ is None:
            raise RoundNotFound()
        return round_

    @staticmethod
    def _window_state(round_: PlanRound) -> dict[str, Any]:
        opens, closes = effective_voting_window(round_)
        return {
            "voting_open_at": opens,
            "voting_close_at": closes,
            "voting_opened_early_at": round_.voting_opened_early_at,
            "voting_extended_to": round_.voting_extended_to,
        }

    async def early_openable_round(self, round_id: int) -> PlanRound:
        """The round whose voting the secretary may open early now: nominations closed, voting not open."""
        from bot.services.voting.round import ensure_secret

        self._ensure_secretary()
        round_ = await self._round(round_id)
        phase = round_phase(round_, self.ctx.clock.now())
        if phase != "reviewing":
            raise WindowError("plan-early-not-now", phase=Phrase(f"plan-phase-{phase}"))
        ensure_secret(self.ctx)  # told before confirming, not after
        return round_

    async def open_voting_early(self, round_id: int) -> PlanRound:
        """Open the round's voting now, before the plan's date: only once nominations have closed. The
        council's vote opens in the same unit of work (bot/services/voting/round.py: it ends the nomination
        window, the extension included, and locks the nominations); refused without VOTE_SECRET."""
        from bot.services.voting.round import ensure_secret, open_voting

        self._ensure_secretary()
        round_ = await self._round(round_id)
        now = self.ctx.clock.now()
        phase = round_phase(round_, now)
        if phase != "reviewing":
            raise WindowError("plan-early-not-now", phase=Phrase(f"plan-phase-{phase}"))
        ensure_secret(self.ctx)
        before = self._window_state(round_)
        if not await self.repo.open_voting_early(round_.id, now):  # another secretary was faster
            await self.repo.refresh(round_)
            phase = round_phase(round_, now)
            raise WindowError("plan-early-not-now", phase=Phrase(f"plan-phase-{phase}"))
        await self.repo.refresh(round_)
        Audit(self.ctx).record(
            "plan.voting_opened_early",
            "plan_round",
            round_.id,
            before=before,
            after=self._window_state(round_),
        )
        await open_voting(self.ctx, round_, early=True)
        return round_

    async def extendable_round(self, round_id: int) -> PlanRound:
        """The round whose voting the secretary may extend now: its nominations opened, not yet over."""
        self._ensure_secretary()
        round_ = await self._round(round_id)
        phase = round_phase(round_, self.ctx.clock.now())
        if phase == "upcoming":
            raise WindowError("plan-extend-not-yet")
        if phase == "closed":
            raise WindowError("plan-extend-round-over")
        from storage.repositories.voting import VotingRepo

        if await VotingRepo(self.ctx.session).is_over(round_.id):  # closed or tallied: the result stands
            raise WindowError("plan-extend-after-tally")
        return round_

    async def check_extension(self, round_id: int, until: date) -> PlanRound:
        """The round, when its voting may run to the end of the local day `until`; nothing is written
        (the secretary confirms first, and `extend_voting` checks again)."""
        round_ = await self.extendable_round(round_id)
        self._check_until(round_, until)
        return round_

    def _check_until(self, round_: PlanRound, until: date) -> None:
        now = self.ctx.clock.now()
        opens, closes = effective_voting_window(round_)
        today = now.astimezone(LOCAL_TZ).date()
        ceremony = round_.ceremony_at.astimezone(LOCAL_TZ).date()
        new_close = closes_at(until)
        if until < opens.astimezone(LOCAL_TZ).date():
            raise WindowError("plan-extend-before-open", open=_day(opens))
        if until < today:
            raise WindowError("plan-extend-past", today=_day(today))
        if new_close <= closes:
            raise WindowError("plan-extend-not-later", close=_day(closes))
        if until >= ceremony:
            raise WindowError("plan-extend-after-ceremony", ceremony=_day(ceremony))
        if round_.comment_days and until + timedelta(days=round_.comment_days) >= ceremony:
            # issue 20: the list's comment period, published the day after the close, ends before the ceremony
            latest = ceremony - timedelta(days=round_.comment_days + 1)
            raise WindowError(
                "plan-extend-comment-after-ceremony",
                days=round_.comment_days,
                ceremony=_day(ceremony),
                latest=_day(latest),
            )

    async def extend_voting(self, round_id: int, until: date) -> PlanRound:
        """Let the voting run to the end of the local day `until`."""
        round_ = await self.extendable_round(round_id)
        self._check_until(round_, until)
        new_close = closes_at(until)
        before = self._window_state(round_)
        round_.voting_extended_to = _utc(new_close)
        Audit(self.ctx).record(
            "plan.voting_extended", "plan_round", round_.id, before=before, after=self._window_state(round_)
        )
        await self.ctx.session.flush()
        return round_


def _day(value: date | datetime) -> str:
    return fmt_date(value)
