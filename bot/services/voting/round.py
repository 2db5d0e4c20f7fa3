"""The round's vote: its council (members, the chair), recusal, opening and closing, and the timed work.

- The council: by default the people holding the `council` role when voting opens; before that the
  secretary adds or removes members (audited). The chair is the principal (who also holds `council`)
  unless the secretary names another member.
- Recusal: a member who is a nominee of a dossier, or a head of the nominated unit, does not vote on that
  dossier; found at opening and kept with the dossier.
- Opening (`open_voting`: the due work at the plan's `voting_open`, or `WindowService.open_voting_early`):
  refused without VOTE_SECRET; ends the nomination window (the extension included) and locks the
  nominations in the same unit of work; copies the plan's rules to the vote; one message per member
  through the outbox (`enqueue_once`, keyed by round and person), after the quiet hours.
- Closing (`close_voting`): at the close (the plan's, the extension, a re-ballot's own), or early by the
  secretary once every member has voted on every dossier; a conditional UPDATE, so two processes or a
  double tap close once. The tally follows in the same unit of work (bot/services/voting/results.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.context import Ctx
from bot.due import DueContext, unit_of_work
from bot.roles import Role
from bot.services.audit import Audit
from bot.services.outbox import Outbox
from bot.services.reminder_times import QuietHours
from bot.services.voting import ballot, results
from bot.services.voting.common import (
    KIND,
    after_quiet_hours,
    closes_of,
    complete,
    ensure_secretary,
    load,
)
from bot.services.voting.errors import (
    AlreadyClosed,
    ChairNotMember,
    NotAPerson,
    NotComplete,
    ReballotCloseBad,
    ReballotNotAllowed,
    VoteSecretMissing,
    VotingAlreadyOpen,
    VotingNotOpen,
)
from bot.services.voting.notices import OpeningNotice, RefusedNotice, TitleCount, registered
from bot.services.voting.rules import freeze
from storage.models import Person
from storage.models.nomination import Nomination, NominationState
from storage.models.plan import PlanRound
from storage.models.voting import (
    MAIN_SCOPE,
    VotingDossier,
    VotingMember,
    VotingRound,
    VotingState,
    reballot_scope,
)
from storage.repositories.nomination import NominationRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo
from storage.repositories.roster import RosterRepo
from storage.repositories.voting import OVER, VotingRepo


@dataclass(frozen=True)
class MemberView:
    person_id: int
    full_name: str
    unit_id: int | None
    origin: str  # role | added
    removed: bool
    chair: bool


@dataclass(frozen=True)
class CouncilView:
    round_id: int
    voting_id: int
    state: str
    members: tuple[MemberView, ...]  # the removed ones too, marked (the secretary sees what she did)
    chair_id: int | None

    @property
    def active(self) -> tuple[MemberView, ...]:
        return tuple(m for m in self.members if not m.removed)


# -- the council ------------------------------------------------------------------------------------------
class Council:
    """The secretary's part before opening: who sits on the round's council, and who chairs it."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = VotingRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)

    async def _voting(self, round_id: int, *, change: bool) -> VotingRound:
        if await PlanRepo(self.ctx.session).round(round_id) is None:
            from bot.services.plan import RoundNotFound

            raise RoundNotFound()
        voting = await self.repo.of_round(round_id)
        if voting is None:
            voting = await self.repo.ensure(round_id, MAIN_SCOPE, self.ctx.clock.now())
        if change and voting.state != VotingState.PREPARING.value:
            raise VotingAlreadyOpen()
        return voting

    async def _rows(self, voting: VotingRound) -> dict[int, VotingMember]:
        """The member rows, with the role holders of today added (unsaved) before the vote opens."""
        rows = {m.person_id: m for m in await self.repo.member_rows(voting.id)}
        if voting.state == VotingState.PREPARING.value:
            for person in await self.people.with_role(Role.COUNCIL, self.ctx.clock.today()):
                rows.setdefault(person.id, VotingMember(person_id=person.id, origin="role", removed=False))
        return rows

    async def chair_of(self, voting: VotingRound, member_ids: list[int]) -> int | None:
        """The named chair if still a member, else the principal who sits on the council."""
        if voting.chair_id in member_ids:
            return voting.chair_id
        principals = await self.people.with_role(Role.PRINCIPAL, self.ctx.clock.today())
        return next((p.id for p in principals if p.id in member_ids), None)

    async def view(self, round_id: int) -> CouncilView:
        ensure_secretary(self.ctx)
        return await self._view(await self._voting(round_id, change=False))

    async def _view(self, voting: VotingRound) -> CouncilView:
        rows = await self._rows(voting)
        people = await self.people.people_by_id(rows)
        active = [p for p, m in rows.items() if not m.removed]
        chair = await self.chair_of(voting, active)
        members = tuple(
            MemberView(p, people[p].full_name, people[p].unit_id, m.origin, m.removed, p == chair)
            for p, m in sorted(rows.items(), key=lambda item: people[item[0]].full_name)
            if p in people
        )
        return CouncilView(voting.round_id, voting.id, voting.state, members, chair)

    async def _person(self, person_id: int) -> Person:
        person = await self.people.get(person_id)
        if person is None or not person.active:
            raise NotAPerson()
        return person

    async def _set(self, round_id: int, person_id: int, *, removed: bool) -> CouncilView:
        me = ensure_secretary(self.ctx)
        voting = await self._voting(round_id, change=True)
        await self._person(person_id)
        rows = await self._rows(voting)
        row = rows.get(person_id)
        if row is not None and row.removed == removed:
            return await self._view(voting)  # as asked already: nothing to record
        origin = row.origin if row is not None else "added"
        changed = await self.repo.set_member(
            voting.id, person_id, origin=origin, removed=removed, by=me.person_id, now=self.ctx.clock.now()
        )
        if changed:  # two secretaries at once: the one who changed it records it
            action = "voting.member_removed" if removed else "voting.member_added"
            Audit(self.ctx).record(action, "voting_round", voting.id, after={"person": person_id})
        return await self._view(voting)

    async def add(self, round_id: int, person_id: int) -> CouncilView:
        return await self._set(round_id, person_id, removed=False)

    async def remove(self, round_id: int, person_id: int) -> CouncilView:
        return await self._set(round_id, person_id, removed=True)

    async def name_chair(self, round_id: int, person_id: int) -> CouncilView:
        ensure_secretary(self.ctx)
        voting = await self._voting(round_id, change=True)
        view = await self._view(voting)
        if person_id not in {m.person_id for m in view.active}:
            raise ChairNotMember()
        before = voting.chair_id
        voting.chair_id = person_id
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "voting.chair_named",
            "voting_round",
            voting.id,
            before={"chair": before},
            after={"chair": person_id},
        )
        return await self._view(voting)


