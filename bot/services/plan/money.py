"""The plan's money: the lương cơ sở in force on a day, and the award money of a commendation.

What decisions build on: `MoneyService(ctx).award_amount(code, decision_date)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.context import Ctx
from bot.errors import DomainError
from bot.services.plan.windows import PlanNotLoaded, WindowService
from storage.models.plan import PlanMoneyValue
from storage.repositories.plan import PlanRepo


@dataclass(frozen=True)
class AwardAmount:
    factor: Decimal
    luong_co_so: int
    amount: int  # đồng, rounded half up


class MoneyService:
    """The money of the plan in force on a day: a decision's award amount is computed here."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = PlanRepo(ctx.session)

    async def luong_co_so_on(self, day: date, period_id: int | None = None) -> PlanMoneyValue | None:
        """The lương cơ sở in force on `day` (of the period, or of any loaded period)."""
        return await self.repo.money_in_force(day, period_id)

    async def award_amount(
        self, code: str, decision_date: date, subject: str | None = None, period_id: int | None = None
    ) -> AwardAmount | None:
        """Award money for `code` decided on `decision_date`: the factor × lương cơ sở in force that day.

        None when the plan gives no factor for that day (the money is paid by the level that decides).
        """
        if period_id is None:
            period = await WindowService(self.ctx).period_on(decision_date) or await self.repo.latest_period()
            if period is None:
                raise PlanNotLoaded()
            period_id = period.id
        item = await self.repo.commendation_by_code(period_id, code)
        if item is None:
            raise DomainError("plan-unknown-code", code=code)
        factors = [
            f
            for f in await self.repo.factors([item.id])
            if f.effective_from <= decision_date and f.subject in (None, subject or item.subject)
        ]
        base = await self.luong_co_so_on(decision_date, period_id) or await self.luong_co_so_on(decision_date)
        if not factors or base is None:
            return None
        factor = max(factors, key=lambda f: f.effective_from).factor
        amount = (Decimal(factor) * base.amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return AwardAmount(Decimal(factor), base.amount, int(amount))
