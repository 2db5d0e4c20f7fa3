"""The award budget of a round (M15), for finance: before the decision, what the council's list would cost
(each award as the decisions issue computes it: factor × lương cơ sở in force today, rounded up to the plan's
step, the highest title only paid); after it, the amounts the decisions recorded. Integer đồng."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.context import Ctx
from bot.services.decisions.common import load_round, round_list
from bot.services.decisions.money import amounts
from bot.services.documents.common import BUDGET, ensure, names
from storage.repositories.decisions import DecisionRepo


@dataclass(frozen=True)
class BudgetLine:
    name: str
    unit: str
    title: str
    amount: int  # đồng paid (0: no school money, or a lower title not paid)
    paid: bool
    provisional: bool


@dataclass(frozen=True)
class Budget:
    round_id: int
    round_vi: str
    round_en: str
    decided: bool  # False: what the council's list would cost; True: what the decisions recorded
    numbers: tuple[str, ...]  # the decisions' numbers
    lines: tuple[BudgetLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def provisional(self) -> bool:
        return any(line.provisional for line in self.lines)

    def by(self, key: str) -> list[tuple[str, int, int]]:
        """[(the title or the unit, count, đồng)], in the order first met."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for line in self.lines:
            cell = out[getattr(line, key)]
            cell[0] += 1
            cell[1] += line.amount
        return [(k, n, total) for k, (n, total) in out.items()]


async def budget(ctx: Ctx, round_id: int) -> Budget:
    ensure(ctx, BUDGET)
    return await compute(ctx, round_id)


async def compute(ctx: Ctx, round_id: int) -> Budget:
    """The budget without the person's check (the export kind's roles checked it)."""
    round_ = await load_round(ctx, round_id)
    repo = DecisionRepo(ctx.session)
    decisions = await repo.decisions(round_id)
    if decisions:
        rows = [c for d in decisions for c in await repo.commendations(d.id) if c.level == "school"]
        rows = [c for c in rows if c.state == "active" or c.recovery != "recovered"]
        persons, units = await names(ctx, (c.person_id for c in rows), (c.unit_id for c in rows))
        lines = []
        for c in rows:
            name, unit_id = persons.get(c.person_id or 0, ("", c.unit_id))
            name = name or units.get(c.unit_id or 0, "")
            amount = (c.amount or 0) if c.paid else 0
            lines.append(
                BudgetLine(name, units.get(unit_id or 0, ""), c.name_vi, amount, c.paid, c.amount_provisional)
            )
        numbers = tuple(d.number for d in decisions)
        return Budget(round_id, round_.name_vi, round_.name_en, True, numbers, tuple(lines))
    listing = round_list(ctx, round_id)
    passed = [c for c in (await listing).passed if c.decided_by == "school"]
    today = ctx.clock.now().astimezone(ctx.settings.tz).date()
    money = await amounts(ctx, passed, today, round_.period_id) if passed else {}
    lines = []
    for c in passed:
        m = money[c.nomination_id]
        amount = (m.computed or 0) if m.paid else 0
        lines.append(BudgetLine(c.name, c.unit, c.title_vi, amount, m.paid, m.provisional))
    return Budget(round_id, round_.name_vi, round_.name_en, False, (), tuple(lines))