# -- opening ----------------------------------------------------------------------------------------------
def ensure_secret(ctx: Ctx) -> None:
    """Refuse before anything is written when VOTE_SECRET is not set."""
    ballot.secret_of(ctx.settings)


async def open_voting(ctx: Ctx, round_: PlanRound, *, early: bool) -> VotingRound | None:
    """Open the round's vote now (once: None when it had opened already). The caller checked the time."""
    ensure_secret(ctx)
    repo, now = VotingRepo(ctx.session), ctx.clock.now()
    council = Council(ctx)
    voting = await council._voting(round_.id, change=False)
    if voting.state != VotingState.PREPARING.value:
        return None
    rows = await council._rows(voting)
    members = [p for p, m in rows.items() if not m.removed]
    plan = PlanRepo(ctx.session)
    period = await plan.period(round_.period_id)
    assert period is not None
    salt = ballot.new_salt()
    values: dict[str, Any] = {
        "state": VotingState.OPEN.value,
        "rules": freeze(round_, await plan.commendations(period.id), period),
        "key_salt": salt,
        "key_check": ballot.key_check(ballot.round_key(ballot.secret_of(ctx.settings), salt, voting.id)),
        "chair_id": await council.chair_of(voting, members),
        "opened_at": now,
        "opened_early": early,
    }
    if not await repo.advance(voting.id, [VotingState.PREPARING.value], **values):
        return None  # another process opened it
    await repo.refresh(voting)
    for row in rows.values():
        if row.id is None:
            row.voting_id, row.changed_at = voting.id, now
            repo.add(row)
    await _close_nominations(ctx, round_, now)
    dossiers = await _dossiers(ctx, voting, round_, members)
    Audit(ctx).record(
        "voting.opened",
        "voting_round",
        voting.id,
        after={
            "round": round_.id,
            "early": early,
            "members": sorted(members),
            "chair": voting.chair_id,
            "dossiers": len(dossiers),
        },
    )
    await tell_members(ctx, voting, round_, dossiers, members)
    return voting


