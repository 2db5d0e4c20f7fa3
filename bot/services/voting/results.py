"""The tally of a closed vote, its results, a tie's settlement and a re-ballot of one dossier.

The tally opens every seal with the vote's key (refused, nothing written, when VOTE_SECRET is missing or
changed, or when a seal matches no choice), counts (bot/services/voting/tally.py), runs the criteria
checks with this vote's results, writes one result per dossier, and sets every seal and nonce (and the
vote's key salt) to NULL in the same unit of work. The result goes to the secretaries and the chair through
the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from bot.context import Ctx
from bot.roles import Role
from bot.services.audit import Audit
from bot.services.outbox import Outbox
from bot.services.voting import ballot
from bot.services.voting.common import KIND, after_quiet_hours, ensure_secretary, load
from bot.services.voting.criteria import evaluate, warnings
from bot.services.voting.errors import (
    BadSettlement,
    BallotTampered,
    NoSuchTie,
    NotTallied,
    ReasonNeeded,
    VoteSecretChanged,
    VoteSecretMissing,
)
from bot.services.voting.facts import FactsReader
from bot.services.voting.notices import ResultLine, ResultsView, TitleResults, registered
from bot.services.voting.rules import tally_rules
from bot.services.voting.tally import DossierCount, Settlement, Tally, count_ballots, tally
from storage.models.plan import PlanRound
from storage.models.voting import VotingDossier, VotingResult, VotingRound, VotingState
from storage.repositories.criteria import CriteriaRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.voting import VotingRepo

REASON_MIN = 5


def _ranked_lines(mine: list[Any], rows: dict[int, Any], persons: Any, units: Any) -> tuple[Any, ...]:
    """A title's dossiers as result lines, the largest share first (ties by dossier, as they came)."""
    return tuple(
        _line(d, rows[d.id], persons, units)
        for d in sorted(mine, key=lambda d: (-Fraction(rows[d.id].share_num, rows[d.id].share_den), d.id))
    )


