"""The figures behind /stats' charts: acknowledgement and registration per unit (the current school year),
commendations per title per school year, verified good deeds per month."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.context import Ctx
from bot.services.documents.common import STATS, ensure
from storage.models import Person, Unit
from storage.models.decisions import Commendation
from storage.models.good_deed import GoodDeed, GoodDeedState
from storage.models.plan import PlanSchoolYear
from storage.models.registration import PlanAcknowledgement, Registration


@dataclass(frozen=True)
class Stats:
    school_year: str
    units: tuple[str, ...]
    staff: tuple[int, ...]  # people per unit
    acknowledged: tuple[int, ...]
    registered: tuple[int, ...]
    titles: dict[str, dict[str, int]]  # school year -> title -> commendations
    deeds: tuple[tuple[str, int], ...]  # ("mm/yyyy", verified good deeds)


async def stats(ctx: Ctx) -> Stats:
    ensure(ctx, STATS)
    return await compute(ctx)


async def compute(ctx: Ctx) -> Stats:
    """The figures without the person's check (the export kinds' roles checked it)."""
    s = ctx.session
    today = ctx.clock.now().astimezone(ctx.settings.tz).date()
    years = list(await s.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start.desc())))
    year = next((y for y in years if y.start <= today <= y.end), years[0] if years else None)
    units = list(await s.scalars(select(Unit).order_by(Unit.code)))
    staff = Counter(
        dict((await s.execute(select(Person.unit_id, func.count()).group_by(Person.unit_id))).all())
    )
    ack: Counter = Counter()
    reg: Counter = Counter()
    if year is not None:
        stmt = select(Person.unit_id, func.count()).join(
            PlanAcknowledgement, PlanAcknowledgement.person_id == Person.id
        )
        ack = Counter(
            dict(
                (
                    await s.execute(
                        stmt.where(PlanAcknowledgement.period_id == year.period_id).group_by(Person.unit_id)
                    )
                ).all()
            )
        )
        stmt_r = select(Registration.unit_id, func.count()).where(
            Registration.school_year_id == year.id, Registration.subject == "individual",
            Registration.state != "withdrawn",
        )  # fmt: skip
        reg = Counter(dict((await s.execute(stmt_r.group_by(Registration.unit_id))).all()))
    titles: dict[str, dict[str, int]] = {}
    for c in await s.scalars(select(Commendation).where(Commendation.state == "active")):
        cell = titles.setdefault(c.school_year, {})
        cell[c.name_vi] = cell.get(c.name_vi, 0) + 1
    months: Counter = Counter()
    for day in await s.scalars(
        select(GoodDeed.happened_on).where(GoodDeed.state == GoodDeedState.VERIFIED.value)
    ):
        months[(day.year, day.month)] += 1
    return Stats(
        year.code if year else "", tuple(u.name for u in units), tuple(staff.get(u.id, 0) for u in units),
        tuple(ack.get(u.id, 0) for u in units), tuple(reg.get(u.id, 0) for u in units),
        dict(sorted(titles.items())), tuple((f"{m:02d}/{y}", n) for (y, m), n in sorted(months.items())),
    )  # fmt: skip
