"""The money of a decision's commendations: each award's amount (MoneyService: factor × lương cơ sở in
force on the decision's date, rounded up to the plan's step), the highest only paid when a person gets
several titles in one round (NĐ 91/2017 Art. 66.2(c), a plan value), and the warning of one achievement
proposed for two award forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.context import Ctx
from bot.services.decisions.common import Candidate
from bot.services.plan.money import MoneyService


@dataclass(frozen=True)
class Money:
    nomination_id: int
    factor: Decimal | None
    computed: int | None  # đồng, as the plan computes it; None: no money from the school
    provisional: bool  # a rule in force is to confirm: "tạm tính" until the secretary confirms it
    paid: bool = True  # False: a lower title of the same person in the round (only the highest is paid)


def owner(c: Candidate) -> str:
    return f"p{c.person_id}" if c.person_id else f"u{c.unit_id}"


def highest_paid(amounts: dict[int, int | None], owners: dict[int, str]) -> set[int]:
    """Pure: of each owner's awards, the one with the highest amount (the first of equal ones) is paid."""
    best: dict[str, int] = {}
    for nid in sorted(amounts):
        amount = amounts[nid] or 0
        current = best.get(owners[nid])
        if current is None or amount > (amounts[current] or 0):
            best[owners[nid]] = nid
    return set(best.values())


def two_award_forms(items: Sequence[Candidate]) -> list[tuple[Candidate, Candidate]]:
    """One achievement, one reward: an owner proposed for two award forms (titles are never warned)."""
    seen: dict[str, Candidate] = {}
    out = []
    for c in items:
        if c.kind != "award_form":
            continue
        first = seen.setdefault(owner(c), c)
        if first is not c:
            out.append((first, c))
    return out


async def amounts(ctx: Ctx, items: Sequence[Candidate], day: date, period_id: int) -> dict[int, Money]:
    money = MoneyService(ctx)
    computed: dict[int, Money] = {}
    for c in items:
        a = await money.award_amount(c.code, day, c.subject, period_id)
        computed[c.nomination_id] = Money(
            c.nomination_id, a.factor if a else None, a.amount if a else None, bool(a and a.provisional)
        )
    rule = await money.highest_only_on(day, period_id)
    if rule is None or not rule.amount:
        return computed
    owners = {c.nomination_id: owner(c) for c in items if c.kind == "title"}
    paid = highest_paid({n: computed[n].computed for n in owners}, owners)
    out = {}
    for nid, m in computed.items():
        lower = nid in owners and nid not in paid
        out[nid] = Money(nid, m.factor, m.computed, m.provisional or (lower and rule.to_confirm), not lower)
    return out
