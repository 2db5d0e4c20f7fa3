"""The emulation fund (quỹ thi đua, khen thưởng) as a ledger, per calendar year: income (what the college
sets aside, with its source; a recovered revocation), spending (each decision's money: its commendations
paid by the school), the opening balance carried from the years before, and the balance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bot.context import Ctx
from bot.services.audit import Audit
from bot.services.documents.common import BUDGET, FUND_EDIT, DocumentsError, ensure
from bot.text import esc
from storage.models.decisions import Commendation, Decision
from storage.models.documents import FundEntry

SOURCE_MIN, SOURCE_MAX = 5, 500
AMOUNT_MAX = 10**13


@dataclass(frozen=True)
class LedgerLine:
    day: date
    kind: str  # income | spending | recovered
    text: str  # the source; a decision's number
    amount: int  # đồng, > 0


@dataclass(frozen=True)
class Ledger:
    year: int
    opening: int
    lines: tuple[LedgerLine, ...]

    @property
    def income(self) -> int:
        return sum(x.amount for x in self.lines if x.kind != "spending")

    @property
    def spending(self) -> int:
        return sum(x.amount for x in self.lines if x.kind == "spending")

    @property
    def balance(self) -> int:
        return self.opening + self.income - self.spending


def parse_amount(text: str) -> int:
    """'5.000.000', '5,000,000', '5000000 đồng' → 5000000; anything else, or ≤ 0, is refused."""
    digits = "".join((text or "").replace("đồng", "").replace("đ", "").split())
    digits = digits.replace(".", "").replace(",", "")
    if not digits.isdigit() or not 0 < int(digits) < AMOUNT_MAX:
        raise DocumentsError("documents-fund-amount-bad", text=esc((text or "")[:40]))
    return int(digits)


async def add_income(ctx: Ctx, day: date, amount: int, source: str) -> FundEntry:
    ensure(ctx, FUND_EDIT)
    source = " ".join((source or "").split())
    if not SOURCE_MIN <= len(source) <= SOURCE_MAX:
        raise DocumentsError(
            "documents-fund-source-length", min=SOURCE_MIN, max=SOURCE_MAX, length=len(source)
        )
    row = FundEntry(
        year=day.year, day=day, amount=amount, source=source, created_by=ctx.actor.person_id,  # type: ignore[union-attr]
        created_at=ctx.clock.now(),
    )  # fmt: skip
    ctx.session.add(row)
    await ctx.session.flush()
    Audit(ctx).record("fund.income", "fund_entry", row.id, after={"day": day.isoformat(), "amount": amount})
    return row


async def _lines(ctx: Ctx, year: int | None, before: int | None = None) -> list[LedgerLine]:
    """The year's lines (or, with `before`, every line of the years before it)."""

    def in_year(column):
        return column == year if before is None else column < before

    out = [
        LedgerLine(e.day, "income", e.source, e.amount)
        for e in await ctx.session.scalars(select(FundEntry).where(in_year(FundEntry.year)))
    ]
    stmt = (
        select(Decision, Commendation)
        .join(Commendation, Commendation.decision_id == Decision.id)
        .where(in_year(Decision.year), Commendation.level == "school", Commendation.paid.is_(True))
    )
    spent: dict[int, list] = {}
    for d, c in await ctx.session.execute(stmt):
        if c.amount:
            spent.setdefault(d.id, [d, 0])[1] += c.amount
    out += [LedgerLine(d.decided_on, "spending", d.number, total) for d, total in spent.values()]
    stmt_r = select(Commendation).where(Commendation.recovery == "recovered", Commendation.level == "school")
    for c in await ctx.session.scalars(stmt_r):
        day = c.recovered_at.astimezone(ctx.settings.tz).date() if c.recovered_at else c.decision_date
        if c.amount and c.paid and (day.year == year if before is None else day.year < before):
            out.append(LedgerLine(day, "recovered", c.decision_number, c.amount))
    return sorted(out, key=lambda x: (x.day, x.kind))


async def ledger(ctx: Ctx, year: int) -> Ledger:
    ensure(ctx, BUDGET)
    return await compute(ctx, year)


async def compute(ctx: Ctx, year: int) -> Ledger:
    """The ledger of `year` without the person's check (the export kind's roles checked it)."""
    earlier = await _lines(ctx, None, before=year)
    opening = sum(x.amount if x.kind != "spending" else -x.amount for x in earlier)
    return Ledger(year, opening, tuple(await _lines(ctx, year)))
