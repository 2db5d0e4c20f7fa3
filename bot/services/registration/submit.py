"""Starting, the draft's steps, the preview, submitting (new, edited, reopened), withdrawing."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.services.audit import Audit
from bot.services.outbox import Outbox
from storage.models import Person
from storage.models.plan import PlanSchoolYear
from storage.models.registration import (
    Registration,
    RegistrationState,
    RegistrationSubject,
    owner_key,
)

from .core import RegistrationCore
from .rules import (
    EDITABLE,
    KIND,
    AlreadyEndorsed,
    AlreadyRegistered,
    BadTitle,
    Draft,
    NoMovement,
    NoSchoolYear,
    NotHead,
    RegistrationNotFound,
    Stale,
    Start,
    View,
    check_commitments,
    request_key,
)


class Submitting(RegistrationCore):
    # -- starting ------------------------------------------------------------------------------------------
    async def start(self, *, collective_unit: int | None = None) -> Start:
        """What `/register` finds for the actor: raises when nothing may be done now (not linked, no school
        year, the window shut). `collective_unit`: the head's unit, for the collective registration."""
        me, person = await self._me()
        year = await self.current_year()
        if collective_unit is not None:
            if not me.heads(collective_unit):
                raise NotHead()
            subject, unit_id = RegistrationSubject.COLLECTIVE.value, collective_unit
            existing = await self.repo.by_owner(year.id, unit_id=unit_id)
        else:
            subject, unit_id = RegistrationSubject.INDIVIDUAL.value, person.unit_id or 0
            existing = await self.repo.by_owner(year.id, person_id=person.id)
        window = await self.window(unit_id=unit_id, school_year=year)
        if existing is None or existing.state in EDITABLE or existing.state == RegistrationState.WITHDRAWN:
            self._require_open(window)
        return Start(year, window, existing, subject, unit_id)

    async def new_draft(self, *, collective_unit: int | None = None) -> Draft:
        """A draft for a new registration; refused when one is already there (not withdrawn)."""
        s = await self.start(collective_unit=collective_unit)
        if s.existing is not None and s.existing.state != RegistrationState.WITHDRAWN.value:
            raise AlreadyRegistered(
                year=s.school_year.code, state=t(f"registration-state-{s.existing.state}")
            )
        draft = Draft(subject=s.subject, unit_id=s.unit_id, school_year_id=s.school_year.id)
        if s.existing is not None:  # reopening a withdrawn one: its content to start from
            self._fill(draft, s.existing)
        return draft

    @staticmethod
    def _fill(draft: Draft, row: Registration) -> None:
        draft.title_id = row.title_id
        draft.movement_ids = list(row.movement_ids)
        draft.commitments = row.commitments
        draft.registration_id = row.id
        draft.version = row.version
        draft.return_reason = row.return_reason if row.state == RegistrationState.RETURNED.value else None

    async def edit_draft(self, registration_id: int) -> Draft:
        """A draft to change the actor's own registration (not yet endorsed)."""
        row = await self._own(registration_id)
        if row.state == RegistrationState.ENDORSED.value:
            raise AlreadyEndorsed()
        if row.state == RegistrationState.WITHDRAWN.value:
            return await self.new_draft(collective_unit=row.unit_id if row.subject == "collective" else None)
        await self.start(collective_unit=row.unit_id if row.subject == "collective" else None)
        draft = Draft(subject=row.subject, unit_id=row.unit_id, school_year_id=row.school_year_id)
        self._fill(draft, row)
        return draft

    async def _own(self, registration_id: int) -> Registration:
        me, person = await self._me()
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        mine = row.person_id == person.id if row.subject == "individual" else me.heads(row.unit_id)
        if not mine:
            raise RegistrationNotFound()
        return row

    # -- the steps' checks ----------------------------------------------------------------------------------
    async def _year(self, draft: Draft) -> PlanSchoolYear:
        year = await self.ctx.session.get(PlanSchoolYear, draft.school_year_id or 0)
        if year is None:
            raise NoSchoolYear(last="", ended="", next="", opens=None)
        return year

    async def with_title(self, draft: Draft, title_id: int) -> Draft:
        year = await self._year(draft)
        if title_id not in {r.id for r in await self.titles(year, draft.subject)}:
            raise BadTitle()
        draft.title_id = title_id
        return draft

    async def with_movement_toggled(self, draft: Draft, movement_id: int) -> Draft:
        year = await self._year(draft)
        if movement_id not in {m.id for m in await self.movements(year)}:
            raise NoMovement()
        draft.toggle(movement_id)
        return draft

    @staticmethod
    def movements_chosen(draft: Draft) -> Draft:
        if not draft.movement_ids:
            raise NoMovement()
        return draft

    @staticmethod
    def with_commitments(draft: Draft, text: str | None) -> Draft:
        draft.commitments = check_commitments(text)
        return draft

    async def preview(self, draft: Draft) -> View:
        """The draft as it would be stored, for the confirmation: "bản nháp, chưa gửi", with the reason it
        was returned for, if it was."""
        _me, person = await self._me()
        row = Registration(
            school_year_id=draft.school_year_id or 0,
            subject=draft.subject,
            person_id=person.id if draft.subject == "individual" else None,
            unit_id=draft.unit_id if draft.subject == "collective" else person.unit_id,
            title_id=draft.title_id or 0,
            movement_ids=list(draft.movement_ids),
            commitments=draft.commitments,
            state=RegistrationState.SUBMITTED.value,
            version=draft.version or 1,
        )
        row.return_reason = draft.return_reason
        view = await self._view(row)
        view.draft = True
        return view

    # -- submitting --------------------------------------------------------------------------------------
    async def submit(self, draft: Draft) -> View:
        """Store the registration (new, edited or reopened) and send it for endorsement."""
        person, year, unit_id, commitments = await self._checked(draft)
        now = self.ctx.clock.now()
        owner = owner_key(draft.subject, person.id, unit_id)
        existing = await self.repo.of_owner(year.id, owner)
        values = {
            "title_id": draft.title_id,
            "movement_ids": list(dict.fromkeys(draft.movement_ids)),
            "commitments": commitments,
            "unit_id": unit_id,
            "state": RegistrationState.SUBMITTED.value,
            "return_reason": None,
            "decided_at": None,
            "decided_by": None,
            "submitted_by": person.id,
            "submitted_at": now,
            "updated_at": now,
        }
        if existing is None:
            row = await self._add(draft, year, owner, person, values)
            before = None
            action = "registration.submitted"
        else:
            before = self._audit(existing)
            row = await self._resubmit(draft, year, existing, values)
            action = "registration.reopened" if before["state"] == "withdrawn" else "registration.resubmitted"
        await self.repo.set_movements(row.id, row.movement_ids)
        Audit(self.ctx).record(action, "registration", row.id, before=before, after=self._audit(row))
        view = await self._view(row)
        await self._send_requests(view)
        return view

    async def _checked(self, draft: Draft) -> tuple[Person, PlanSchoolYear, int, str]:
        """The draft checked again as it is sent: the submitter, the year, the unit, the commitments."""
        me, person = await self._me()
        collective = draft.subject == RegistrationSubject.COLLECTIVE.value
        if collective and not me.heads(draft.unit_id):
            raise NotHead()
        year = await self._year(draft)
        current = await self.current_year()
        if current.id != year.id:
            raise Stale(await self.preview(draft), "registration-year-changed")
        unit_id = (draft.unit_id if collective else person.unit_id) or 0
        self._require_open(await self.window(unit_id=unit_id, school_year=year))
        await self.with_title(draft, draft.title_id or 0)
        movements = {m.id for m in await self.movements(year)}
        if not draft.movement_ids or not set(draft.movement_ids) <= movements:
            raise NoMovement()
        return person, year, unit_id, check_commitments(draft.commitments)

    async def _add(
        self, draft: Draft, year: PlanSchoolYear, owner: str, person: Person, values: dict[str, Any]
    ) -> Registration:
        if draft.registration_id is not None:
            raise RegistrationNotFound()
        collective = draft.subject == RegistrationSubject.COLLECTIVE.value
        row = self.repo.add(
            Registration(
                school_year_id=year.id,
                subject=draft.subject,
                owner=owner,
                person_id=None if collective else person.id,
                version=1,
                created_at=values["submitted_at"],
                **values,
            )
        )
        await self.ctx.session.flush()
        return row

    async def _resubmit(
        self, draft: Draft, year: PlanSchoolYear, existing: Registration, values: dict[str, Any]
    ) -> Registration:
        if existing.id != draft.registration_id:
            raise AlreadyRegistered(year=year.code, state=t(f"registration-state-{existing.state}"))
        if existing.state == RegistrationState.ENDORSED.value:
            raise AlreadyEndorsed()
        allowed = (*EDITABLE, RegistrationState.WITHDRAWN.value)
        won = await self.repo.change(
            existing.id,
            states=allowed,
            version=draft.version,
            values=values | {"version": existing.version + 1},
        )
        row = await self.repo.refresh(existing)
        if not won:
            raise Stale(await self._view(row), "registration-changed-meanwhile")
        return row

    async def _send_requests(self, view: View) -> None:
        row = view.item
        outbox = Outbox(self.ctx)
        deciders, _ = await self.deciders(row)
        for person in deciders:
            locale = person.language
            await outbox.to_person_once(
                request_key(row.id, row.version, person.id),
                person,
                self.texts.card(view, locale, title_key="registration-request-title"),
                kind=KIND,
                reply_markup=self.markup.for_decider(row.id, row.version, locale),
                not_before=self.after_quiet_hours(),
            )

    # -- withdrawing ---------------------------------------------------------------------------------------
    async def withdraw(self, registration_id: int) -> View:
        row = await self._own(registration_id)
        if row.state == RegistrationState.ENDORSED.value:
            raise AlreadyEndorsed()
        if row.state == RegistrationState.WITHDRAWN.value:
            raise Stale(await self._view(row), "registration-stale-withdrawn", name="")
        before = self._audit(row)
        now = self.ctx.clock.now()
        won = await self.repo.change(
            row.id,
            states=EDITABLE,
            version=row.version,
            values={
                "state": RegistrationState.WITHDRAWN.value,
                "version": row.version + 1,
                "updated_at": now,
            },
        )
        await self.repo.refresh(row)
        view = await self._view(row)
        if not won:
            raise Stale(view, "registration-changed-meanwhile")
        Audit(self.ctx).record(
            "registration.withdrawn", "registration", row.id, before=before, after=self._audit(row)
        )
        return view