async def _close_nominations(ctx: Ctx, round_: PlanRound, now: datetime) -> None:
    """End the nomination window (the secretary's extension too) and lock the nominations, audited."""
    nominations = NominationRepo(ctx.session)
    extension = await nominations.extension(round_.id)
    audit = Audit(ctx)
    if extension is not None and extension.closes_at > now:
        before = extension.closes_at
        extension.closes_at = now
        audit.record(
            "nomination.extension_ended",
            "plan_round",
            round_.id,
            before={"closes_at": before},
            after={"closes_at": now},
        )
    for nomination_id in await nominations.lock_round(round_.id, now):
        audit.record(
            "nomination.locked",
            "nomination",
            nomination_id,
            before={"state": "submitted"},
            after={"state": "locked"},
        )


async def _dossiers(
    ctx: Ctx, voting: VotingRound, round_: PlanRound, members: list[int]
) -> list[VotingDossier]:
    """The round's locked nominations as the vote's dossiers, each with the members recused from it."""
    rows = await ctx.session.scalars(
        select(Nomination).where(
            Nomination.round_id == round_.id, Nomination.state == NominationState.LOCKED.value
        )
    )
    codes = {c.id: c.code for c in await PlanRepo(ctx.session).commendations(round_.period_id)}
    order = {code: i for i, code in enumerate(round_.nominable)}
    roster, today = RosterRepo(ctx.session), ctx.clock.today()
    out = []
    for n in sorted(rows.all(), key=lambda n: (order.get(codes.get(n.commendation_id, ""), 99), n.id)):
        code = codes.get(n.commendation_id)
        if code not in order:
            continue
        if n.subject == "individual":
            recused = [m for m in members if m == n.person_id]
        else:
            heads = {h.id for h in await roster.heads_of(n.unit_id, today)}
            recused = [m for m in members if m in heads]
        row = VotingDossier(
            voting_id=voting.id,
            nomination_id=n.id,
            commendation_code=code,
            subject=n.subject,
            owner=n.owner,
            person_id=n.person_id,
            unit_id=n.unit_id,
            recused=sorted(recused),
            position=len(out),
        )
        out.append(VotingRepo(ctx.session).add(row))
    await ctx.session.flush()
    return out


