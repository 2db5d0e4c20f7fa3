"""The plan in the database, one module per seam; this package is the facade every caller imports.

- `references`: the rows of other features that point at plan rows (a reload may not drop those);
- `loading`: a plan file made into the period's rows (`LoadingService.load`, `LoadReport`);
- `windows`: what is current (period, school year, rounds) and the voting windows (`WindowService`);
- `money`: the lương cơ sở in force and a commendation's award money (`MoneyService`: decisions build on it);
- `documents`: the cached Telegram file_id of a period's document (`DocumentService`).

`PlanService(ctx)` is all of them in one, as callers have always used it; new code may use the smaller
classes directly.
"""

from __future__ import annotations

from bot.context import Ctx
from bot.plan.calendar import effective_voting_window, round_phase
from bot.services.plan.documents import DocumentService
from bot.services.plan.loading import KINDS, LoadingService, LoadReport
from bot.services.plan.money import AwardAmount, MoneyService
from bot.services.plan.references import (
    Reference,
    RefTarget,
    references,
    register_reference,
    unregister_reference,
)
from bot.services.plan.windows import (
    CurrentPlan,
    PlanNotLoaded,
    RoundNotFound,
    WindowError,
    WindowService,
)
from storage.repositories.plan import PlanRepo


class PlanService(LoadingService, WindowService, MoneyService, DocumentService):
    """The whole plan service: loading, what is current and the windows, money, the document's file_id."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = PlanRepo(ctx.session)


__all__ = [
    "KINDS",
    "AwardAmount",
    "CurrentPlan",
    "DocumentService",
    "LoadReport",
    "LoadingService",
    "MoneyService",
    "PlanNotLoaded",
    "PlanService",
    "RefTarget",
    "Reference",
    "RoundNotFound",
    "WindowError",
    "WindowService",
    "effective_voting_window",
    "references",
    "register_reference",
    "round_phase",
    "unregister_reference",
]
