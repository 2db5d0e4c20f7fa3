"""Joining with an invite: the offer, finding oneself on the roster, the proof, and completing the join.

Nothing is stored about someone who does not complete, except the tries at a date of birth (`join_claim`):
the conversation keeps only the invite id and the answers in the FSM state. Completing links the Telegram
id, grants the role, consumes one use of the invite (atomically: of two people racing for the last use, one
joins and the other is refused) and records it all in the audit log.

Claiming a roster person through a unit's shared invite needs a proof: the date of birth on file (3 tries
per account and person, counted in the database), else the unit head's confirmation. Until then the account
is not linked. The unit head is told of every join as a roster person and can undo it ("not this person").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import select, update

from bot.clock import fmt_date
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.i18n import LANGUAGES, t
from bot.roles import UNIT_ROLES, Action, Member, Role, can
from bot.services.audit import Audit
from bot.services.invites import InviteInvalid, InviteService, InviteUsedUp, role_name
from bot.services.name_search import find_people
from bot.services.outbox import Outbox
from bot.services.people_admin import BadDate, parse_date
from bot.services.roster import clean_full_name
from bot.text import esc, search_key
from storage.models import Invite, JoinClaim, Person, PersonRole
from storage.repositories.invites import InvitesRepo
from storage.repositories.people import PeopleRepo, to_member
from storage.repositories.roster import RosterRepo

BIRTH_TRIES = 3

Markup = dict[str, Any] | None


class JoinButtons(Protocol):
    """The buttons of queued messages to heads, as JSON for the outbox (the handlers build them)."""

    def confirm_joiner(self, person_id: int, locale: str) -> Markup: ...

    def claim(self, claim_id: int, locale: str) -> Markup: ...

    def unlink(self, claim_id: int, locale: str) -> Markup: ...


class AlreadyJoined(DomainError):
    key = "join-already-member"


class AccountDeactivated(DomainError):
    key = "join-deactivated"


class PersonTaken(DomainError):
    key = "join-person-taken"


class PickInvalid(DomainError):
    key = "join-pick-invalid"


class JoinerNotFound(DomainError):
    key = "join-confirm-not-found"


class JoinerAlreadyConfirmed(DomainError):
    key = "join-confirm-already"


class BirthDateFormat(DomainError):
    key = "join-birth-format"


class BirthInFuture(DomainError):
    key = "join-birth-future"


class ClaimPending(DomainError):
    key = "join-claim-pending"


class ClaimRefused(DomainError):
    key = "join-claim-refused"


class ClaimDone(DomainError):
    """The claim was already settled, or the join is no longer as it was: a double tap or a stale press."""

    key = "join-claim-done"


class ClaimAccountJoined(DomainError):
    key = "join-claim-account-joined"


@dataclass(frozen=True, slots=True)
class JoinOffer:
    invite_id: int
    role: str
    unit_id: int
    unit_name: str
    person_id: int | None
    person_name: str | None


@dataclass(frozen=True, slots=True)
class Joined:
    person: Person
    member: Member
    unit_name: str
    role: str
    new_on_roster: bool


@dataclass(frozen=True, slots=True)
class ClaimSent:
    """The claim waits for the unit head; the account is not linked."""

    person: Person
    unit_name: str


@dataclass(frozen=True, slots=True)
class BirthCheck:
    proof: str  # "verified" | "head" (tries used up) | "wrong" (tries left)
    left: int


@dataclass(frozen=True, slots=True)
class Unlinked:
    person: Person
    telegram_id: int


def name_doubt(name: str) -> str | None:
    """Why a typed name deserves a second look: "plain" (no Vietnamese diacritics), "caps" (all capitals)."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "caps"
    if search_key(name) == " ".join(name.casefold().split()):
        return "plain"
    return None


