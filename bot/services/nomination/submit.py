"""Nominating: the draft's steps, sending it (new, edited, or again after a withdrawal), withdrawing it,
and the secretary's extension of the window."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.errors import NotAllowed
from bot.plan.calendar import closes_at
from bot.roles import Role, can
from bot.services.audit import Audit
from bot.services.name_search import find_people
from storage.models import Person, Unit
from storage.models.good_deed import GoodDeed
from storage.models.nomination import Nomination, NominationExtension, NominationState, ReportState
from storage.models.plan import PlanCommendation, PlanRound
from storage.repositories.good_deed import GoodDeedRepo

from .core import Core
from .rules import (
    SUBMIT,
    AlreadyNominated,
    BadDate,
    Draft,
    NominationNotFound,
    NoRoundOpen,
    NotNominator,
    NotYourself,
    NotYourUnit,
    RoundClosed,
    Stale,
    TitleNotAllowed,
    View,
    check_file,
    check_summary,
)


class Nominating(Core):
    # -- starting ------------------------------------------------------------------------------------------
    async def headed_units(self) -> list[Unit]:
        if self.is_secretary():
            return await self.roster.units(active_only=True)
        ids = sorted({g.unit_id for g in self.actor.grants if g.role in (Role.UNIT_HEAD, Role.DEPUTY_HEAD)})
        return [u for u in [await self.roster.unit(i) for i in ids if i] if u is not None]

    async def start(self) -> list[PlanRound]:
        """The rounds open for nominations now; raises when the actor may not nominate or none is open."""
        if not can(self.ctx.actor, SUBMIT):
            raise NotNominator()
        rounds = await self.open_rounds()
        if not rounds:
            raise NoRoundOpen()
        return rounds

    async def with_round(self, draft: Draft, round_id: int) -> Draft:
        await self._round(round_id)
        draft.round_id = round_id
        return draft

    async def find_nominees(self, unit_id: int, query: str) -> list[Person]:
        """People of the unit whose name matches (≥ 3 letters, at most 8), never the head himself; the
        secretary: the college."""
        if not self.may_nominate_for(unit_id):
            raise NotYourUnit()
        where = [Person.active.is_(True)]
        if not self.is_secretary():
            where += [Person.unit_id == unit_id, Person.id != self.actor.person_id]
        return await find_people(self.ctx.session, query, *where)

    def _check_nominee(self, unit_id: int | None, person_id: int | None) -> None:
        if not self.may_nominate_for(unit_id):
            raise NotYourUnit()
        if person_id is not None and person_id == self.actor.person_id and not self.is_secretary():
            raise NotYourself()  # a head is nominated by the secretary (issue 18)

    async def with_person(self, draft: Draft, person_id: int) -> Draft:
        person = await self.people.get(person_id)
        if person is None or not person.active or person.unit_id is None:
            raise NotYourUnit()
        self._check_nominee(person.unit_id, person.id)
        draft.subject, draft.person_id, draft.unit_id = "individual", person.id, person.unit_id
        return draft

    def with_unit(self, draft: Draft, unit_id: int) -> Draft:
        self._check_nominee(unit_id, None)
        draft.subject, draft.person_id, draft.unit_id = "collective", None, unit_id
        return draft

    async def titles(self, draft: Draft) -> list[PlanCommendation]:
        """The titles and award forms the round allows for this kind of nominee."""
        round_ = await self._round(draft.round_id)
        rows = await self.plan.commendations(round_.period_id)
        return [
            r for r in rows if r.code in round_.nominable and draft.subject in (r.subjects or [r.subject])
        ]

    async def with_title(self, draft: Draft, commendation_id: int) -> Draft:
        allowed = {r.id for r in await self.titles(draft)}
        if commendation_id not in allowed:
            raise TitleNotAllowed()
        existing = await self.repo.of_owner(draft.round_id or 0, draft.owner, commendation_id)
        if existing is not None and existing.id != draft.nomination_id:
            if existing.state != NominationState.WITHDRAWN.value:
                raise AlreadyNominated(name=await self._nominee_name(existing))
        draft.commendation_id = commendation_id
        return draft

    @staticmethod
    def with_summary(draft: Draft, text: str | None) -> Draft:
        draft.summary = check_summary(text)
        return draft

    @staticmethod
    def with_file(draft: Draft, file_id: str, name: str | None, mime: str | None, size: int | None) -> Draft:
        check_file(name, mime, size)
        draft.file_id, draft.file_name, draft.file_size = file_id, name, size
        return draft

    async def deeds(self, draft: Draft) -> list[GoodDeed]:
        """The verified good deeds of the nominee, to attach."""
        if draft.person_id is not None:
            return await GoodDeedRepo(self.ctx.session).verified_for(person_id=draft.person_id)
        return await GoodDeedRepo(self.ctx.session).verified_for(unit_id=draft.unit_id)

    async def toggle_deed(self, draft: Draft, deed_id: int) -> Draft:
        if deed_id not in {d.id for d in await self.deeds(draft)}:
            raise NominationNotFound()
        if deed_id in draft.deed_ids:
            draft.deed_ids.remove(deed_id)
        else:
            draft.deed_ids.append(deed_id)
        return draft

    # -- submitting, editing, withdrawing --------------------------------------------------------------------
    async def submit(self, draft: Draft) -> View:
        """Store the nomination (new, edited, or again after a withdrawal); ask for the report."""
        round_ = await self._round(draft.round_id)
        self._check_nominee(draft.unit_id, draft.person_id)
        await self.with_title(draft, draft.commendation_id or 0)
        deeds = {d.id for d in await self.deeds(draft)}
        values = {
            "commendation_id": draft.commendation_id,
            "summary": check_summary(draft.summary),
            "file_id": draft.file_id,
            "file_name": draft.file_name,
            "file_size": draft.file_size,
            "state": NominationState.SUBMITTED.value,
            "updated_at": self.ctx.clock.now(),
        }
        existing = await self.repo.of_owner(round_.id, draft.owner, draft.commendation_id or 0)
        if draft.nomination_id is not None and (existing is None or existing.id != draft.nomination_id):
            existing = await self.repo.get(draft.nomination_id)
        if existing is None:
            row = self.repo.add(
                Nomination(
                    round_id=round_.id,
                    subject=draft.subject,
                    owner=draft.owner,
                    person_id=draft.person_id,
                    unit_id=draft.unit_id,
                    report_state=ReportState.MISSING.value,
                    version=1,
                    created_by=self.actor.person_id,
                    created_at=values["updated_at"],
                    **values,
                )
            )
            await self.ctx.session.flush()
            before, action = None, "nomination.submitted"
        else:
            before = self._audit(existing)
            version = draft.version if existing.id == draft.nomination_id else existing.version
            states = (NominationState.SUBMITTED.value, NominationState.WITHDRAWN.value)
            if not await self.repo.change(existing.id, version=version, states=states, values=values):
                raise Stale()
            row = await self.repo.refresh(existing)
            action = "nomination.resubmitted" if before["state"] == "withdrawn" else "nomination.edited"
        await self.repo.set_deeds(row.id, [d for d in draft.deed_ids if d in deeds])
        Audit(self.ctx).record(action, "nomination", row.id, before=before, after=self._audit(row))
        view = await self._view(row)
        if before is None or before["state"] == "withdrawn":
            await self._ask_report(view)
        return view

    async def _own(self, nomination_id: int, *, open_: bool = True) -> Nomination:
        """A nomination the actor may act on as a nominator (the head of its unit, or the secretary), never
        one about themselves; refused once its window has passed (locked or not yet)."""
        row = await self._nominators_row(nomination_id)
        round_ = await self._round_of(row)
        if open_ and (row.state == NominationState.LOCKED.value or not await self.is_open(round_)):
            raise RoundClosed(closed=await self.closes(round_))
        return row

    async def edit_draft(self, nomination_id: int) -> Draft:
        row = await self._own(nomination_id)
        return Draft(
            round_id=row.round_id,
            subject=row.subject,
            person_id=row.person_id,
            unit_id=row.unit_id,
            commendation_id=row.commendation_id,
            summary=row.summary,
            deed_ids=await self.repo.deed_ids(row.id),
            file_id=row.file_id,
            file_name=row.file_name,
            file_size=row.file_size,
            nomination_id=row.id,
            version=row.version,
        )

    async def withdraw(self, nomination_id: int, version: int) -> View:
        row = await self._own(nomination_id)
        if row.state != NominationState.SUBMITTED.value or row.version != version:
            raise Stale()
        before = self._audit(row)
        values = {"state": NominationState.WITHDRAWN.value, "updated_at": self.ctx.clock.now()}
        if not await self.repo.change(row.id, version=version, states=("submitted",), values=values):
            raise Stale()
        row = await self.repo.refresh(row)
        Audit(self.ctx).record(
            "nomination.withdrawn", "nomination", row.id, before=before, after=self._audit(row)
        )
        return await self._view(row)

    # -- the window's extension ----------------------------------------------------------------------------
    async def extend(self, round_id: int, until: date) -> datetime:
        """Let nominations run to the end of the local day `until` (audited), ending before voting opens."""
        if not self.is_secretary():
            raise NotAllowed()
        round_ = await self._round(round_id, open_=False)
        new_close = closes_at(until).astimezone(UTC)
        voting = round_.voting_opened_early_at or round_.voting_open_at
        if until < self.ctx.clock.today():
            raise BadDate("nomination-ext-past")
        if new_close <= await self.closes(round_):
            raise BadDate("nomination-ext-not-later", closes=await self.closes(round_))
        if new_close >= voting:
            raise BadDate("nomination-ext-after-voting", voting=voting)
        existing = await self.repo.extension(round_.id)
        before = {"closes_at": (await self.closes(round_)).isoformat()}
        now = self.ctx.clock.now()
        if existing is None:
            row = self.repo.add_extension(
                NominationExtension(
                    round_id=round_.id, closes_at=new_close, set_by=self.actor.person_id, set_at=now
                )
            )
        else:
            existing.closes_at, existing.set_by, existing.set_at = new_close, self.actor.person_id, now
            row = existing
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "nomination.window_extended",
            "nomination_extension",
            row.id,
            before=before,
            after={"closes_at": new_close.isoformat(), "round": round_.code},
        )
        return new_close
