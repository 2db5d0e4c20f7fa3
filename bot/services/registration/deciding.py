"""Endorsing and returning: the head (or acting deputy) or the secretary; the first to act wins."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.audit import Audit
from bot.services.outbox import Outbox
from bot.text import esc
from storage.models import OutboxMessage
from storage.models.plan import PlanSchoolYear
from storage.models.registration import Registration, RegistrationState

from .core import RegistrationCore
from .rules import (
    KIND,
    NotYoursToReturn,
    NotYourUnit,
    RegistrationNotFound,
    Stale,
    View,
    check_reason,
)


class Deciding(RegistrationCore):
    # -- deciding ----------------------------------------------------------------------------------------
    async def _current(self, registration_id: int) -> Registration:
        """The row as it is now, following its person to their unit now."""
        self.actor  # noqa: B018 - raises when not linked
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        if row.person_id is not None:
            owner = await self.people.get(row.person_id)
            if owner is not None and owner.unit_id is not None and owner.unit_id != row.unit_id:
                row.unit_id = owner.unit_id  # the person moved: the registration moves with them
                await self.repo.follow_person(owner.id, owner.unit_id)
        return row

    async def _as_expected(self, row: Registration, version: int, state: RegistrationState) -> View:
        view = await self._view(row)
        if row.state != state.value:
            raise Stale(view, f"registration-stale-{row.state}", name=esc(view.decider or ""))
        if row.version != version:
            raise Stale(view, "registration-stale-version")
        return view

    async def decidable(self, registration_id: int, version: int) -> View:
        """The registration a head (or the secretary) is about to endorse or return, as it is now."""
        row = await self._current(registration_id)
        if not await self.may_decide(row):
            raise NotYourUnit()
        return await self._as_expected(row, version, RegistrationState.SUBMITTED)

    async def may_return_endorsed(self, row: Registration) -> bool:
        """The unit's head or acting deputy (of a staff member's), and the council's secretary (any)."""
        return self.is_secretary() or await self.may_decide(row)

    async def returnable(self, registration_id: int, version: int) -> View:
        """An endorsed registration the actor is about to return, while its registration window is open."""
        row = await self._current(registration_id)
        if not await self.may_return_endorsed(row):
            raise NotYoursToReturn()
        view = await self._as_expected(row, version, RegistrationState.ENDORSED)
        year = await self.ctx.session.get(PlanSchoolYear, row.school_year_id)
        if year is None:
            raise RegistrationNotFound()
        self._require_open(await self.window(unit_id=row.unit_id, school_year=year))
        return view

    async def endorse(self, registration_id: int, version: int) -> View:
        return await self._decide(registration_id, version, RegistrationState.ENDORSED, None)

    async def return_(self, registration_id: int, version: int, reason: str | None) -> View:
        return await self._decide(registration_id, version, RegistrationState.RETURNED, check_reason(reason))

    async def return_endorsed(self, registration_id: int, version: int, reason: str | None) -> View:
        """Return an endorsed registration with a reason (issue 18, D16): its owner edits it and sends it."""
        reason = check_reason(reason)
        view = await self.returnable(registration_id, version)
        return await self._decide_row(view, RegistrationState.ENDORSED, RegistrationState.RETURNED, reason)

    async def _decide(
        self, registration_id: int, version: int, state: RegistrationState, reason: str | None
    ) -> View:
        view = await self.decidable(registration_id, version)
        return await self._decide_row(view, RegistrationState.SUBMITTED, state, reason)

    async def _decide_row(
        self, view: View, was: RegistrationState, state: RegistrationState, reason: str | None
    ) -> View:
        """The conditional UPDATE from the state the presser saw (`was`, at its version): the first to act
        wins; the loser is told who did."""
        me = self.actor
        row = view.item
        version = row.version
        before = self._audit(row)
        now = self.ctx.clock.now()
        won = await self.repo.change(
            row.id,
            states=(was.value,),
            version=version,
            values={
                "state": state.value,
                "return_reason": reason,
                "decided_at": now,
                "decided_by": me.person_id,
                "updated_at": now,
            },
        )
        await self.repo.refresh(row)
        view = await self._view(row)
        if not won:  # someone acted first, or the owner changed it in between
            if row.state == was.value:
                raise Stale(view, "registration-stale-version")
            raise Stale(view, f"registration-stale-{row.state}", name=esc(view.decider or ""))
        Audit(self.ctx).record(
            f"registration.{state.value}", "registration", row.id, before=before, after=self._audit(row)
        )
        await self._settle_requests(view)
        owner = await self._owner_person(row)
        if owner is not None:
            returned = state is RegistrationState.RETURNED
            Outbox(self.ctx).to_person(
                owner,
                self.texts.decided_for_owner(view, owner.language, returned=returned),
                kind=KIND,
                reply_markup=self.markup.for_owner(row.id, owner.language) if returned else None,
                not_before=self.after_quiet_hours(),
            )
        return view

    async def _settle_requests(self, view: View) -> None:
        """Every request message sent for this version shows the outcome (the pressed one is edited by the
        handler as well; an edit that changes nothing counts as done): no buttons, but "Trả lại" on an
        endorsed one, which the head may still return while registration is open."""
        row = view.item
        prefix = f"reg-req:{row.id}:v{row.version}:p"
        sent = (
            await self.ctx.session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.like(prefix + "%"))
            )
        ).all()
        outbox = Outbox(self.ctx)
        endorsed = row.state == RegistrationState.ENDORSED.value
        for msg in sent:
            person = await self.people.get(msg.person_id) if msg.person_id else None
            locale = person.language if person else "vi"
            outbox.enqueue(
                msg.chat_id,
                self.texts.card(view, locale, title_key="registration-request-title"),
                kind=KIND,
                person_id=msg.person_id,
                reply_markup=self.markup.for_endorsed(row.id, row.version, locale) if endorsed else None,
                method="edit",
                edit_of=msg,
            )