class JoinService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.invites = InvitesRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)

    # -- checks ---------------------------------------------------------------------------------------
    async def _ensure_not_joined(self, telegram_id: int) -> None:
        person = await self.people.by_telegram_id(telegram_id)
        if person is None:
            return
        if not person.active:
            names = await self._contacts_for(person)
            raise AccountDeactivated(
                contact=esc(", ".join(names)) if names else t("join-deactivated-contact-office")
            )
        raise AlreadyJoined()

    async def _contacts_for(self, person: Person) -> list[str]:
        """The names of whom a deactivated person should ask: their unit's heads, else the administrators."""
        today = self.ctx.clock.today()
        heads = [h for h in await self.roster.heads_of(person.unit_id or 0, today) if h.id != person.id]
        names = [h.full_name for h in heads if to_member(h, today).heads(person.unit_id)]
        if not names:
            names = [a.full_name for a in await self.people.with_role(Role.ADMIN, today) if a.id != person.id]
        return names

    async def _usable(self, invite: Invite | None) -> Invite:
        if invite is None:
            raise InviteInvalid()
        InviteService(self.ctx).ensure_usable(invite)
        if invite.person_id is not None:
            person = await self.roster.person(invite.person_id)
            if person is None or not person.active:
                raise InviteInvalid()
            if person.telegram_id is not None:
                raise InviteUsedUp()
        return invite

    # -- the steps --------------------------------------------------------------------------------------
    async def begin(self, token: str, telegram_id: int) -> JoinOffer:
        """What the invite offers; raises when it cannot be used or the person has already joined."""
        await self._ensure_not_joined(telegram_id)
        invite = await self._usable(await InviteService(self.ctx).check(token))
        unit = await self.roster.unit(invite.unit_id)
        assert unit is not None
        person = await self.roster.person(invite.person_id) if invite.person_id else None
        return JoinOffer(
            invite.id, invite.role, unit.id, unit.name, invite.person_id, person.full_name if person else None
        )

    async def search(self, unit_id: int, query: str) -> list[Person]:
        """People of the unit not joined yet whose name matches what was typed (at most 8; ≥ 3 letters)."""
        return await find_people(
            self.ctx.session,
            query,
            Person.unit_id == unit_id,
            Person.telegram_id.is_(None),
            Person.active.is_(True),
        )

    async def pick(self, unit_id: int, person_id: int) -> Person:
        """The roster person someone says they are: of the unit, active and not joined yet."""
        person = await self.roster.person(person_id)
        if person is None or person.unit_id != unit_id or not person.active:
            raise PickInvalid()
        if person.telegram_id is not None:
            raise PersonTaken(name=esc(person.full_name))
        return person

    @staticmethod
    def clean_name(text: str) -> str:
        return clean_full_name(text)

    # -- the proof of a claim through a shared invite -------------------------------------------------------
    async def _claim(self, telegram_id: int, person_id: int) -> JoinClaim | None:
        return await self.ctx.session.scalar(
            select(JoinClaim).where(JoinClaim.telegram_id == telegram_id, JoinClaim.person_id == person_id)
        )

    async def _claim_row(self, telegram_id: int, person_id: int) -> JoinClaim:
        claim = await self._claim(telegram_id, person_id)
        if claim is None:
            now = self.ctx.clock.now()
            claim = JoinClaim(
                telegram_id=telegram_id,
                person_id=person_id,
                account_name="",
                state="open",
                tries=0,
                language="vi",
                created_at=now,
                updated_at=now,
            )
            self.ctx.session.add(claim)
        return claim

    async def proof_for(self, telegram_id: int, person: Person) -> str:
        """What this account must show to be `person`: "verified" (done), "birth", or "head"."""
        claim = await self._claim(telegram_id, person.id)
        if claim is not None and claim.state == "pending":
            raise ClaimPending(name=esc(person.full_name))
        if claim is not None and claim.state == "refused":
            raise ClaimRefused(name=esc(person.full_name))
        if claim is not None and claim.state == "verified":
            return "verified"
        if person.birth_date is None or (claim is not None and claim.tries >= BIRTH_TRIES):
            return "head"
        return "birth"

    async def check_birth(self, telegram_id: int, unit_id: int, person_id: int, text: str) -> BirthCheck:
        """Compare a typed date of birth with the roster. A badly written date, or one in the future (a
        typo), changes nothing (raises); a wrong one counts as a try, stored at once."""
        try:
            typed: date = parse_date(text)
        except BadDate:
            raise BirthDateFormat(example="05/09/1985") from None
        if typed > self.ctx.clock.today():
            raise BirthInFuture(date=fmt_date(typed))
        person = await self.pick(unit_id, person_id)
        if await self.proof_for(telegram_id, person) != "birth":
            raise ClaimDone()
        claim = await self._claim_row(telegram_id, person.id)
        claim.updated_at = self.ctx.clock.now()
        if typed == person.birth_date:
            claim.state = "verified"
            return BirthCheck("verified", BIRTH_TRIES - claim.tries)
        claim.tries += 1
        left = BIRTH_TRIES - claim.tries
        if left <= 0:
            Audit(self.ctx).record(
                "join.birth_tries_used", "person", person.id, after={"telegram_id": telegram_id}
            )
        return BirthCheck("head" if left <= 0 else "wrong", max(left, 0))

    # -- completing ------------------------------------------------------------------------------------------
    async def complete(
        self,
        invite_id: int,
        telegram_id: int,
        language: str,
        *,
        person_id: int | None = None,
        full_name: str | None = None,
        account: str = "",
        buttons: JoinButtons | None = None,
    ) -> Joined | ClaimSent:
        """Join (or, for an unproven claim, ask the head): everything checked again, then one use taken;
        raises and changes nothing on failure."""
        if language not in LANGUAGES:
            language = "vi"
        await self._ensure_not_joined(telegram_id)
        invite = await self._usable(await self.invites.fresh(invite_id))
        unit = await self.roster.unit(invite.unit_id)
        assert unit is not None
        person: Person | None = None
        shared = invite.person_id is None
        if not shared:
            person = await self.roster.person(invite.person_id or 0)
        elif person_id is not None:
            person = await self.pick(invite.unit_id, person_id)
        name = None if person is not None else clean_full_name(full_name or "")
        proof = "personal"
        if person is not None and shared:
            proof = await self.proof_for(telegram_id, person)
        await self._consume(invite)
        if person is not None and proof not in ("personal", "verified"):
            return await self._send_claim(invite, person, unit.name, telegram_id, language, account, buttons)
        if person is not None:
            person = await self._link(person, telegram_id, language, invite)
        else:
            assert name is not None
            person = self._new_person(name, unit.id, telegram_id, language)
            await self.ctx.session.flush()
            Audit(self.ctx).record(
                "person.created",
                "person",
                person.id,
                after={"full_name": name, "unit_id": unit.id, "source": "invite", "confirmed": False},
            )
        granted = await self._record_join(person, invite, telegram_id, language, actor_id=person.id)
        if name is not None:
            await self._ask_heads_to_confirm(person, unit.name, buttons)
        else:
            claim = await self._linked_claim(telegram_id, person.id, invite.id, account, language, granted)
            await self._tell_heads_joined(person, unit.name, claim, proof, buttons)
        self.ctx.forget_person(telegram_id)
        return Joined(
            person, to_member(person, self.ctx.clock.today()), unit.name, invite.role, name is not None
        )

    async def _consume(self, invite: Invite) -> None:
        if not await self.invites.consume(invite.id, self.ctx.clock.now()):  # the race is decided here
            await self._usable(await self.invites.fresh(invite.id))
            raise InviteUsedUp()

    async def _link(self, person: Person, telegram_id: int, language: str, invite: Invite | None) -> Person:
        """Link the account to a roster person, if nobody was faster; else give the use back and raise."""
        linked = await self.ctx.session.execute(
            update(Person)
            .where(Person.id == person.id, Person.telegram_id.is_(None), Person.active.is_(True))
            .values(telegram_id=telegram_id, joined_at=self.ctx.clock.now(), language=language)
            .execution_options(synchronize_session=False)
        )
        if linked.rowcount != 1:  # type: ignore[attr-defined]
            if invite is not None:
                await self.invites.give_back(invite.id)  # nothing of this join stays
            raise PersonTaken(name=esc(person.full_name))
        fresh = await self.ctx.session.scalar(
            select(Person).where(Person.id == person.id).execution_options(populate_existing=True)
        )
        assert fresh is not None
        return fresh

    def _new_person(self, name: str, unit_id: int, telegram_id: int, language: str) -> Person:
        now = self.ctx.clock.now()
        person = Person(
            full_name=name,
            name_search=search_key(name),
            unit_id=unit_id,
            telegram_id=telegram_id,
            language=language,
            active=True,
            unreachable=False,
            source="invite",
            confirmed=False,
            joined_at=now,
            created_at=now,
            roles=[],
        )
        self.roster.add(person)
        return person

    async def _record_join(
        self, person: Person, invite: Invite | None, telegram_id: int, language: str, *, actor_id: int | None
    ) -> list[str]:
        audit = Audit(self.ctx)
        role = Role(invite.role) if invite is not None else Role.STAFF
        granted = self._grant(person, role, person.unit_id or 0)
        await self.ctx.session.flush()
        if invite is not None:
            audit.record(
                "invite.used",
                "invite",
                invite.id,
                before={"uses": invite.uses},
                after={"uses": invite.uses + 1, "person_id": person.id},
            )
        audit.record(
            "person.joined",
            "person",
            person.id,
            actor_id=actor_id,
            after={
                "telegram_id": telegram_id,
                "invite_id": invite.id if invite is not None else None,
                "language": language,
                "roles": granted,
                "unit_id": person.unit_id,
            },
        )
        return granted

    def _grant(self, person: Person, role: Role, unit_id: int) -> list[str]:
        """Everyone who joins is staff of the unit; the invite's role comes on top."""
        held = {(r.role, r.unit_id) for r in person.roles if r.valid_from is None and r.valid_to is None}
        granted = []
        for r in dict.fromkeys((Role.STAFF, role)):
            scope = unit_id if r in UNIT_ROLES else None
            if (r.value, scope) not in held:
                person.roles.append(PersonRole(role=r.value, unit_id=scope))
                granted.append(r.value)
        return granted

    async def _linked_claim(
        self,
        telegram_id: int,
        person_id: int,
        invite_id: int | None,
        account: str,
        language: str,
        granted: list[str],
    ) -> JoinClaim:
        claim = await self._claim_row(telegram_id, person_id)
        claim.state, claim.invite_id, claim.language = "linked", invite_id, language
        claim.account_name = account[:200] or claim.account_name
        claim.granted = ",".join(granted)
        claim.updated_at = self.ctx.clock.now()
        await self.ctx.session.flush()
        return claim

    # -- telling the heads -------------------------------------------------------------------------------
    async def _heads(self, unit_id: int | None, but: int | None = None) -> list[Person]:
        """Who confirms for a unit: its heads in force today, else the council's secretaries."""
        today = self.ctx.clock.today()
        heads = [
            h for h in await self.roster.heads_of(unit_id or 0, today) if to_member(h, today).heads(unit_id)
        ]
        if not heads:
            heads = await self.people.with_role(Role.SECRETARY, today)
        return [h for h in heads if h.id != but]

    async def _ask_heads_to_confirm(
        self, person: Person, unit_name: str, buttons: JoinButtons | None
    ) -> None:
        outbox = Outbox(self.ctx)
        for head in await self._heads(person.unit_id, but=person.id):
            text = t(
                "join-head-confirm-ask", locale=head.language, name=esc(person.full_name), unit=esc(unit_name)
            )
            markup = buttons.confirm_joiner(person.id, head.language) if buttons else None
            outbox.to_person(head, text, kind="join.confirm", reply_markup=markup)

    async def _tell_heads_joined(
        self, person: Person, unit_name: str, claim: JoinClaim, proof: str, buttons: JoinButtons | None
    ) -> None:
        outbox = Outbox(self.ctx)
        how = "join-how-personal" if proof == "personal" else "join-how-birth"
        for head in await self._heads(person.unit_id, but=person.id):
            text = t(
                "join-head-joined",
                locale=head.language,
                account=esc(claim.account_name or str(claim.telegram_id)),
                name=esc(person.full_name),
                unit=esc(unit_name),
                how=t(how, locale=head.language),
            )
            markup = buttons.unlink(claim.id, head.language) if buttons else None
            outbox.to_person(head, text, kind="join.joined", reply_markup=markup)

    async def _send_claim(
        self,
        invite: Invite,
        person: Person,
        unit_name: str,
        telegram_id: int,
        language: str,
        account: str,
        buttons: JoinButtons | None,
    ) -> ClaimSent:
        claim = await self._claim_row(telegram_id, person.id)
        claim.state, claim.invite_id, claim.language = "pending", invite.id, language
        claim.account_name = account[:200]
        claim.updated_at = self.ctx.clock.now()
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "join.claim_sent",
            "join_claim",
            claim.id,
            after={
                "telegram_id": telegram_id,
                "person_id": person.id,
                "invite_id": invite.id,
                "tries": claim.tries,
            },
        )
        outbox = Outbox(self.ctx)
        for head in await self._heads(person.unit_id, but=person.id):
            text = t(
                "join-head-claim-ask",
                locale=head.language,
                account=esc(claim.account_name or str(telegram_id)),
                name=esc(person.full_name),
                unit=esc(unit_name),
            )
            markup = buttons.claim(claim.id, head.language) if buttons else None
            outbox.to_person(head, text, kind="join.claim", reply_markup=markup)
        return ClaimSent(person, unit_name)

    # -- what the heads do ----------------------------------------------------------------------------------
    async def _settle(self, claim_id: int, state: str) -> tuple[JoinClaim, Person]:
        """The claim and its person, when the actor may settle it and it is still in `state`."""
        claim = await self.ctx.session.get(JoinClaim, claim_id, populate_existing=True)
        person = await self.roster.person(claim.person_id) if claim is not None else None
        if claim is None or person is None:
            raise ClaimDone()
        if not can(self.ctx.actor, Action.CONFIRM_JOINER, person.unit_id):
            raise NotAllowed()
        if claim.state != state:
            raise ClaimDone()
        return claim, person

    async def confirm_claim(self, claim_id: int, buttons: JoinButtons | None = None) -> Joined:
        """The head confirms a claim that the date of birth could not prove: the account is linked now."""
        claim, person = await self._settle(claim_id, "pending")
        if not person.active or person.telegram_id is not None:
            raise PersonTaken(name=esc(person.full_name))
        if await self.people.by_telegram_id(claim.telegram_id) is not None:
            raise ClaimAccountJoined()
        invite = await self.invites.fresh(claim.invite_id) if claim.invite_id else None
        person = await self._link(person, claim.telegram_id, claim.language, None)
        actor_id = self.ctx.actor.person_id if self.ctx.actor else None
        granted = await self._record_join(
            person, invite, claim.telegram_id, claim.language, actor_id=actor_id
        )
        claim.state, claim.granted, claim.updated_at = "linked", ",".join(granted), self.ctx.clock.now()
        Audit(self.ctx).record("join.claim_confirmed", "join_claim", claim.id, after={"person_id": person.id})
        unit = await self.roster.unit(person.unit_id or 0)
        role = invite.role if invite is not None else Role.STAFF.value
        text = t(
            "join-claim-confirmed-notice",
            locale=claim.language,
            name=esc(person.full_name),
            unit=esc(unit.name if unit else ""),
            role=role_name(role, locale=claim.language),
        )
        Outbox(self.ctx).enqueue(claim.telegram_id, text, person_id=person.id, kind="join.claim_confirmed")
        self.ctx.forget_person(claim.telegram_id)
        member = to_member(person, self.ctx.clock.today())
        return Joined(person, member, unit.name if unit else "", role, False)

    async def refuse_claim(self, claim_id: int) -> Person:
        """The head says the account is not this person: the claim ends, the account is told."""
        claim, person = await self._settle(claim_id, "pending")
        claim.state, claim.updated_at = "refused", self.ctx.clock.now()
        Audit(self.ctx).record(
            "join.claim_refused",
            "join_claim",
            claim.id,
            before={"state": "pending"},
            after={"state": "refused", "person_id": person.id, "telegram_id": claim.telegram_id},
        )
        text = t("join-claim-refused-notice", locale=claim.language, name=esc(person.full_name))
        Outbox(self.ctx).enqueue(claim.telegram_id, text, kind="join.claim_refused")
        return person

    async def unlink(self, claim_id: int) -> Unlinked:
        """ "Not this person": the account that joined as the person is unlinked, and the roles that join
        granted are taken back. Only while the link is still as the head was told."""
        claim, person = await self._settle(claim_id, "linked")
        if person.telegram_id != claim.telegram_id:
            raise ClaimDone()
        granted = set(filter(None, (claim.granted or "").split(",")))
        before = {"telegram_id": person.telegram_id, "roles": sorted(r.role for r in person.roles)}
        for r in list(person.roles):
            if r.role in granted and r.valid_from is None and r.valid_to is None:
                person.roles.remove(r)
        person.telegram_id, person.joined_at = None, None
        claim.state, claim.updated_at = "refused", self.ctx.clock.now()
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
        return Unlinked(person, claim.telegram_id)

    async def confirm_joiner(self, person_id: int) -> Person:
        """A unit head (or the secretary, the admin) confirms someone who added themself by invite."""
        person = await self.roster.person(person_id)
        if person is None or not person.active:
            raise JoinerNotFound()
        if not can(self.ctx.actor, Action.CONFIRM_JOINER, person.unit_id):
            raise NotAllowed()
        if person.confirmed:
            raise JoinerAlreadyConfirmed(name=esc(person.full_name))
        person.confirmed = True
        Audit(self.ctx).record(
            "person.confirmed", "person", person.id, before={"confirmed": False}, after={"confirmed": True}
        )
        return person
