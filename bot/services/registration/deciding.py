"""Endorsing and returning: the head (or acting deputy) or the secretary; the first to act wins."""

from __future__ import annotations

from sqlalchemy import select

from bot.services.audit import Audit
from bot.services.outbox import Outbox
from bot.text import esc
from storage.models import OutboxMessage
from storage.models.registration import (
    RegistrationState,
)

from .core import RegistrationCore
from .rules import (
    KIND,
    NotYourUnit,
    RegistrationNotFound,
    Stale,
    View,
    check_reason,
)


class Deciding(RegistrationCore):
    # -- deciding ----------------------------------------------------------------------------------------
    async def decidable(self, registration_id: int, version: int) -> View:
        """The registration a head (or the secretary) is about to endorse or return, as it is now."""
        self.actor  # noqa: B018 - raises when not linked
        row = await self.repo.get(registration_id)
        if row is None:
            raise RegistrationNotFound()
        if row.person_id is not None:
            owner = await self.people.get(row.person_id)
            if owner is not None and owner.unit_id is not None and owner.unit_id != row.unit_id:
                row.unit_id = owner.unit_id  # the person moved: the registration moves with them
                await self.repo.follow_person(owner.id, owner.unit_id)
        if not await self.may_decide(row):
            raise NotYourUnit()
        view = await self._view(row)
        if row.state != RegistrationState.SUBMITTED.value:
            raise Stale(view, f"registration-stale-{row.state}", name=esc(view.decider or ""))
        if row.version != version:
            raise Stale(view, "registration-stale-version")
        return view

    async def endorse(self, registration_id: int, version: int) -> View:
        return await self._decide(registration_id, version, RegistrationState.ENDORSED, None)

    async def return_(self, registration_id: int, version: int, reason: str | None) -> View:
        return await self._decide(registration_id, version, RegistrationState.RETURNED, check_reason(reason))

    async def _decide(
        self, registration_id: int, version: int, state: RegistrationState, reason: str | None
    ) -> View:
        me = self.actor
        view = await self.decidable(registration_id, version)
        row = view.item
        before = self._audit(row)
        now = self.ctx.clock.now()
        won = await self.repo.change(
            row.id,
            states=(RegistrationState.SUBMITTED.value,),
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
            if row.state == RegistrationState.SUBMITTED.value:
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
            )
        return view

    async def _settle_requests(self, view: View) -> None:
        """Every request message sent for this version shows the outcome, without buttons (the pressed one
        is edited by the handler as well; an edit that changes nothing counts as done)."""
        row = view.item
        prefix = f"reg-req:{row.id}:v{row.version}:p"
        sent = (
            await self.ctx.session.scalars(
                select(OutboxMessage).where(OutboxMessage.idempotency_key.like(prefix + "%"))
            )
        ).all()
        outbox = Outbox(self.ctx)
        for msg in sent:
            person = await self.people.get(msg.person_id) if msg.person_id else None
            locale = person.language if person else "vi"
            outbox.enqueue(
                msg.chat_id,
                self.texts.card(view, locale, title_key="registration-request-title"),
                kind=KIND,
                person_id=msg.person_id,
                method="edit",
                edit_of=msg,
            )