async def tell_members(
    ctx: Ctx, voting: VotingRound, round_: PlanRound, dossiers: list[VotingDossier], members: list[int]
) -> None:
    """One message per member, once (keyed by round and person; a re-ballot by its own vote)."""
    texts, markup = registered()
    names = {c.code: c for c in await PlanRepo(ctx.session).commendations(round_.period_id)}
    counts: dict[str, int] = {}
    for d in dossiers:
        counts[d.commendation_code] = counts.get(d.commendation_code, 0) + 1
    titles = tuple(TitleCount(names[c].name_vi, names[c].name_en, n) for c, n in counts.items() if c in names)
    closes = closes_of(voting, round_)
    quiet = QuietHours.parse(ctx.settings.reminder_quiet_hours, ctx.settings.tz)
    outbox = Outbox(ctx)
    reballot = voting.scope != MAIN_SCOPE
    for person in (await PeopleRepo(ctx.session).people_by_id(members)).values():
        button = markup.review(voting.id, person.language)
        notice = OpeningNotice(
            voting.id,
            round_.name_vi,
            round_.name_en,
            closes,
            titles,
            recused=sum(1 for d in dossiers if person.id in (d.recused or [])),
            reballot=reballot,
            button=button is not None,
        )
        key = f"vote-reballot:{voting.id}:{person.id}" if reballot else f"vote-open:{round_.id}:{person.id}"
        await outbox.to_person_once(
            key,
            person,
            texts.opened(notice, person.language),
            kind=KIND,
            reply_markup=button,
            not_before=quiet.send_at(ctx.clock.now(), closes),
        )


async def tell_secretaries(ctx: Ctx, round_: PlanRound, reason: str, key: str, **params: Any) -> None:
    """A vote could not open or be tallied: every secretary is told, once per `key`."""
    texts, _ = registered()
    notice = RefusedNotice(round_.name_vi, round_.name_en, reason, params)
    outbox = Outbox(ctx)
    for person in await PeopleRepo(ctx.session).with_role(Role.SECRETARY, ctx.clock.today()):
        await outbox.to_person_once(
            f"{key}:{person.id}",
            person,
            texts.refused(notice, person.language),
            kind=KIND,
            not_before=after_quiet_hours(ctx, person.id),
        )


# -- closing ----------------------------------------------------------------------------------------------
async def close_voting(ctx: Ctx, voting_id: int, *, early: bool) -> bool:
    """Close the vote, then tally it. Early: by the secretary, once every member has voted on every
    dossier (refused otherwise, and when closed already). Timed: only once its close has passed."""
    voting, round_ = await load(ctx, voting_id)
    repo, now = VotingRepo(ctx.session), ctx.clock.now()
    if early:
        ensure_secretary(ctx)
        if voting.state in OVER:
            raise AlreadyClosed()
        if voting.state != VotingState.OPEN.value:
            raise VotingNotOpen()
        dossiers, members = await repo.dossiers(voting.id), await repo.member_ids(voting.id)
        if not complete(dossiers, members, await repo.ballots(voting.id)):
            pairs = await repo.voted_pairs(voting.id)
            total = sum(1 for m in members for d in dossiers if m not in (d.recused or []))
            raise NotComplete(done=len(pairs), total=total)
    elif voting.state != VotingState.OPEN.value or now <= closes_of(voting, round_):
        return False
    if not await repo.advance(
        voting.id, [VotingState.OPEN.value], state=VotingState.CLOSED.value, closed_at=now
    ):
        if early:
            raise AlreadyClosed()
        return False
    await repo.refresh(voting)
    Audit(ctx).record("voting.closed", "voting_round", voting.id, after={"early": early})
    await results.Results(ctx).tally(voting.id)
    return True


