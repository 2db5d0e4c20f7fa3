"""The secretary's desk (and the chair's): the rounds whose council she sets, the votes she follows, who has
voted on how many dossiers (never how), and what an absent member's written vote may still be entered for.

Every call checks the person again: the secretary; the chair of a vote for its result only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Ctx
from bot.plan.calendar import round_phase
from bot.services.voting.common import closes_of, eligible, ensure_secretary, is_secretary, load
from bot.services.voting.errors import AlreadyVoted, NotMember, NotSecretary
from storage.models.plan import PlanRound
from storage.models.voting import MAIN_SCOPE, VotingDossier, VotingRound, VotingState
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.voting import VotingRepo

COUNCIL_PHASES = ("nominating", "reviewing", "voting", "awaiting_ceremony")


@dataclass(frozen=True)
class VoteItem:
    voting_id: int
    round_id: int
    round_name_vi: str
    round_name_en: str
    state: str
    reballot: bool
    closes: datetime
    nominee: str = ""  # a re-ballot's one dossier


@dataclass(frozen=True)
class MemberProgress:
    person_id: int
    full_name: str
    done: int
    total: int
    chair: bool

    @property
    def finished(self) -> bool:
        return self.done >= self.total


@dataclass(frozen=True)
class Standing:
    """An open vote as the secretary follows it: who has voted on how many dossiers, never how."""

    item: VoteItem
    members: tuple[MemberProgress, ...]
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total


@dataclass(frozen=True)
class DossierName:
    dossier_id: int
    nominee: str
    unit: str
    title: str  # the code
    title_vi: str
    title_en: str


class Desk:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = VotingRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)

    async def council_rounds(self) -> list[PlanRound]:
        """The rounds of the loaded plan whose council the secretary may see: from their nominations on,
        until their review meeting."""
        ensure_secretary(self.ctx)
        from bot.services.plan import PlanService

        current = await PlanService(self.ctx).current()
        now = self.ctx.clock.now()
        return [r for r in current.rounds if round_phase(r, now) in COUNCIL_PHASES]

    async def _item(self, voting: VotingRound) -> VoteItem:
        round_ = await PlanRepo(self.ctx.session).round(voting.round_id)
        assert round_ is not None
        nominee = ""
        if voting.scope != MAIN_SCOPE:
            [dossier] = await self.repo.dossiers(voting.id) or [None]
            if dossier is not None:
                nominee = (await self.names([dossier]))[0].nominee
        return VoteItem(
            voting.id,
            round_.id,
            round_.name_vi,
            round_.name_en,
            voting.state,
            voting.scope != MAIN_SCOPE,
            closes_of(voting, round_),
            nominee,
        )

    async def votes(self) -> list[VoteItem]:
        """The votes the actor follows, the newest first: every opened one for the secretary; the tallied
        ones they chair for the chair."""
        me = self.ctx.actor.person_id if self.ctx.actor else None
        secretary = is_secretary(self.ctx.actor)
        states = [VotingState.OPEN.value, VotingState.CLOSED.value, VotingState.TALLIED.value]
        rows = await self.repo.in_states(states)
        mine = [v for v in rows if secretary or (v.chair_id == me and v.state == VotingState.TALLIED.value)]
        if not mine and not secretary:
            raise NotSecretary()
        return [await self._item(v) for v in sorted(mine, key=lambda v: -v.id)]

    async def item(self, voting_id: int) -> VoteItem:
        voting, _ = await load(self.ctx, voting_id)
        return await self._item(voting)

    async def standing(self, voting_id: int) -> Standing:
        ensure_secretary(self.ctx)
        voting, _ = await load(self.ctx, voting_id)
        dossiers = await self.repo.dossiers(voting.id)
        members = await self.repo.member_ids(voting.id)
        pairs = await self.repo.voted_pairs(voting.id)
        people = await self.people.people_by_id(members)
        rows = []
        for m in members:
            mine = eligible(dossiers, m)
            done = sum(1 for d in mine if (d.id, m) in pairs)
            name = people[m].full_name if m in people else ""
            rows.append(MemberProgress(m, name, done, len(mine), m == voting.chair_id))
        rows.sort(key=lambda r: (r.finished, r.full_name))
        return Standing(
            await self._item(voting),
            tuple(rows),
            sum(r.done for r in rows),
            sum(r.total for r in rows),
        )

    async def missing(self, voting_id: int, member_id: int) -> list[DossierName]:
        """The dossiers a member has not voted on (recused ones left out): what the secretary may enter
        that member's written vote for. Refused for a non-member, or a member who has voted on them all."""
        ensure_secretary(self.ctx)
        voting, _ = await load(self.ctx, voting_id)
        if member_id not in await self.repo.member_ids(voting.id):
            raise NotMember()
        pairs = await self.repo.voted_pairs(voting.id)
        mine = eligible(await self.repo.dossiers(voting.id), member_id)
        left = [d for d in mine if (d.id, member_id) not in pairs]
        if not left:
            raise AlreadyVoted()
        return await self.names(left)

    async def member_name(self, person_id: int) -> str:
        person = await self.people.get(person_id)
        return person.full_name if person else ""

    async def names(self, dossiers: list[VotingDossier]) -> list[DossierName]:
        persons = await self.people.people_by_id(d.person_id for d in dossiers if d.person_id)
        units = await self.people.units_by_id(d.unit_id for d in dossiers)
        titles = {}
        for d in dossiers:
            if d.commendation_code not in titles:
                voting = await self.repo.get(d.voting_id)
                round_ = await PlanRepo(self.ctx.session).round(voting.round_id) if voting else None
                if round_ is not None:
                    for c in await PlanRepo(self.ctx.session).commendations(round_.period_id):
                        titles[c.code] = (c.name_vi, c.name_en)
        out = []
        for d in dossiers:
            unit = units.get(d.unit_id)
            person = persons.get(d.person_id) if d.person_id else None
            nominee = person.full_name if person else (unit.name if unit else "")
            vi, en = titles.get(d.commendation_code, (d.commendation_code, d.commendation_code))
            out.append(DossierName(d.id, nominee, unit.name if unit else "", d.commendation_code, vi, en))
        return out

    async def plan_round(self, round_id: int) -> PlanRound:
        ensure_secretary(self.ctx)
        round_ = await PlanRepo(self.ctx.session).round(round_id)
        if round_ is None:
            from bot.services.plan import RoundNotFound

            raise RoundNotFound()
        return round_

    async def search(self, query: str) -> list[tuple[int, str, str]]:
        """People to add to a council, by a name typed (the rule of every name search): (id, name, unit)."""
        ensure_secretary(self.ctx)
        from bot.services.name_search import find_people
        from storage.models import Person

        found = await find_people(self.ctx.session, query, Person.active.is_(True))
        units = await self.people.units_by_id(p.unit_id for p in found if p.unit_id)
        return [(p.id, p.full_name, units[p.unit_id].name if p.unit_id in units else "") for p in found]
