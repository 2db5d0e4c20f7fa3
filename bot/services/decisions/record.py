"""Recording a round's decision (quyết định): the number and date on one line (`parse_decision`, as
announcements read it), the signer (who holds `principal` that day, or a deputy under a dated delegation:
"KT. HIỆU TRƯỞNG"), the list (all who passed, one left out with a reason), the money confirmed where its
rule is to confirm; a preview first. Refused while the comment period runs, an objection is unanswered,
a tie is open, with a date in the future or a number used that year. Each passed nomination becomes a
commendation; those decided upward become proposals."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.clock import fmt_when
from bot.context import Ctx
from bot.roles import Role
from bot.services.announce_draft import parse_decision
from bot.services.audit import Audit
from bot.services.decisions.common import Candidate, RoundList, ensure_secretary, err, reason_of, round_list
from bot.services.decisions.money import Money, amounts, two_award_forms
from storage.models.decisions import Commendation, Decision, DecisionItem, Proposal, SigningDelegation
from storage.models.plan import PlanSchoolYear
from storage.repositories.decisions import DecisionRepo
from storage.repositories.people import PeopleRepo

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def number_key(number: str) -> str:
    """ "0123 / qđ–cđktcn" → "123/QĐ-CĐKTCN": how the college's numbers are compared within a year."""
    text = unicodedata.normalize("NFC", _DASHES.sub("-", number)).upper()
    text = re.sub(r"\s+", "", text)
    m = re.match(r"0*(\d+)(.*)", text)
    return f"{int(m.group(1))}{m.group(2)}" if m else text


@dataclass
class DecisionDraft:
    """What the secretary is recording, kept in the conversation (plain JSON)."""

    round_id: int
    number: str = ""
    day: str = ""  # ISO date
    signer: int | None = None
    left_out: dict[str, str] = field(default_factory=dict)  # nomination id -> reason
    amounts: dict[str, int] = field(default_factory=dict)  # nomination id -> the amount confirmed
    confirmed: bool = False  # the provisional amounts were confirmed as shown

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> DecisionDraft:
        return cls(**data["decision"])

    def as_state(self) -> dict[str, Any]:
        return {"decision": dict(self.__dict__)}

    @property
    def decided_on(self) -> date:
        return date.fromisoformat(self.day)


@dataclass(frozen=True)
class Signer:
    person_id: int
    name: str
    deputy: bool  # signs "KT. HIỆU TRƯỞNG"
    delegation_id: int | None = None


@dataclass(frozen=True)
class Line:
    candidate: Candidate
    money: Money
    amount: int | None  # what will be recorded (the confirmed one, else the computed one)
    left_out: str | None = None


@dataclass(frozen=True)
class Preview:
    draft: DecisionDraft
    round_name_vi: str
    round_name_en: str
    school_year: str
    signer: Signer | None
    lines: tuple[Line, ...]
    twice: tuple[tuple[Candidate, Candidate], ...]
    upward: tuple[Candidate, ...]

    @property
    def provisional(self) -> bool:
        return any(line.money.provisional and line.left_out is None for line in self.lines)