class Results:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = VotingRepo(ctx.session)

    # -- counting -------------------------------------------------------------------------------------
    async def _bases(self, voting: VotingRound, dossiers: Sequence[VotingDossier]) -> dict[int, int]:
        """Each dossier's council: the vote's members, those recused out unless the plan counts them."""
        members = set(await self.repo.member_ids(voting.id))
        counted = voting.rules.get("recusal") == "counted"
        return {d.id: len(members) if counted else len(members - set(d.recused or [])) for d in dossiers}

    async def counts(self, voting: VotingRound, dossiers: Sequence[VotingDossier]) -> list[DossierCount]:
        """Open every seal (nothing is written): the counts per dossier. Refused when the secret is missing
        or changed, or when a seal matches no choice."""
        key = ballot.key_of(self.ctx.settings, voting)
        choices, bad = [], 0
        for b in await self.repo.ballots(voting.id):
            choice = ballot.unseal(key, b.nonce or "", b.dossier_id, b.member_id, b.seal or "")
            if choice is None:
                bad += 1
            choices.append((b.dossier_id, choice or ""))
        if bad:
            raise BallotTampered(count=bad)
        bases = await self._bases(voting, dossiers)
        info = {d.id: (d.commendation_code, bases[d.id], d.unit_id) for d in dossiers}
        return count_ballots(choices, info)

    async def _unit_staff(self, voting: VotingRound, dossiers: Sequence[VotingDossier]) -> dict[int, int]:
        if not any(
            (t.get("quota") or {}).get("base") == "unit_staff"
            for t in voting.rules.get("titles", {}).values()
        ):
            return {}
        staff = await CriteriaRepo(self.ctx.session).staff_of({d.unit_id for d in dossiers})
        return {unit: len(people) for unit, people in staff.items()}

    async def _judge(
        self,
        voting: VotingRound,
        round_: PlanRound,
        counts: Sequence[DossierCount],
        settlements: Sequence[Settlement],
    ) -> tuple[Tally, dict[int, list[dict[str, Any]]]]:
        dossiers = await self.repo.dossiers(voting.id)
        result = tally(
            tally_rules(voting.rules),
            counts,
            settlements=settlements,
            unit_staff=await self._unit_staff(voting, dossiers),
        )
        facts = await FactsReader(self.ctx).for_vote(voting, round_, dossiers, result)
        warned: dict[int, list[dict[str, Any]]] = {}
        for d in dossiers:
            title = voting.rules["titles"].get(d.commendation_code, {})
            checks = evaluate(
                title.get("criteria_rules", []),
                facts[d.id],
                registration_required=bool(title.get("registration_required")),
            )
            warned[d.id] = [{"kind": w} for w in result.of(d.id).warnings] + warnings(checks)
        return result, warned

    # -- the tally ------------------------------------------------------------------------------------
    async def tally(self, voting_id: int) -> ResultsView | None:
        """Tally a closed vote once (None when it was not closed, or the tally was refused: the secretaries
        are told why, once)."""
        voting, round_ = await load(self.ctx, voting_id)
        if voting.state != VotingState.CLOSED.value:
            return None
        dossiers = await self.repo.dossiers(voting.id)
        try:
            counts = await self.counts(voting, dossiers)
        except (VoteSecretMissing, VoteSecretChanged, BallotTampered) as e:
            from bot.services.voting.round import tell_secretaries

            await tell_secretaries(self.ctx, round_, e.key, f"vote-untallied:{voting.id}:{e.key}", **e.params)
            return None
        now = self.ctx.clock.now()
        if not await self.repo.advance(
            voting.id, [VotingState.CLOSED.value], state=VotingState.TALLIED.value, tallied_at=now
        ):
            return None
        result, warned = await self._judge(voting, round_, counts, ())
        for d in dossiers:
            r = result.of(d.id)
            self.repo.add(
                VotingResult(
                    voting_id=voting.id,
                    dossier_id=d.id,
                    members=r.members,
                    voters=r.voters,
                    agree=r.agree,
                    disagree=r.disagree,
                    share_num=r.share.numerator,
                    share_den=r.share.denominator,
                    outcome=r.outcome,
                    rank=r.rank,
                    reasons=list(r.reasons),
                    warnings=warned[d.id],
                )
            )
        voters = {m for _, m in await self.repo.voted_pairs(voting.id)}
        members = await self.repo.member_ids(voting.id)
        await self.repo.forget_seals(voting.id)
        await self.repo.refresh(voting)
        voting.members_count, voting.voters_count = len(members), len(voters)
        voting.key_salt = voting.key_check = None  # an old seal left in a database page opens no more
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "voting.tallied",
            "voting_round",
            voting.id,
            after={"dossiers": len(dossiers), "members": len(members), "voters": len(voters)},
        )
        view = await self.view(voting.id, check=False)
        await self._tell(voting, view)
        return view

    async def _tell(self, voting: VotingRound, view: ResultsView) -> None:
        texts, _ = registered()
        people = PeopleRepo(self.ctx.session)
        readers = {p.id: p for p in await people.with_role(Role.SECRETARY, self.ctx.clock.today())}
        if voting.chair_id and (chair := await people.get(voting.chair_id)) is not None:
            readers[chair.id] = chair
        outbox = Outbox(self.ctx)
        for person in readers.values():
            for i, part in enumerate(texts.results(view, person.language)):
                await outbox.to_person_once(
                    f"vote-results:{voting.id}:{person.id}:{i}",
                    person,
                    part,
                    kind=KIND,
                    not_before=after_quiet_hours(self.ctx, person.id),
                )

    # -- reading --------------------------------------------------------------------------------------
    async def view(self, voting_id: int, *, check: bool = True) -> ResultsView:
        """The result of a tallied vote: the secretary's and the vote's chair's (a forged press of anyone
        else is refused, as before the tally)."""
        voting, round_ = await load(self.ctx, voting_id)
        if check and not (self.ctx.actor and voting.chair_id == self.ctx.actor.person_id):
            ensure_secretary(self.ctx)
        if voting.state != VotingState.TALLIED.value:
            raise NotTallied()
        rows = {r.dossier_id: r for r in await self.repo.results(voting.id)}
        dossiers = await self.repo.dossiers(voting.id)
        counted = tally(
            tally_rules(voting.rules),
            _counts(dossiers, rows),
            settlements=_settlements(dossiers, rows),
            unit_staff=await self._unit_staff(voting, dossiers),
        )
        people = PeopleRepo(self.ctx.session)
        persons = await people.people_by_id(d.person_id for d in dossiers)
        units = await people.units_by_id(d.unit_id for d in dossiers)
        names = {c.code: c for c in await PlanRepo(self.ctx.session).commendations(round_.period_id)}
        titles = []
        for code in tally_rules(voting.rules):
            mine = [d for d in dossiers if d.commendation_code == code and d.id in rows]
            if not mine or code not in names:
                continue
            lines = _ranked_lines(mine, rows, persons, units)
            rule, result = voting.rules["titles"][code], counted.title(code)
            quota = result.quota if result is not None else None
            places = result.open_places if result is not None and result.tied else 0
            titles.append(
                TitleResults(
                    names[code].name_vi,
                    names[code].name_en,
                    quota,
                    lines,
                    rule["threshold"].get("tie", "chair"),
                    code,
                    places,
                )
            )
        chair = await people.get(voting.chair_id) if voting.chair_id else None
        return ResultsView(
            voting.id,
            round_.name_vi,
            round_.name_en,
            voting.closed_at,
            voting.members_count or 0,
            voting.voters_count or 0,
            tuple(titles),
            voting.scope != "round",
            {code: (c.name_vi, c.name_en) for code, c in names.items()},
            round_.review_meeting_at,
            round_.review_meeting_place,
            chair.full_name if chair is not None else "",
            tuple(p.full_name for p in await people.with_role(Role.SECRETARY, self.ctx.clock.today())),
        )

    # -- a tie --------------------------------------------------------------------------------------------
    async def settle(self, voting_id: int, title: str, chosen: Sequence[int], reason: str) -> ResultsView:
        """Record the chair's choice among the dossiers tied at a title's quota line (through the secretary,
        with a reason, audited); the titles that depend on it are counted again."""
        me = ensure_secretary(self.ctx)
        voting, round_ = await load(self.ctx, voting_id)
        if voting.state != VotingState.TALLIED.value:
            raise NotTallied()
        reason = " ".join((reason or "").split())
        if len(reason) < REASON_MIN:
            raise ReasonNeeded(min=REASON_MIN)
        rows = {r.dossier_id: r for r in await self.repo.results(voting.id)}
        dossiers = await self.repo.dossiers(voting.id)
        counts, settled = _counts(dossiers, rows), _settlements(dossiers, rows)
        before = tally(
            tally_rules(voting.rules),
            counts,
            settlements=settled,
            unit_staff=await self._unit_staff(voting, dossiers),
        )
        current = before.title(title)
        tied = set(current.tied) if current else set()
        if not tied:
            raise NoSuchTie()
        picked = set(chosen)
        if not picked <= tied or len(picked) != current.open_places:
            raise BadSettlement(places=current.open_places)
        settlement = Settlement(title, frozenset(tied), frozenset(picked))
        after, warned = await self._judge(voting, round_, counts, [*settled, settlement])
        now = self.ctx.clock.now()
        for dossier_id, row in rows.items():
            r = after.of(dossier_id)
            if dossier_id in tied:
                row.settled_outcome, row.settled_by, row.settled_at = r.outcome, me.person_id, now
                row.settle_reason = reason
            elif row.settled_outcome is not None:  # settled before: the tie stays on record
                row.settled_outcome = r.outcome
            else:
                row.outcome, row.rank, row.reasons = r.outcome, r.rank, list(r.reasons)
            row.warnings = warned[dossier_id]
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "voting.tie_settled",
            "voting_round",
            voting.id,
            after={"title": title, "tied": sorted(tied), "chosen": sorted(picked), "reason": reason},
        )
        return await self.view(voting.id)


