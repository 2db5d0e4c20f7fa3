"""What is known of a vote's nominees, read from the database for the criteria checks (bot/.../criteria.py).

- Grades, discipline and initiatives: the school year's imports (`thidua grades import`, …); a kind never
  imported for the year is "chưa có dữ liệu", an imported kind without a row for someone means none.
- Titles held: this year's from this vote (pending until its tally; once tallied, passed or not: a title
  the round may nominate and someone was not nominated for is not theirs this year), earlier years' from
  earlier tallied votes and from the commendations in force (recorded decisions, and the years before the
  bot imported with `thidua commendations import`).
- The registration: the nominee's registration of the school year for that title, and its state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.context import Ctx
from bot.services.voting.criteria import Facts
from bot.services.voting.tally import Tally
from storage.models.plan import PlanRound, PlanSchoolYear
from storage.models.voting import VotingDossier, VotingRound
from storage.repositories.criteria import CriteriaRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.registration import RegistrationRepo
from storage.repositories.voting import VotingRepo


class FactsReader:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.data = CriteriaRepo(ctx.session)

    async def for_vote(
        self, voting: VotingRound, round_: PlanRound, dossiers: Sequence[VotingDossier], tally: Tally | None
    ) -> dict[int, Facts]:
        """Each dossier's facts; `tally`: this vote's result, once counted (else its titles are pending)."""
        year_row = await self.ctx.session.get(PlanSchoolYear, round_.school_year_id)
        assert year_row is not None
        year, sy = year_row.start.year, round_.school_year_id
        units = sorted({d.unit_id for d in dossiers if d.subject == "collective"})
        staff = await self.data.staff_of(units)
        people = {d.person_id for d in dossiers if d.person_id} | {p for ids in staff.values() for p in ids}
        held = self._this_vote(voting, dossiers, tally)
        owners = sorted({d.owner for d in dossiers} | {f"p{p}" for p in people})
        history: dict[tuple[str, str, int], bool] = {}
        for owner, code, start, passed in await VotingRepo(self.ctx.session).history(owners, voting.id):
            history[(owner, code, start)] = history.get((owner, code, start), False) or passed
        for owner, code, start in await self._commended(owners):  # recorded, or imported from before the bot
            if start < year:
                history[(owner, code, start)] = True
        kinds = await self.data.imported(sy)
        grades = await self.data.grades(sy, people)
        measures = await self.data.discipline(sy, people)
        works = await self.data.initiatives(sy, people)
        nominable = set(voting.rules.get("nominable", []))

        def person(pid: int, registration: str | None = None) -> Facts:
            owner = f"p{pid}"
            titles = self._titles(owner, year, nominable, held, history)
            return Facts(
                rating=grades.get(pid),
                ratings_known="grades" in kinds,
                discipline=tuple(measures.get(pid, [])),
                discipline_known="discipline" in kinds,
                initiatives=tuple(works.get(pid, [])),
                initiatives_known="initiatives" in kinds,
                titles=titles,
                pending=frozenset(c for (o, c), v in held.items() if o == owner and v is None),
                registration=registration,
            )

        unit_rating = await self.data.unit_grades(sy, units)
        registrations = await self._registrations(round_, dossiers)
        out: dict[int, Facts] = {}
        for d in dossiers:
            if d.subject == "individual" and d.person_id:
                out[d.id] = person(d.person_id, registrations.get(d.id))
                continue
            out[d.id] = Facts(
                rating=unit_rating.get(d.unit_id),
                ratings_known="unit_grades" in kinds,
                titles=self._titles(d.owner, year, nominable, held, history),
                pending=frozenset(c for (o, c), v in held.items() if o == d.owner and v is None),
                registration=registrations.get(d.id),
                members=tuple(person(p) for p in staff.get(d.unit_id, [])),
            )
        return out

    async def _commended(self, owners: Sequence[str]) -> list[tuple[str, str, int]]:
        """(owner, title, the school year's first year) of the owners' commendations still in force: the
        decisions recorded (issue 20) and the years imported with `thidua commendations import`."""
        from sqlalchemy import select

        from storage.models.decisions import Commendation

        persons = [int(o[1:]) for o in owners if o.startswith("p")]
        units = [int(o[1:]) for o in owners if o.startswith("u")]
        stmt = select(Commendation).where(
            Commendation.state == "active",
            Commendation.person_id.in_(persons)
            | (Commendation.unit_id.in_(units) & Commendation.person_id.is_(None)),
        )
        out = []
        for c in await self.ctx.session.scalars(stmt):
            owner = f"p{c.person_id}" if c.person_id else f"u{c.unit_id}"
            if c.school_year[:4].isdigit():
                out.append((owner, c.code, int(c.school_year[:4])))
        return out

    @staticmethod
    def _this_vote(
        voting: VotingRound, dossiers: Sequence[VotingDossier], tally: Tally | None
    ) -> dict[tuple[str, str], bool | None]:
        """(owner, title) -> passed in this vote (None: not tallied yet)."""
        out: dict[tuple[str, str], bool | None] = {}
        for d in dossiers:
            passed = tally.of(d.id).outcome == "passed" if tally is not None else None
            key = (d.owner, d.commendation_code)
            out[key] = passed if out.get(key) is None else out[key] or passed
        return out

    @staticmethod
    def _titles(
        owner: str,
        year: int,
        nominable: Iterable[str],
        held: Mapping[tuple[str, str], bool | None],
        history: Mapping[tuple[str, str, int], bool],
    ) -> dict[tuple[str, int], bool]:
        titles: dict[tuple[str, int], bool] = {}
        for (o, code, start), passed in history.items():
            if o == owner and start <= year:
                titles[(code, year - start)] = passed
        for code in nominable:  # this year: what this vote decides (not nominated: not theirs)
            value = held.get((owner, code), False)
            if value is not None:
                titles[(code, 0)] = titles.get((code, 0), False) or value
        return titles

    async def _registrations(
        self, round_: PlanRound, dossiers: Sequence[VotingDossier]
    ) -> dict[int, str | None]:
        plan, regs = PlanRepo(self.ctx.session), RegistrationRepo(self.ctx.session)
        out: dict[int, str | None] = {}
        for d in dossiers:
            title = await plan.commendation_by_code(round_.period_id, d.commendation_code)
            reg = await regs.of_owner(round_.school_year_id, d.owner)
            out[d.id] = (
                reg.state if reg is not None and title is not None and reg.title_id == title.id else None
            )
        return out