class Recorder:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = DecisionRepo(ctx.session)

    # -- what may be decided ---------------------------------------------------------------------------
    async def decidable(self, round_id: int) -> tuple[RoundList, list[Candidate], list[Candidate]]:
        """The round's list when a decision may be recorded: (list, school's to decide, upward's)."""
        ensure_secretary(self.ctx)
        listing = await round_list(self.ctx, round_id)
        listing.ensure_ready()
        round_, now = listing.round, self.ctx.clock.now()
        period = await self.repo.period(round_id)
        if period is not None and now <= period.closes_at:
            raise err("decisions-comment-running", until=fmt_when(period.closes_at))
        if round_.comment_days and period is None:
            raise err("decisions-comment-not-held", days=round_.comment_days)
        open_ = await self.repo.unsettled(round_id)
        if open_:
            raise err("decisions-objections-open", count=open_)
        passed = listing.passed
        done = await self.repo.decided(c.nomination_id for c in passed)
        school = [c for c in passed if c.decided_by == "school" and c.nomination_id not in done]
        upward = [c for c in passed if c.decided_by == "upward"]
        if not school and not upward:
            raise err("decisions-nothing-to-decide")
        return listing, school, upward

    async def signers(self, day: date) -> list[Signer]:
        """Who may sign on `day`: the holders of `principal` that day, then deputies under a delegation."""
        people = PeopleRepo(self.ctx.session)
        out = [Signer(p.id, p.full_name, False) for p in await people.with_role(Role.PRINCIPAL, day)]
        for d in await self.repo.delegations_on(day):
            person = await people.get(d.deputy_id)
            if person is not None and person.active and all(s.person_id != person.id for s in out):
                out.append(Signer(person.id, person.full_name, True, d.id))
        return out

    # -- the conversation's steps ---------------------------------------------------------------------
    async def with_number(self, draft: DecisionDraft, text: str) -> DecisionDraft:
        number, day = parse_decision(text, self.ctx.clock.today())
        if await self.repo.number_used(day.year, number_key(number)) is not None:
            raise err("decisions-number-used", number=number, year=day.year)
        draft.number, draft.day = number, day.isoformat()
        return draft

    async def with_signer(self, draft: DecisionDraft, person_id: int) -> DecisionDraft:
        if all(s.person_id != person_id for s in await self.signers(draft.decided_on)):
            raise err("decisions-signer-not-allowed")
        draft.signer = person_id
        return draft

    def leave_out(
        self, draft: DecisionDraft, nomination_id: int, reason: str, school: list[Candidate]
    ) -> None:
        if all(c.nomination_id != nomination_id for c in school):
            raise err("decisions-not-on-list")
        draft.left_out[str(nomination_id)] = reason_of(reason)
        if all(str(c.nomination_id) in draft.left_out for c in school):
            del draft.left_out[str(nomination_id)]
            raise err("decisions-nothing-left")

    def set_amount(self, draft: DecisionDraft, nomination_id: int, text: str) -> int:
        digits = re.sub(r"[.\s,đdồng]", "", (text or "").strip().lower())
        if not digits.isdigit() or len(digits) > 12:
            raise err("decisions-amount-bad")
        draft.amounts[str(nomination_id)] = int(digits)
        return int(digits)

    async def preview(self, draft: DecisionDraft) -> Preview:
        listing, school, upward = await self.decidable(draft.round_id)
        if not draft.number:
            raise err("decisions-number-missing")
        signer = next((s for s in await self.signers(draft.decided_on) if s.person_id == draft.signer), None)
        on_list = {str(c.nomination_id) for c in school}
        if not set(draft.left_out) <= on_list or not set(draft.amounts) <= on_list:
            raise err("decisions-not-on-list")
        for reason in draft.left_out.values():
            reason_of(reason)
        money = await amounts(self.ctx, school, draft.decided_on, listing.round.period_id)
        lines = tuple(
            Line(
                c,
                money[c.nomination_id],
                draft.amounts.get(str(c.nomination_id), money[c.nomination_id].computed)
                if money[c.nomination_id].computed is not None
                else None,
                draft.left_out.get(str(c.nomination_id)),
            )
            for c in school
        )
        kept = [c for c in school if str(c.nomination_id) not in draft.left_out]
        sy = await self.ctx.session.get(PlanSchoolYear, listing.round.school_year_id)
        done = await self.repo.proposed(c.nomination_id for c in upward)
        return Preview(
            draft,
            listing.round.name_vi,
            listing.round.name_en,
            sy.code if sy else "",
            signer,
            lines,
            tuple(two_award_forms(kept)),
            tuple(c for c in upward if c.nomination_id not in done),
        )

    # -- recording ----------------------------------------------------------------------------------------
    async def record(self, draft: DecisionDraft) -> Decision:
        me = ensure_secretary(self.ctx)
        number, day = parse_decision(f"{draft.number} {draft.decided_on:%d/%m/%Y}", self.ctx.clock.today())
        view = await self.preview(draft)
        if view.signer is None:
            raise err("decisions-signer-not-allowed")
        if view.provisional and not draft.confirmed:
            raise err("decisions-amount-unconfirmed")
        if not any(line.left_out is None for line in view.lines) and not view.upward:
            raise err("decisions-nothing-left")
        key = number_key(number)
        if await self.repo.number_used(day.year, key) is not None:
            raise err("decisions-number-used", number=number, year=day.year)
        now = self.ctx.clock.now()
        try:
            async with self.ctx.session.begin_nested():
                decision = self.repo.add(
                    Decision(
                        round_id=draft.round_id,
                        number=number,
                        number_key=key,
                        year=day.year,
                        decided_on=day,
                        signer_id=view.signer.person_id,
                        signed_as="deputy" if view.signer.deputy else "principal",
                        delegation_id=view.signer.delegation_id,
                        version=1,
                        recorded_by=me.person_id,
                        recorded_at=now,
                    )
                )
                await self.ctx.session.flush()
                made = self._commend(decision, view)
                await self.ctx.session.flush()
        except IntegrityError:
            raise err("decisions-already-recorded") from None
        self._audit(decision, view, made)
        await self._propose(view)
        return decision

    def _audit(self, decision: Decision, view: Preview, made: list[Commendation]) -> None:
        Audit(self.ctx).record(
            "decision.recorded",
            "decision",
            decision.id,
            after={
                "round": view.draft.round_id,
                "number": decision.number,
                "date": decision.decided_on,
                "signer": view.signer.person_id,
                "signed_as": decision.signed_as,
                "commended": [c.nomination_id for c in made],
                "left_out": {k: v for k, v in view.draft.left_out.items()},
            },
        )
        for line in view.lines:
            if line.left_out is None and line.money.provisional:
                Audit(self.ctx).record(
                    "commendation.amount_confirmed",
                    "decision",
                    decision.id,
                    after={
                        "nomination": line.candidate.nomination_id,
                        "factor": line.money.factor,
                        "computed": line.money.computed,
                        "confirmed": line.amount,
                    },
                )

    def _commend(self, decision: Decision, view: Preview) -> list[Commendation]:
        made = []
        for line in view.lines:
            c = line.candidate
            self.repo.add(
                DecisionItem(
                    decision_id=decision.id,
                    nomination_id=c.nomination_id,
                    left_out=line.left_out is not None,
                    reason=line.left_out,
                )
            )
            if line.left_out is not None:
                continue
            made.append(
                self.repo.add(
                    Commendation(
                        subject=c.subject,
                        person_id=c.person_id,
                        unit_id=c.unit_id if c.person_id is None else None,
                        code=c.code,
                        name_vi=c.title_vi,
                        name_en=c.title_en,
                        school_year=view.school_year,
                        level="school",
                        decision_id=decision.id,
                        nomination_id=c.nomination_id,
                        decision_number=decision.number,
                        decision_date=decision.decided_on,
                        factor=str(line.money.factor) if line.money.factor is not None else None,
                        amount=line.amount,
                        amount_provisional=line.money.provisional,
                        paid=line.money.paid,
                        state="active",
                        created_at=self.ctx.clock.now(),
                    )
                )
            )
        return made

    async def _propose(self, view: Preview) -> None:
        now = self.ctx.clock.now()
        for c in view.upward:
            row = self.repo.add(
                Proposal(
                    round_id=view.draft.round_id,
                    nomination_id=c.nomination_id,
                    state="prepared",
                    updated_by=self.ctx.actor.person_id if self.ctx.actor else None,
                    created_at=now,
                    updated_at=now,
                )
            )
            await self.ctx.session.flush()
            Audit(self.ctx).record(
                "proposal.prepared", "proposal", row.id, after={"nomination": c.nomination_id}
            )

    # -- signing for the principal ------------------------------------------------------------------------
    async def delegate(self, deputy_id: int, valid_from: date, valid_to: date) -> SigningDelegation:
        """The principal (or the secretary recording the principal's paper) lets a deputy sign."""
        actor = self.ctx.actor
        if actor is None or not (actor.has(Role.PRINCIPAL) or actor.has(Role.SECRETARY)):
            raise err("decisions-not-secretary")
        if valid_to < valid_from:
            raise err("decisions-delegation-dates")
        people = PeopleRepo(self.ctx.session)
        principals = await people.with_role(Role.PRINCIPAL, valid_from)
        deputy = await people.get(deputy_id)
        if not principals or deputy is None or not deputy.active or deputy_id in {p.id for p in principals}:
            raise err("decisions-delegation-bad")
        row = self.repo.add(
            SigningDelegation(
                principal_id=principals[0].id,
                deputy_id=deputy_id,
                valid_from=valid_from,
                valid_to=valid_to,
                created_by=actor.person_id,
                created_at=self.ctx.clock.now(),
            )
        )
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "decision.delegation",
            "signing_delegation",
            row.id,
            after={"principal": row.principal_id, "deputy": deputy_id, "from": valid_from, "to": valid_to},
        )
        return row
