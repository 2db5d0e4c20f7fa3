"""What follows a recorded decision: proposals upward (prepared → sent → approved | not approved, the upper
decision's number and date entered later, an approval a commendation at that level, the person told),
the corrections (a decision's number, date or signer fixed and those told told again; a commendation revoked
with its money marked to recover, the recovery recorded), each audited with its reason; nothing deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.clock import fmt_date
from bot.context import Ctx
from bot.i18n import t
from bot.services.announce_draft import parse_decision
from bot.services.audit import Audit
from bot.services.decisions.common import (
    KIND,
    after_quiet_hours,
    ensure_secretary,
    err,
    reason_of,
    round_list,
)
from bot.services.decisions.notices import Notices
from bot.services.decisions.record import Recorder, number_key
from bot.services.outbox import Outbox
from bot.text import esc
from storage.models.decisions import Commendation, Decision, Proposal
from storage.models.plan import PlanSchoolYear
from storage.repositories.decisions import DecisionRepo
from storage.repositories.people import PeopleRepo


@dataclass(frozen=True)
class CommendedView:
    id: int
    name: str
    title: str
    amount: int | None
    state: str  # active | revoked
    recovery: str | None  # to_recover | recovered


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    signer: str
    commended: tuple[CommendedView, ...]


@dataclass(frozen=True)
class ProposalView:
    id: int
    name: str
    title: str
    state: str  # prepared | sent | approved | rejected
    upper_number: str | None
    upper_date: date | None


NEXT = {"send": ("prepared", "sent"), "approve": ("sent", "approved"), "reject": ("sent", "rejected")}


class Later:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = DecisionRepo(ctx.session)

    # -- the secretary's desk (/decisions) ------------------------------------------------------------------
    async def decisions(self, limit: int = 10) -> list[DecisionView]:
        """The latest recorded decisions, each with its commendations (revoked ones too)."""
        ensure_secretary(self.ctx)
        from bot.services.decisions.reading import recorded

        people = PeopleRepo(self.ctx.session)
        out = []
        for d in await recorded(self.ctx, limit):
            rows = await self.repo.commendations(d.id)
            persons = await people.people_by_id([d.signer_id, *(c.person_id for c in rows if c.person_id)])
            units = await people.units_by_id(c.unit_id for c in rows if c.unit_id)
            signer = persons.get(d.signer_id)
            views = []
            for c in rows:
                p = persons.get(c.person_id) if c.person_id else None
                u = units.get(c.unit_id) if c.unit_id else None
                name = p.full_name if p else (u.name if u else "")
                title = c.name_en if self._en() and c.name_en else c.name_vi
                views.append(CommendedView(c.id, name, title, c.amount, c.state, c.recovery))
            out.append(DecisionView(d, signer.full_name if signer else "", tuple(views)))
        return out

    async def proposals(self) -> list[ProposalView]:
        """Every proposal upward, the ones in progress first."""
        ensure_secretary(self.ctx)
        lists: dict[int, object] = {}
        out = []
        for p in await self.repo.proposals():
            if p.round_id not in lists:
                lists[p.round_id] = await round_list(self.ctx, p.round_id)
            c = lists[p.round_id].find(p.nomination_id)  # type: ignore[attr-defined]
            title = c.title("en" if self._en() else None) if c else ""
            out.append(ProposalView(p.id, c.name if c else "", title, p.state, p.upper_number, p.upper_date))
        order = {"prepared": 0, "sent": 1}
        return sorted(out, key=lambda v: (order.get(v.state, 2), v.id))

    def _en(self) -> bool:
        return self.ctx.actor is not None and self.ctx.actor.language == "en"

    # -- proposals upward ---------------------------------------------------------------------------------
    async def move_proposal(self, proposal_id: int, op: str, decision_text: str | None = None) -> Proposal:
        ensure_secretary(self.ctx)
        row = await self.repo.proposal(proposal_id)
        if row is None or op not in NEXT:
            raise err("decisions-proposal-unknown")
        before, after = NEXT[op]
        if row.state != before:
            raise err("decisions-proposal-moved")
        values: dict[str, object] = {"state": after, "updated_at": self.ctx.clock.now()}
        values["updated_by"] = self.ctx.actor.person_id  # type: ignore[union-attr]
        if op == "approve":
            number, day = parse_decision(decision_text or "", self.ctx.clock.today())
            values |= {"upper_number": number, "upper_date": day}
        if not await self.repo.move(Proposal, row.id, (before,), **values):
            raise err("decisions-proposal-moved")
        await self.repo.refresh(row)
        Audit(self.ctx).record(
            f"proposal.{after}", "proposal", row.id, before={"state": before}, after={"state": after}
        )
        if op == "approve":
            await self._commend_upward(row)
        return row

    async def _commend_upward(self, row: Proposal) -> None:
        listing = await round_list(self.ctx, row.round_id)
        c = listing.find(row.nomination_id)
        if c is None or row.upper_date is None:
            return
        sy = await self.ctx.session.get(PlanSchoolYear, listing.round.school_year_id)
        made = self.repo.add(
            Commendation(
                subject=c.subject,
                person_id=c.person_id,
                unit_id=c.unit_id if c.person_id is None else None,
                code=c.code,
                name_vi=c.title_vi,
                name_en=c.title_en,
                school_year=sy.code if sy else "",
                level="upward",
                nomination_id=c.nomination_id,
                decision_number=row.upper_number or "",
                decision_date=row.upper_date,
                amount=None,
                amount_provisional=False,
                paid=False,
                state="active",
                created_at=self.ctx.clock.now(),
            )
        )
        await self.ctx.session.flush()
        row.commendation_id = made.id
        people = PeopleRepo(self.ctx.session)
        told = [await people.get(c.person_id)] if c.person_id else []
        from storage.repositories.roster import RosterRepo

        told += await RosterRepo(self.ctx.session).heads_of(c.unit_id, self.ctx.clock.today())
        for p in [p for p in told if p is not None]:
            await Outbox(self.ctx).to_person_once(
                f"proposal-approved:{row.id}:{p.id}",
                p,
                t(
                    "decisions-notice-upward",
                    locale=p.language,
                    name=esc(c.name),
                    title=esc(c.title(p.language)),
                    number=esc(made.decision_number),
                    date=fmt_date(made.decision_date),
                ),
                kind=KIND,
                not_before=after_quiet_hours(self.ctx, p.id),
            )

    # -- corrections ----------------------------------------------------------------------------------------
    async def correct(self, decision_id: int, text: str, signer_id: int | None, reason: str) -> Decision:
        """A mistyped number, date or signer fixed; the commended are told again."""
        ensure_secretary(self.ctx)
        why = reason_of(reason)
        d = await self.repo.decision(decision_id)
        if d is None:
            raise err("decisions-unknown")
        number, day = parse_decision(text, self.ctx.clock.today())
        key = number_key(number)
        if await self.repo.number_used(day.year, key, but=d.id) is not None:
            raise err("decisions-number-used", number=number, year=day.year)
        signer_id = signer_id or d.signer_id
        signer = next((s for s in await Recorder(self.ctx).signers(day) if s.person_id == signer_id), None)
        if signer is None:
            raise err("decisions-signer-not-allowed")
        before = {"number": d.number, "date": d.decided_on, "signer": d.signer_id, "version": d.version}
        if (number, day, signer_id) == (d.number, d.decided_on, d.signer_id):
            raise err("decisions-nothing-changed")
        changed = await self.repo.correct(
            d.id,
            d.version,
            number=number,
            number_key=key,
            year=day.year,
            decided_on=day,
            signer_id=signer_id,
            signed_as="deputy" if signer.deputy else "principal",
            delegation_id=signer.delegation_id,
        )
        if not changed:  # another secretary corrected it meanwhile: hers stands
            raise err("decisions-corrected-meanwhile")
        await self.repo.refresh(d)
        for c in await self.repo.commendations(d.id):
            c.decision_number, c.decision_date = number, day
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "decision.corrected",
            "decision",
            d.id,
            before=before,
            after={"number": number, "date": day, "signer": signer_id, "version": d.version, "reason": why},
        )
        await Notices(self.ctx).decided(d, again=True)
        return d

    async def revoke(self, commendation_id: int, reason: str) -> Commendation:
        """The law revokes for a false dossier and recovers the money: marked to recover."""
        ensure_secretary(self.ctx)
        why = reason_of(reason)
        c = await self.repo.commendation(commendation_id)
        if c is None:
            raise err("decisions-commendation-unknown")
        recovery = "to_recover" if c.amount and c.paid else None
        if not await self.repo.move(
            Commendation,
            c.id,
            ("active",),
            state="revoked",
            revoked_reason=why,
            revoked_at=self.ctx.clock.now(),
            recovery=recovery,
        ):
            raise err("decisions-revoked-already")
        await self.repo.refresh(c)
        Audit(self.ctx).record(
            "commendation.revoked",
            "commendation",
            c.id,
            before={"state": "active"},
            after={"reason": why, "recovery": recovery, "amount": c.amount},
        )
        await Notices(self.ctx).revoked(c)
        return c

    async def recovered(self, commendation_id: int) -> Commendation:
        ensure_secretary(self.ctx)
        c = await self.repo.commendation(commendation_id)
        if c is None or not await self.repo.repaid(c.id, self.ctx.clock.now()):
            raise err("decisions-nothing-to-recover")
        await self.repo.refresh(c)
        Audit(self.ctx).record("commendation.recovered", "commendation", c.id, after={"amount": c.amount})
        return c