def _counts(dossiers: Sequence[VotingDossier], rows: dict[int, VotingResult]) -> list[DossierCount]:
    return [
        DossierCount(
            d.id, d.commendation_code, rows[d.id].members, rows[d.id].agree, rows[d.id].disagree, d.unit_id
        )
        for d in dossiers
        if d.id in rows
    ]


def _settlements(dossiers: Sequence[VotingDossier], rows: dict[int, VotingResult]) -> list[Settlement]:
    """The ties settled so far, as the tally reads them."""
    by_title: dict[str, tuple[set[int], set[int]]] = {}
    for d in dossiers:
        row = rows.get(d.id)
        if row is not None and row.settled_outcome:
            among, chosen = by_title.setdefault(d.commendation_code, (set(), set()))
            among.add(d.id)
            if row.settled_outcome == "passed":
                chosen.add(d.id)
    return [Settlement(t, frozenset(a), frozenset(c)) for t, (a, c) in by_title.items()]


def _line(d: VotingDossier, row: VotingResult, persons: dict[int, Any], units: dict[int, Any]) -> ResultLine:
    unit = units.get(d.unit_id)
    nominee = (
        persons[d.person_id].full_name
        if d.person_id and d.person_id in persons
        else (unit.name if unit else "")
    )
    return ResultLine(
        nominee=nominee,
        unit=unit.name if unit else "",
        outcome=row.settled_outcome or row.outcome,
        agree=row.agree,
        disagree=row.disagree,
        voters=row.voters,
        members=row.members,
        rank=row.rank,
        reasons=tuple(row.reasons or ()),
        warnings=tuple(row.warnings or ()),
        settled=row.settled_outcome is not None,
        dossier_id=d.id,
    )
