"""What the unit heads do about joins, and what waits for them.

- A waiting claim (a roster person the date of birth could not prove, or someone not on the roster who
  opened a unit's staff link): confirm (the account is linked now; a newcomer is added to the roster) or
  refuse (the account is told; the invite use the claim took is given back).
- A join as a roster person: "not this person" unlinks the account and takes back what the join gave.
- An account that joined unconfirmed before issue 18 kept its access: confirm it, or refuse it ("not of the
  unit": the account is unlinked, its roles end, its queued messages are cancelled, the use is given back).
- `waiting()`: those of the actor's units (a head's own; the secretary's: units with no head), for
  /pending and /status.

Every press is checked again: the actor may confirm for the unit, the item still waits. A claim's state
moves by one conditional UPDATE, so of two heads pressing at once (or one pressing twice) one wins.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import or_, select, update

from bot.errors import DomainError, NotAllowed
from bot.i18n import t
from bot.roles import HEAD_ROLES, Action, Role, can
from bot.services.acknowledgement import AcknowledgementService, offer_markup
from bot.services.audit import Audit
from bot.services.invites import role_name
from bot.services.join import Joined, JoinService, PersonTaken, end_roles
from bot.services.join_claims import ClaimDone, Waiting, link_kind, waiting_of_claim
from bot.services.outbox import NOT_SENT, Outbox
from bot.text import esc
from storage.models import AuditEntry, Invite, JoinClaim, OutboxMessage, Person
from storage.repositories.people import to_member


class JoinerNotFound(DomainError):
    key = "join-confirm-not-found"


class JoinerAlreadyConfirmed(DomainError):
    key = "join-confirm-already"


class ClaimAccountJoined(DomainError):
    key = "join-claim-account-joined"


class JoinHeadsService(JoinService):
    # -- waiting claims -------------------------------------------------------------------------------------
    async def _claim_to_settle(
        self, claim_id: int, state: str = "pending"
    ) -> tuple[JoinClaim, Person | None]:
        """The claim and its roster person (None for a newcomer), when the actor may settle it for its unit
        and it is still in `state`."""
        claim = await self.claims.fresh(claim_id)
        person = await self.roster.person(claim.person_id) if claim and claim.person_id else None
        if claim is None or (claim.person_id is not None and person is None):
            raise ClaimDone()
        unit_id = person.unit_id if person is not None else claim.unit_id
        if not can(self.ctx.actor, Action.CONFIRM_JOINER, unit_id) or await self._replaces_actor(claim):
            raise NotAllowed()
        if claim.state != state:
            raise ClaimDone()
        return claim, person

    async def _replaces_actor(self, claim: JoinClaim) -> bool:
        """The claim came by a head's link that replaces the actor: their successor is not theirs to vet."""
        invite = await self.invites.fresh(claim.invite_id) if claim.invite_id is not None else None
        actor = self.ctx.actor
        return invite is not None and actor is not None and invite.replaces_id == actor.person_id

    async def confirm_claim(self, claim_id: int) -> Joined:
        """The head confirms a waiting claim: the account is linked now (a newcomer joins the roster)."""
        claim, person = await self._claim_to_settle(claim_id)
        if person is not None and (not person.active or person.telegram_id is not None):
            raise PersonTaken(name=esc(person.full_name))
        if await self.people.by_telegram_id(claim.telegram_id) is not None:
            raise ClaimAccountJoined()
        now = self.ctx.clock.now()
        if not await self.claims.move(claim.id, "pending", "linked", now):
            raise ClaimDone()  # another head (or another press) was first
        claim.state = "linked"
        invite = await self.invites.fresh(claim.invite_id) if claim.invite_id else None
        if person is None:
            person = await self._new_person(
                claim.full_name or "", claim.unit_id or 0, claim.telegram_id, claim.language, claim.invite_id
            )
        else:
            try:
                person = await self._link(person, claim.telegram_id, claim.language, None)
            except PersonTaken:
                await self.claims.move(claim.id, "linked", "pending", now)  # it waits, as it was
                raise
        actor_id = self.ctx.actor.person_id if self.ctx.actor else None
        granted = await self._record_join(
            person, invite, claim.telegram_id, claim.language, actor_id=actor_id
        )
        claim.person_id, claim.granted = person.id, ",".join(granted)
        Audit(self.ctx).record("join.claim_confirmed", "join_claim", claim.id, after={"person_id": person.id})
        role = invite.role if invite is not None else Role.STAFF.value
        unit_name = await self._welcome(claim, person, role)
        self.ctx.forget_person(claim.telegram_id)
        return Joined(person, to_member(person, self.ctx.clock.today()), unit_name, role)

    async def _welcome(self, claim: JoinClaim, person: Person, role: str) -> str:
        """The account confirmed is welcomed, with the plan offered as to anyone who joins. Returns the unit's
        name."""
        unit = await self.roster.unit(person.unit_id or 0)
        unit_name = unit.name if unit else ""
        text = t(
            "join-claim-confirmed-notice",
            locale=claim.language,
            name=esc(person.full_name),
            unit=esc(unit_name),
            role=role_name(role, locale=claim.language),
        )
        period = await AcknowledgementService(self.ctx).pending(person.id)
        markup = offer_markup(period.id, claim.language) if period is not None else None
        Outbox(self.ctx).enqueue(
            claim.telegram_id, text, person_id=person.id, kind="join.claim_confirmed", reply_markup=markup
        )
        return unit_name

    async def refuse_claim(self, claim_id: int) -> str:
        """The head says no: the claim ends, its invite use is given back, the account is told. Returns the
        name the claim was for."""
        claim, person = await self._claim_to_settle(claim_id)
        if not await self.claims.move(claim.id, "pending", "refused", self.ctx.clock.now()):
            raise ClaimDone()
        name = person.full_name if person is not None else claim.full_name or ""
        await self._give_use_back(claim.invite_id)
        Audit(self.ctx).record(
            "join.claim_refused",
            "join_claim",
            claim.id,
            before={"state": "pending"},
            after={"state": "refused", "person_id": claim.person_id, "telegram_id": claim.telegram_id},
        )
        if person is None:
            unit = await self.roster.unit(claim.unit_id or 0)
            text = t(
                "join-newcomer-refused-notice",
                locale=claim.language,
                name=esc(name),
                unit=esc(unit.name if unit else ""),
            )
        else:
            text = t("join-claim-refused-notice", locale=claim.language, name=esc(name))
        Outbox(self.ctx).enqueue(claim.telegram_id, text, kind="join.claim_refused")
        return name

    async def unlink(self, claim_id: int) -> tuple[Person, int]:
        """ "Not this person": the account that joined as the person is unlinked, the roles that join
        granted are taken back, its queued messages cancelled and a shared link's use given back. Only
        while the link is still as the head was told. Returns the person and the account."""
        claim, person = await self._claim_to_settle(claim_id, "linked")
        if person is None or person.telegram_id != claim.telegram_id:
            raise ClaimDone()
        if not await self.claims.move(claim.id, "linked", "refused", self.ctx.clock.now()):
            raise ClaimDone()
        granted = set(filter(None, (claim.granted or "").split(",")))
        before = {"telegram_id": person.telegram_id, "roles": sorted(r.role for r in person.roles)}
        for r in list(person.roles):
            if r.role in granted and r.valid_from is None and r.valid_to is None:
                person.roles.remove(r)
        person.telegram_id, person.joined_at = None, None
        await self._cancel_queued(person.id, claim.telegram_id)
        await self._give_use_back(claim.invite_id)
        Audit(self.ctx).record(
            "person.unlinked",
            "person",
            person.id,
            before=before,
            after={"telegram_id": None, "roles": sorted(r.role for r in person.roles), "claim_id": claim.id},
        )
        text = t("join-unlinked-notice", locale=claim.language, name=esc(person.full_name))
        Outbox(self.ctx).enqueue(claim.telegram_id, text, kind="join.unlinked")
        self.ctx.forget_person(claim.telegram_id)
        return person, claim.telegram_id

    # -- accounts that joined unconfirmed (before issue 18) -------------------------------------------------
    async def _unconfirmed(self, person_id: int) -> Person:
        person = await self.roster.person(person_id)
        if person is None or not person.active:
            raise JoinerNotFound()
        if not can(self.ctx.actor, Action.CONFIRM_JOINER, person.unit_id):
            raise NotAllowed()
        if person.confirmed:
            raise JoinerAlreadyConfirmed(name=esc(person.full_name))
        return person

    async def confirm_joiner(self, person_id: int) -> Person:
        """A unit head (or the secretary, the admin) confirms someone who joined unconfirmed."""
        person = await self._unconfirmed(person_id)
        done = await self.ctx.session.execute(
            update(Person)
            .where(Person.id == person.id, Person.confirmed.is_(False), Person.active.is_(True))
            .values(confirmed=True)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise JoinerAlreadyConfirmed(name=esc(person.full_name))
        person.confirmed = True
        Audit(self.ctx).record(
            "person.confirmed", "person", person.id, before={"confirmed": False}, after={"confirmed": True}
        )
        return person

    async def refuse_joiner(self, person_id: int) -> tuple[Person, int]:
        """ "Not of the unit" for an account that joined unconfirmed: it is unlinked and the person it added
        deactivated, its roles end (yesterday: none is in force today), its queued messages are cancelled and
        its invite use given back. Returns the person and the account."""
        person = await self._unconfirmed(person_id)
        telegram_id = person.telegram_id
        if telegram_id is None:
            raise ClaimDone()
        done = await self.ctx.session.execute(
            update(Person)
            .where(Person.id == person.id, Person.confirmed.is_(False), Person.telegram_id == telegram_id)
            .values(telegram_id=None, joined_at=None, active=False)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise ClaimDone()
        person = await self.ctx.session.get(Person, person.id, populate_existing=True) or person
        before = {"telegram_id": telegram_id, "active": True, "roles": sorted(r.role for r in person.roles)}
        end_roles(person, self.ctx.clock.today() - timedelta(days=1))
        await self._cancel_queued(person.id, telegram_id)
        await self._give_use_back(await self._invite_of_join(person.id))
        Audit(self.ctx).record(
            "person.refused", "person", person.id, before=before, after={"telegram_id": None, "active": False}
        )
        text = t("join-unconfirmed-refused-notice", locale=person.language, name=esc(person.full_name))
        Outbox(self.ctx).enqueue(telegram_id, text, kind="join.refused")
        self.ctx.forget_person(telegram_id)
        return person, telegram_id

    # -- what a refusal gives back ---------------------------------------------------------------------------
    async def _give_use_back(self, invite_id: int | None) -> None:
        """A unit's shared link gets back the use a refused claim took (a personal link never: it would let
        the account that was refused in again)."""
        invite = await self.invites.fresh(invite_id) if invite_id is not None else None
        if invite is None or invite.person_id is not None:
            return
        if await self.invites.give_back(invite.id):
            Audit(self.ctx).record(
                "invite.given_back",
                "invite",
                invite.id,
                before={"uses": invite.uses},
                after={"uses": invite.uses - 1},
            )

    async def _invite_of_join(self, person_id: int) -> int | None:
        """The invite a person joined by, as their join's audit entry says."""
        entry = await self.ctx.session.scalar(
            select(AuditEntry)
            .where(
                AuditEntry.action == "person.joined",
                AuditEntry.object_type == "person",
                AuditEntry.object_id == str(person_id),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        invite_id = (entry.after or {}).get("invite_id") if entry is not None else None
        return invite_id if isinstance(invite_id, int) else None

    async def _cancel_queued(self, person_id: int, telegram_id: int) -> None:
        """Nothing queued for the account or the person goes out after a refusal (its notice comes after)."""
        await self.ctx.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status.in_(NOT_SENT),
                or_(OutboxMessage.person_id == person_id, OutboxMessage.chat_id == telegram_id),
            )
            .values(status="cancelled", error="cancelled")
            .execution_options(synchronize_session=False)
        )

    # -- what waits for the actor ---------------------------------------------------------------------------
    async def confirming_units(self) -> set[int]:
        """The units whose joins wait for the actor: those they head; for the secretary, those headless."""
        actor = self.ctx.actor
        if actor is None:
            return set()
        units = {g.unit_id for g in actor.grants if g.role in HEAD_ROLES and g.unit_id is not None}
        if actor.has(Role.SECRETARY):
            everyone = {u.id for u in await self.roster.units(active_only=True)}
            units |= everyone - await self.people.headed_units(self.ctx.clock.today())
        return units

    async def waiting(self, unit_id: int | None = None) -> list[Waiting]:
        """The joins waiting for the actor's word (of one of their units), oldest first."""
        units = await self.confirming_units()
        if unit_id is not None:
            units &= {unit_id}
        if not units:
            return []
        claims = await self.claims.waiting_in(units)
        persons = await self.people.unconfirmed_in(units)
        return await self._views(claims, persons, units)

    async def _views(
        self, claims: list[JoinClaim], persons: list[Person], units: Collection[int]
    ) -> list[Waiting]:
        people = await self.people.people_by_id(c.person_id for c in claims)
        names = {u.id: u.name for u in await self.roster.units(active_only=False) if u.id in units}
        invite_ids = {c.invite_id for c in claims if c.invite_id is not None}
        invites = {
            i.id: i
            for i in (await self.ctx.session.scalars(select(Invite).where(Invite.id.in_(invite_ids)))).all()
        }
        out = []
        me = self.ctx.actor.person_id if self.ctx.actor else None
        for c in claims:
            invite = invites.get(c.invite_id or 0)
            if invite is not None and invite.replaces_id == me:
                continue  # the actor's successor: the secretary vets them
            person = people.get(c.person_id or 0)
            unit_id = (person.unit_id if person else c.unit_id) or 0
            name = person.full_name if person else c.full_name or ""
            out.append(waiting_of_claim(c, invite, name, unit_id, names.get(unit_id, "")))
        for p in persons:
            roles = tuple(dict.fromkeys(r.role for r in p.roles if r.valid_to is None)) or (Role.STAFF.value,)
            unit_id = p.unit_id or 0
            unit_name = names.get(unit_id, "")
            out.append(
                Waiting("person", p.id, True, p.full_name, unit_id, unit_name, "", roles, link_kind(None))
            )
        return out

    async def waiting_one(self, kind: str, item_id: int) -> Waiting:
        """One waiting join, for its card: refused unless it still waits for the actor."""
        for w in await self.waiting():
            if w.kind == kind and w.id == item_id:
                return w
        raise ClaimDone()
