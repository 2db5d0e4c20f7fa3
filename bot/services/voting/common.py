"""What the rooms of the vote share: its actions, finding a vote and its plan round, when it closes."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Ctx
from bot.plan.calendar import effective_voting_window
from bot.roles import Member, Role, Scope, can, register_rules
from bot.services.plan import register_reference
from bot.services.reminder_times import QuietHours
from bot.services.voting.errors import NotSecretary, VotingClosed, VotingNotFound, VotingNotOpen
from storage.models.plan import PlanRound
from storage.models.voting import Ballot, VotingDossier, VotingRound, VotingState
from storage.repositories.plan import PlanRepo
from storage.repositories.voting import VotingRepo

# Anyone linked may ask to vote: whether they are a member of that vote is the service's to say (the
# secretary may add a member who holds no `council` role). Managing the council is the secretary's.
VOTE, MANAGE = "voting_vote", "voting_manage"
register_rules({VOTE: {r: Scope.ALL for r in Role}, MANAGE: {Role.SECRETARY: Scope.ALL}})
register_reference(VotingRound.round_id, "round", "voting-ref-label")
KIND = "voting"  # the outbox rows of this feature


def is_secretary(actor: Member | None) -> bool:
    return can(actor, MANAGE)


def ensure_secretary(ctx: Ctx) -> Member:
    if ctx.actor is None or not is_secretary(ctx.actor):
        raise NotSecretary()
    return ctx.actor


def closes_of(voting: VotingRound, round_: PlanRound) -> datetime:
    """When the vote closes: a re-ballot at its own time, the round's at the plan's (or the extension)."""
    if voting.closes_at is not None:
        return voting.closes_at
    return effective_voting_window(round_)[1]


def after_quiet_hours(ctx: Ctx, person_id: int | None = None) -> datetime:
    """When a message of the vote goes to a person who did not just act: now, or at the end of the quiet
    hours; at once to the actor (`person_id` is who acted on this update)."""
    now = ctx.clock.now()
    if person_id is not None and ctx.actor is not None and ctx.actor.person_id == person_id:
        return now
    quiet = QuietHours.parse(ctx.settings.reminder_quiet_hours, ctx.settings.tz)
    return quiet.send_at(now, now + timedelta(days=1))


async def load(ctx: Ctx, voting_id: int) -> tuple[VotingRound, PlanRound]:
    voting = await VotingRepo(ctx.session).get(voting_id)
    round_ = await PlanRepo(ctx.session).round(voting.round_id) if voting else None
    if voting is None or round_ is None:
        raise VotingNotFound()
    return voting, round_


async def open_vote(ctx: Ctx, voting_id: int) -> tuple[VotingRound, PlanRound]:
    """The vote, while ballots may be cast: opened, and its close not passed."""
    voting, round_ = await load(ctx, voting_id)
    if voting.state == VotingState.PREPARING.value:
        raise VotingNotOpen()
    if voting.state != VotingState.OPEN.value or ctx.clock.now() > closes_of(voting, round_):
        raise VotingClosed()
    return voting, round_


def eligible(dossiers: list[VotingDossier], member_id: int) -> list[VotingDossier]:
    """The dossiers `member_id` votes on: all but those they are recused from."""
    return [d for d in dossiers if member_id not in (d.recused or [])]


def complete(dossiers: list[VotingDossier], members: list[int], ballots: list[Ballot]) -> bool:
    """Every member has voted on every dossier they may vote on."""
    voted = {(b.dossier_id, b.member_id) for b in ballots}
    return all((d.id, m) in voted for m in members for d in eligible(dossiers, m))