# -- a re-ballot of one dossier ---------------------------------------------------------------------------
async def reballot(ctx: Ctx, voting_id: int, dossier_id: int, closes_at: datetime) -> VotingRound:
    """Vote again on one dossier of a tallied vote (the decisions need it): the same council and recusal,
    the title's threshold without its quota, its own close, secrecy and result; the members are told."""
    ensure_secretary(ctx)
    ensure_secret(ctx)
    parent, round_ = await load(ctx, voting_id)
    repo, now = VotingRepo(ctx.session), ctx.clock.now()
    dossier = await repo.dossier(dossier_id)
    if parent.state != VotingState.TALLIED.value or dossier is None or dossier.voting_id != parent.id:
        raise ReballotNotAllowed()
    if closes_at <= now:
        raise ReballotCloseBad()
    scope = reballot_scope(parent.id, dossier.nomination_id)
    if await repo.of_round(round_.id, scope) is not None:
        raise ReballotNotAllowed()
    title = dict(parent.rules["titles"][dossier.commendation_code], quota=None)
    rules = {
        **parent.rules,
        "nominable": [dossier.commendation_code],
        "titles": {dossier.commendation_code: title},
    }
    voting = await repo.ensure(
        round_.id, scope, now, parent_id=parent.id, nomination_id=dossier.nomination_id
    )
    salt = ballot.new_salt()
    check = ballot.key_check(ballot.round_key(ballot.secret_of(ctx.settings), salt, voting.id))
    members = await repo.member_ids(parent.id)
    opened = await repo.advance(
        voting.id,
        [VotingState.PREPARING.value],
        state=VotingState.OPEN.value,
        rules=rules,
        key_salt=salt,
        key_check=check,
        chair_id=parent.chair_id,
        opened_at=now,
        closes_at=closes_at,
    )
    if not opened:
        raise ReballotNotAllowed()
    await repo.refresh(voting)
    copy = await _same_council(ctx, voting, dossier, members)
    Audit(ctx).record(
        "voting.reballot_opened",
        "voting_round",
        voting.id,
        after={"of": parent.id, "dossier": dossier.id, "closes_at": closes_at, "members": sorted(members)},
    )
    await tell_members(ctx, voting, round_, [copy], members)
    return voting


async def _same_council(
    ctx: Ctx, voting: VotingRound, dossier: VotingDossier, members: list[int]
) -> VotingDossier:
    """A re-ballot's council and its one dossier: the parent's, recusal included."""
    repo, now = VotingRepo(ctx.session), ctx.clock.now()
    by = ctx.actor.person_id if ctx.actor else None
    for person_id in members:
        repo.add(
            VotingMember(
                voting_id=voting.id,
                person_id=person_id,
                origin="role",
                removed=False,
                changed_by=by,
                changed_at=now,
            )
        )
    copy = VotingDossier(
        voting_id=voting.id,
        nomination_id=dossier.nomination_id,
        commendation_code=dossier.commendation_code,
        subject=dossier.subject,
        owner=dossier.owner,
        person_id=dossier.person_id,
        unit_id=dossier.unit_id,
        recused=list(dossier.recused or []),
        position=0,
    )
    repo.add(copy)
    await ctx.session.flush()
    return copy


# -- the timed work ---------------------------------------------------------------------------------------
async def voting_due(ctx: DueContext, now: datetime) -> int:
    """Open the votes whose window has come, close those whose close has passed, tally what waits; each in
    its own unit of work. How many votes changed state."""
    async with unit_of_work(ctx) as c:
        repo = VotingRepo(c.session)
        to_open = [r.id for r in await repo.rounds_to_open(now)]
        closing = []
        for v in await repo.in_states([VotingState.OPEN.value]):
            plan_round = await PlanRepo(c.session).round(v.round_id)
            if plan_round is not None and now > closes_of(v, plan_round):
                closing.append(v.id)
        untallied = [v.id for v in await repo.in_states([VotingState.CLOSED.value])]
    changed = 0
    for round_id in to_open:
        async with unit_of_work(ctx) as c:
            round_ = await PlanRepo(c.session).round(round_id)
            try:
                changed += round_ is not None and await open_voting(c, round_, early=False) is not None
            except VoteSecretMissing as e:
                if round_ is not None:
                    await tell_secretaries(c, round_, e.key, f"vote-refused:{round_.id}:{e.key}")
    for voting_id in closing:
        async with unit_of_work(ctx) as c:
            changed += await close_voting(c, voting_id, early=False)
    for voting_id in untallied:
        async with unit_of_work(ctx) as c:
            changed += await results.Results(c).tally(voting_id) is not None
    return changed
