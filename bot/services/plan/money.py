"""The plan's money: the lương cơ sở in force on a day, and the award money of a commendation.

What decisions build on: `MoneyService(ctx).award_amount(code, decision_date)`.

The award money is factor × lương cơ sở in force on the decision's date, rounded **up** to a multiple of
the plan's step in force that day (`money.award_rounding`: 10.000 đồng by NĐ 91/2017 Art. 68.2; an exact
multiple stays), per award, before any sum; integer đồng, computed with Decimal. Without a rounding rule in
the plan it is rounded half up to the đồng. An award decided upward carries no school money (None). While
the rounding in force is `to_confirm`, the amount is provisional ("tạm tính").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from bot.context import Ctx
from bot.errors import DomainError
from bot.services.plan.windows import PlanNotLoaded, WindowService
from storage.models.plan import PlanMoneyValue
from storage.repositories.plan import AWARD_ROUND_UP, HIGHEST_ONLY, PlanRepo


@dataclass(frozen=True)
class AwardAmount:
    factor: Decimal
    luong_co_so: int
    amount: int  # đồng, rounded up to `step` (or half up to the đồng without a step)
    step: int | None = None
    provisional: bool = False  # the rounding (or the factor, or the lương cơ sở) in force is `to_confirm`


def round_award(exact: Decimal, step: int | None) -> int:
    """`exact` đồng rounded up to a multiple of `step` (an exact multiple stays); half up to the đồng
    without a step. 702.000 → 710.000, 1.872.000 → 1.880.000, 2.340.000 stays (step 10.000)."""
    if step is None or step <= 1:
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return int((exact / step).to_integral_value(rounding=ROUND_CEILING)) * step


class MoneyService:
    """The money of the plan in force on a day: a decision's award amount is computed here."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = PlanRepo(ctx.session)

    async def luong_co_so_on(self, day: date, period_id: int | None = None) -> PlanMoneyValue | None:
        """The lương cơ sở in force on `day` (of the period, or of any loaded period)."""
        return await self.repo.money_in_force(day, period_id)

    async def rounding_on(self, day: date, period_id: int | None = None) -> PlanMoneyValue | None:
        """The award rounding in force on `day` (its `amount` is the step in đồng), or None."""
        return await self.repo.money_in_force(day, period_id, AWARD_ROUND_UP)

    async def highest_only_on(self, day: date, period_id: int | None = None) -> PlanMoneyValue | None:
        """Whether only the highest of a person's titles in one round is paid (`amount` 1), and its source."""
        return await self.repo.money_in_force(day, period_id, HIGHEST_ONLY)

    async def _period_id(self, day: date, period_id: int | None) -> int:
        if period_id is not None:
            return period_id
        period = await WindowService(self.ctx).period_on(day) or await self.repo.latest_period()
        if period is None:
            raise PlanNotLoaded()
        return period.id

    async def award_amount(
        self, code: str, decision_date: date, subject: str | None = None, period_id: int | None = None
    ) -> AwardAmount | None:
        """Award money for `code` decided on `decision_date`: the factor × lương cơ sở in force that day,
        rounded up to the plan's step in force that day.

        None when the plan gives no factor for that day, or the award is decided upward (the money is paid
        by the level that decides).
        """
        period_id = await self._period_id(decision_date, period_id)
        item = await self.repo.commendation_by_code(period_id, code)
        if item is None:
            raise DomainError("plan-unknown-code", code=code)
        if item.decided_by == "upward":
            return None
        factors = [
            f
            for f in await self.repo.factors([item.id])
            if f.effective_from <= decision_date and f.subject in (None, subject or item.subject)
        ]
        base = await self.luong_co_so_on(decision_date, period_id) or await self.luong_co_so_on(decision_date)
        if not factors or base is None:
            return None
        chosen = max(factors, key=lambda f: f.effective_from)
        factor = Decimal(str(chosen.factor)).normalize()
        rounding = await self.rounding_on(decision_date, period_id)
        step = rounding.amount if rounding is not None else None
        amount = round_award(factor * base.amount, step)
        provisional = bool(
            (rounding is not None and rounding.to_confirm) or chosen.to_confirm or base.to_confirm
        )
        return AwardAmount(factor, base.amount, amount, step, provisional)
