"""The yearly report to the province (the plan's section C.1) as data: counts by movement (registrations)
and by title (commendations), the exemplars (the highest commendations), and the difficulties raised and
answered in the school year."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func, select

from bot.context import Ctx
from bot.services.documents.common import PAPERS, DocumentsError, ensure, names
from storage.models.decisions import Commendation
from storage.models.difficulty import Difficulty
from storage.models.plan import PlanCommendation, PlanMovement, PlanSchoolYear
from storage.models.registration import Registration, RegistrationMovement


@dataclass(frozen=True)
class YearReport:
    school_year: str
    movements: tuple[tuple[str, int], ...]  # (movement, registrations)
    titles: tuple[tuple[str, int, int], ...]  # (title or award form, individuals, collectives)
    exemplars: tuple[tuple[str, str, str], ...]  # (name, unit, title)
    difficulties: tuple[int, int]  # (raised, answered)
    money: int  # đồng paid by the school for the year's commendations


async def year_report(ctx: Ctx, code: str) -> YearReport:
    ensure(ctx, PAPERS)
    return await compute(ctx, code)


async def compute(ctx: Ctx, code: str) -> YearReport:
    """The report of the school year `code` without the person's check (the export kind's roles did)."""
    s = ctx.session
    year = await s.scalar(
        select(PlanSchoolYear).where(PlanSchoolYear.code == code).order_by(PlanSchoolYear.id.desc())
    )
    if year is None:
        raise DocumentsError("documents-year-unknown", year=code[:20])
    moves = await s.execute(
        select(PlanMovement.name_vi, func.count(RegistrationMovement.id))
        .join(RegistrationMovement, RegistrationMovement.movement_id == PlanMovement.id)
        .join(Registration, Registration.id == RegistrationMovement.registration_id)
        .where(Registration.school_year_id == year.id, Registration.state != "withdrawn")
        .group_by(PlanMovement.id, PlanMovement.name_vi)
        .order_by(PlanMovement.id)
    )
    rows = list(
        await s.scalars(
            select(Commendation).where(Commendation.school_year == code, Commendation.state == "active")
        )
    )
    titles: dict[str, Counter] = {}
    for c in rows:
        titles.setdefault(c.name_vi, Counter())[c.subject] += 1
    levels = {
        p.code: p.level or 0
        for p in await s.scalars(select(PlanCommendation).where(PlanCommendation.period_id == year.period_id))
    }
    top = max((levels.get(c.code, 0) for c in rows), default=0)
    best = [c for c in rows if c.level == "upward" or (top and levels.get(c.code, 0) == top)]
    persons, units = await names(ctx, (c.person_id for c in best), (c.unit_id for c in best))
    exemplars = []
    for c in best:
        name, unit_id = persons.get(c.person_id or 0, (units.get(c.unit_id or 0, ""), None))
        exemplars.append((name, units.get(unit_id or 0, "") if c.person_id else "", c.name_vi))
    start = datetime.combine(year.start, time(), UTC)
    end = datetime.combine(year.end, time(23, 59, 59), UTC)
    diff = list(await s.scalars(select(Difficulty).where(Difficulty.created_at.between(start, end))))
    answered = sum(1 for d in diff if d.answered_at is not None)
    money = sum(c.amount or 0 for c in rows if c.paid and c.level == "school")
    return YearReport(
        code, tuple((n, k) for n, k in moves.all()),
        tuple((t, k["individual"], k["collective"]) for t, k in titles.items()),
        tuple(exemplars), (len(diff), answered), money,
    )  # fmt: skip
