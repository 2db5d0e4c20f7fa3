"""What the rooms of the decisions share: the actions, the errors, the round's list of who passed.

The list of a round is what the council's vote left: the main vote's results (a tie as the chair settled
it), each re-balloted dossier by its own result. It is final (`Ready`) once the vote is tallied, every tie
settled and no re-ballot still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.context import Ctx
from bot.errors import DomainError
from bot.roles import Member, Role, Scope, can, register_rules
from bot.services.reminder_times import QuietHours
from storage.models import Person, Unit
from storage.models.nomination import Nomination
from storage.models.plan import PlanCommendation, PlanRound
from storage.models.voting import MAIN_SCOPE, VotingDossier, VotingResult, VotingRound, VotingState
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo

# Objecting is anyone linked's; recording, answering and correcting the secretary's; /summary the
# principal's (and the secretary's, who prepares it); /history everyone's, each seeing what is theirs.
OBJECT, DECIDE, SUMMARY, HISTORY = "decision_object", "decision_manage", "decision_summary", "history_view"
register_rules(
    {
        OBJECT: {r: Scope.ALL for r in Role},
        DECIDE: {Role.SECRETARY: Scope.ALL},
        SUMMARY: {Role.PRINCIPAL: Scope.ALL, Role.SECRETARY: Scope.ALL},
        HISTORY: {r: Scope.ALL for r in Role},
    }
)
KIND = "decision"  # the outbox rows of this feature
REASON_MIN, REASON_MAX = 20, 1000  # an objection's reason
ANSWER_MIN = 5  # a dismissal's, a leaving out's, a revocation's reason


class DecisionError(DomainError):
    key = "decisions-error"


def err(key: str, **params: object) -> DecisionError:
    return DecisionError(key, **params)


def ensure_secretary(ctx: Ctx) -> Member:
    if ctx.actor is None or not can(ctx.actor, DECIDE):
        raise err("decisions-not-secretary")
    return ctx.actor


def reason_of(text: str | None, low: int = ANSWER_MIN, high: int = REASON_MAX) -> str:
    reason = " ".join((text or "").split())
    if len(reason) < low:
        raise err("decisions-reason-short", min=low, length=len(reason))
    if len(reason) > high:
        raise err("decisions-reason-long", max=high, length=len(reason))
    return reason


def after_quiet_hours(ctx: Ctx, person_id: int | None = None) -> datetime:
    """Now for the person who acted; else now, or the end of the quiet hours."""
    now = ctx.clock.now()
    if person_id is not None and ctx.actor is not None and ctx.actor.person_id == person_id:
        return now
    quiet = QuietHours.parse(ctx.settings.reminder_quiet_hours, ctx.settings.tz)
    return quiet.send_at(now, now + timedelta(days=1))


@dataclass(frozen=True)
class Candidate:
    """A nomination of the round as the vote left it."""

    nomination_id: int
    dossier_id: int
    code: str
    title_vi: str
    title_en: str
    kind: str  # title | award_form
    level: int | None
    decided_by: str  # school | upward
    subject: str  # individual | collective
    person_id: int | None
    unit_id: int
    name: str  # the nominee: a person's name, or the unit's
    unit: str
    passed: bool
    summary: str

    def title(self, locale: str | None) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_vi


@dataclass(frozen=True)
class RoundList:
    round: PlanRound
    vote: VotingRound | None
    candidates: tuple[Candidate, ...]
    ties_open: int = 0
    reballots_open: int = 0

    @property
    def passed(self) -> list[Candidate]:
        return [c for c in self.candidates if c.passed]

    def find(self, nomination_id: int) -> Candidate | None:
        return next((c for c in self.candidates if c.nomination_id == nomination_id), None)

    def ensure_ready(self) -> None:
        """The list is final: tallied, every tie settled, no re-ballot open."""
        if self.vote is None or self.vote.state != VotingState.TALLIED.value:
            raise err("decisions-not-tallied")
        if self.ties_open:
            raise err("decisions-ties-open", count=self.ties_open)
        if self.reballots_open:
            raise err("decisions-reballot-open")


async def load_round(ctx: Ctx, round_id: int) -> PlanRound:
    round_ = await PlanRepo(ctx.session).round(round_id)
    if round_ is None:
        raise err("decisions-round-unknown")
    return round_


async def _outcomes(ctx: Ctx, main: VotingRound, votes: list[VotingRound]) -> tuple[dict, dict, int]:
    """(nomination -> dossier, nomination -> outcome, re-ballots still open): a tie as the chair settled
    it, a re-balloted dossier by its own result."""
    s = ctx.session
    outcome: dict[int, str] = {}
    dossiers: dict[int, VotingDossier] = {}
    rows = await s.execute(
        select(VotingDossier, VotingResult)
        .join(VotingResult, VotingResult.dossier_id == VotingDossier.id)
        .where(VotingDossier.voting_id == main.id)
    )
    for d, r in rows.all():
        dossiers[d.nomination_id] = d
        outcome[d.nomination_id] = r.settled_outcome or r.outcome
    open_ = 0
    for again in (v for v in votes if v.parent_id == main.id):
        if again.state != VotingState.TALLIED.value:
            open_ += 1
            continue
        result = await s.scalar(select(VotingResult).where(VotingResult.voting_id == again.id))
        if result is not None and again.nomination_id is not None:
            outcome[again.nomination_id] = result.outcome
    return dossiers, outcome, open_


async def round_list(ctx: Ctx, round_id: int) -> RoundList:
    """The round's nominations as the vote left them (nothing is written)."""
    s = ctx.session
    round_ = await load_round(ctx, round_id)
    stmt = select(VotingRound).where(VotingRound.round_id == round_id).order_by(VotingRound.id)
    votes = list(await s.scalars(stmt))
    main = next((v for v in votes if v.scope == MAIN_SCOPE), None)
    if main is None:
        return RoundList(round_, None, ())
    dossiers, outcome, reballots_open = await _outcomes(ctx, main, votes)
    if not dossiers:
        return RoundList(round_, main, (), 0, reballots_open)
    noms = {n.id: n for n in await s.scalars(select(Nomination).where(Nomination.id.in_(list(dossiers))))}
    stmt_c = select(PlanCommendation).where(PlanCommendation.period_id == round_.period_id)
    titles = {c.code: c for c in await s.scalars(stmt_c)}
    people = PeopleRepo(s)
    persons: dict[int, Person] = await people.people_by_id(d.person_id for d in dossiers.values())
    units: dict[int, Unit] = await people.units_by_id(d.unit_id for d in dossiers.values())
    out = []
    for nid, d in sorted(dossiers.items(), key=lambda kv: (kv[1].position, kv[1].id)):
        c = titles.get(d.commendation_code)
        if c is None:
            continue
        unit = units.get(d.unit_id)
        person = persons.get(d.person_id) if d.person_id else None
        name = person.full_name if person else (unit.name if unit else "")
        out.append(
            Candidate(
                nid, d.id, c.code, c.name_vi, c.name_en, c.kind, c.level, c.decided_by, d.subject,
                d.person_id, d.unit_id, name, unit.name if unit else "", outcome.get(nid) == "passed",
                noms[nid].summary if nid in noms else "",
            )
        )  # fmt: skip
    ties = sum(1 for o in outcome.values() if o == "tied")
    return RoundList(round_, main, tuple(out), ties, reballots_open)
