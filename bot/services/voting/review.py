"""A member's review sheet: the vote's dossiers grouped by title, each as a card's data, and the progress.

A member recused from a dossier (its nominee, a head of the nominated unit) sees its title and state only,
never the summary. Nothing here tells how anyone voted: a card says whether *this* member has voted on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.context import Ctx
from bot.services.voting.ballot import BallotBox, Progress
from bot.services.voting.common import closes_of, is_secretary, load
from bot.services.voting.criteria import Check, Facts, evaluate
from bot.services.voting.errors import NotMember
from bot.services.voting.facts import FactsReader
from storage.models.nomination import Nomination, NominationState
from storage.models.voting import VotingDossier, VotingState
from storage.repositories.nomination import NominationRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.voting import VotingRepo


@dataclass(frozen=True)
class DossierView:
    dossier_id: int
    nomination_id: int
    position: int
    title: str  # the code, to group by
    title_vi: str
    title_en: str
    subject: str
    nominee: str
    unit: str
    summary: str | None  # None for a member recused from it
    deeds: int  # verified good deeds attached
    registration: str | None  # the registration's state for that title, if any
    report: str  # the achievement report's state
    has_file: bool
    checks: tuple[Check, ...]
    recused: bool
    voted: bool
    choice: str | None = None  # the viewing member's own choice while the vote is open; nobody else's
    withdrawn: bool = False


@dataclass(frozen=True)
class Sheet:
    voting_id: int
    round_name_vi: str
    round_name_en: str
    state: str
    closes: datetime
    reballot: bool
    dossiers: tuple[DossierView, ...]
    progress: Progress | None  # None for the secretary, who does not vote

    def titles(self) -> list[tuple[str, list[DossierView]]]:
        groups: dict[str, list[DossierView]] = {}
        for d in self.dossiers:
            groups.setdefault(d.title, []).append(d)
        return list(groups.items())


class Review:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = VotingRepo(ctx.session)

    async def my_votes(self) -> list[int]:
        """The open votes the actor is a member of, oldest first."""
        if self.ctx.actor is None:
            return []
        me = self.ctx.actor.person_id
        return [
            v.id
            for v in await self.repo.in_states([VotingState.OPEN.value])
            if me in await self.repo.member_ids(v.id)
        ]

    async def sheet(self, voting_id: int) -> Sheet:
        """The vote's dossiers as a member sees them (the secretary too, without a progress of her own)."""
        voting, round_ = await load(self.ctx, voting_id)
        me = self.ctx.actor.person_id if self.ctx.actor else None
        members = await self.repo.member_ids(voting.id)
        if me not in members and not is_secretary(self.ctx.actor):
            raise NotMember()
        member = me if me in members else None
        dossiers = await self.repo.dossiers(voting.id)
        facts = await FactsReader(self.ctx).for_vote(voting, round_, dossiers, None)
        voted = set(await self.repo.ballots_of(voting.id, member)) if member is not None else set()
        mine = await BallotBox(self.ctx).mine(voting) if member is not None else {}
        people = PeopleRepo(self.ctx.session)
        persons = await people.people_by_id(d.person_id for d in dossiers)
        units = await people.units_by_id(d.unit_id for d in dossiers)
        titles = {c.code: c for c in await PlanRepo(self.ctx.session).commendations(round_.period_id)}
        views = []
        for d in dossiers:
            unit = units.get(d.unit_id)
            person = persons.get(d.person_id) if d.person_id else None
            nominee = person.full_name if person else (unit.name if unit else "")
            title = titles.get(d.commendation_code)
            names = (title.name_vi, title.name_en) if title else (d.commendation_code, d.commendation_code)
            rule = voting.rules.get("titles", {}).get(d.commendation_code, {})
            view = await self._card(d, rule, facts[d.id], member, voted, nominee, unit, names)
            views.append(replace(view, choice=mine.get(d.id)))
        eligible = [v for v in views if not v.recused]
        done = sum(1 for v in eligible if v.voted)
        progress = Progress(done, len(eligible)) if member is not None else None
        return Sheet(
            voting.id,
            round_.name_vi,
            round_.name_en,
            voting.state,
            closes_of(voting, round_),
            voting.scope != "round",
            tuple(views),
            progress,
        )

    async def _card(
        self,
        d: VotingDossier,
        rule: dict[str, Any],
        facts: Facts,
        member: int | None,
        voted: set[int],
        nominee: str,
        unit: Any,
        names: tuple[str, str],
    ) -> DossierView:
        n = await self.ctx.session.get(Nomination, d.nomination_id)
        assert n is not None
        checks = evaluate(
            rule.get("criteria_rules", []),
            facts,
            registration_required=bool(rule.get("registration_required")),
        )
        recused = member in (d.recused or [])
        return DossierView(
            d.id,
            n.id,
            d.position,
            d.commendation_code,
            names[0],
            names[1],
            d.subject,
            nominee,
            unit.name if unit else "",
            None if recused else n.summary,
            len(await NominationRepo(self.ctx.session).deed_ids(n.id)),
            facts.registration,
            n.report_state,
            n.file_id is not None,
            tuple(checks),
            recused,
            d.id in voted,
            withdrawn=n.state == NominationState.WITHDRAWN.value,
        )

    async def pending_members(self, voting_id: int) -> list[int]:
        """The members who have not voted on every dossier they may vote on (the reminders' `pending`)."""
        dossiers = await self.repo.dossiers(voting_id)
        pairs = await self.repo.voted_pairs(voting_id)
        return [
            m
            for m in await self.repo.member_ids(voting_id)
            if any((d.id, m) not in pairs for d in dossiers if m not in (d.recused or []))
        ]


@dataclass(frozen=True)
class DossierFull:
    """ "Xem đầy đủ": the card's dossier with the texts and files the card shortens or only names."""

    view: DossierView
    summary: str
    report_text: str | None
    file_id: str | None
    file_name: str | None
    report_file_id: str | None


async def full(ctx: Ctx, voting_id: int, dossier_id: int) -> DossierFull:
    """The whole dossier for a member of the vote (the secretary too); refused to a member recused from it
    (a nominee, the head of the nominated unit), who sees its title and state only."""
    sheet = await Review(ctx).sheet(voting_id)
    view = next((d for d in sheet.dossiers if d.dossier_id == dossier_id), None)
    if view is None:
        from bot.services.voting.errors import DossierNotInVote

        raise DossierNotInVote()
    if view.recused:
        from bot.services.voting.errors import Recused

        raise Recused()
    n = await ctx.session.get(Nomination, view.nomination_id)
    assert n is not None
    return DossierFull(view, n.summary, n.report_text, n.file_id, n.file_name, n.report_file_id)
