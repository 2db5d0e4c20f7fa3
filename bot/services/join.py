"""Joining with an invite: the offer, finding oneself on the roster, the proof, and completing the join.

Nothing is stored about someone who does not complete, except the tries at a date of birth (`join_claim`):
the conversation keeps only the invite id and the answers in the FSM state. Completing links the Telegram
id, grants the role, consumes one use of the invite (atomically: of two people racing for the last use, one
joins and the other is refused) and records it all in the audit log.

Claiming a roster person through a unit's shared invite needs a proof: the date of birth on file (3 tries
per account and person, counted in the database), else the unit head's confirmation. Someone not on the
roster who opens a unit's staff link waits for the head too (issue 18): until the head confirms, the account
is linked to nobody, so it has no access and is in no audience (reminders, broadcasts, counts all read linked
people). A link with another role is the secretary's or the admin's deliberate choice: its joiner joins at
once. The unit head is told of every join as a roster person and can undo it ("not this person"). The claims
and what the heads are asked are in bot/services/join_claims.py; what the heads do, in join_heads.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update

from bot.clock import fmt_date
from bot.errors import DomainError
from bot.i18n import LANGUAGES, t
from bot.roles import UNIT_ROLES, Member, Role
from bot.services.audit import Audit
from bot.services.invites import InviteInvalid, InviteService, InviteUsedUp, role_name
from bot.services.join_claims import (
    BIRTH_TRIES,
    ClaimDone,
    ClaimSent,
    JoinButtons,
    JoinClaims,
)
from bot.services.name_search import find_people
from bot.services.outbox import Outbox
from bot.services.people_admin import BadDate, parse_date
from bot.services.roster import clean_full_name
from bot.text import esc, search_key
from storage.models import Invite, Person, PersonRole
from storage.repositories.people import to_member

OFFICE = "join-deactivated-contact-office"  # whom to contact when a unit has no head and nobody is admin


class AlreadyJoined(DomainError):
    key = "join-already-member"


class AccountDeactivated(DomainError):
    key = "join-deactivated"


class JoinWaiting(DomainError):
    """The account's request waits for the head: until then it may use /start, /help, /lang, /cancel."""

    key = "join-waiting"


class NewcomerRefused(DomainError):
    key = "join-newcomer-refused"


class PersonTaken(DomainError):
    key = "join-person-taken"


class PickInvalid(DomainError):
    key = "join-pick-invalid"


class BirthDateFormat(DomainError):
    key = "join-birth-format"


class BirthInFuture(DomainError):
    key = "join-birth-future"


@dataclass(frozen=True, slots=True)
class JoinOffer:
    invite_id: int
    role: str
    unit_id: int
    unit_name: str
    person_id: int | None
    person_name: str | None
    needs_head: bool  # someone not on the roster waits for the head's word


@dataclass(frozen=True, slots=True)
class Joined:
    person: Person
    member: Member
    unit_name: str
    role: str


@dataclass(frozen=True, slots=True)
class BirthCheck:
    proof: str  # "verified" | "head" (tries used up) | "wrong" (tries left)
    left: int


@dataclass(frozen=True, slots=True)
class Standing:
    """An account the bot knows that is not a member: "gone" (deactivated: whom to contact) or "waiting"."""

    kind: str
    contact: str = ""  # "gone": whom to contact, escaped
    name: str = ""  # "waiting": the name the request is for, and the unit
    unit_name: str = ""


def name_doubt(name: str) -> str | None:
    """Why a typed name deserves a second look: "plain" (no Vietnamese diacritics), "caps" (all capitals)."""
    letters = [c for c in name if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return "caps"
    if search_key(name) == " ".join(name.casefold().split()):
        return "plain"
    return None


def needs_head(invite: Invite) -> bool:
    """Someone not on the roster joining by this link waits for the head: a unit's staff link (the only one
    a head may make). Any other role on a link is the secretary's or the admin's deliberate choice."""
    return invite.person_id is None and invite.role == Role.STAFF.value


class JoinService(JoinClaims):
    # -- checks ---------------------------------------------------------------------------------------
    async def standing(self, telegram_id: int) -> Standing | None:
        """What a non-member's account is to the bot: deactivated, waiting for a head, or nothing."""
        person = await self.people.by_telegram_id(telegram_id)
        if person is not None and not person.active:
            names = await self._contacts_for(person)
            return Standing("gone", contact=esc(", ".join(names)) if names else t(OFFICE))
        if person is None and (claims := await self.claims.waiting_of(telegram_id)):
            claimed = await self.roster.person(claims[0].person_id) if claims[0].person_id else None
            unit = await self.roster.unit((claimed.unit_id if claimed else claims[0].unit_id) or 0)
            name = claimed.full_name if claimed else claims[0].full_name or ""
            return Standing("waiting", name=name, unit_name=unit.name if unit else "")
        return None

    async def set_waiting_language(self, telegram_id: int, language: str) -> None:
        """A waiting account's /lang: the requests keep it, and the join (or the refusal) speaks it."""
        if language not in LANGUAGES:
            return
        for claim in await self.claims.waiting_of(telegram_id):
            claim.language, claim.updated_at = language, self.ctx.clock.now()

    async def _ensure_not_joined(self, telegram_id: int) -> None:
        person = await self.people.by_telegram_id(telegram_id)
        if person is None:
            return
        if not person.active:
            names = await self._contacts_for(person)
            raise AccountDeactivated(contact=esc(", ".join(names)) if names else t(OFFICE))
        raise AlreadyJoined()

    async def _ensure_may_ask(self, telegram_id: int, invite: Invite) -> None:
        """Through a unit's link, an account asks one thing at a time, and not again once refused."""
        if invite.person_id is not None:
            return  # a personal link: made for this person by the head or the office
        if await self.claims.waiting_of(telegram_id):
            raise JoinWaiting()
        if needs_head(invite) and await self.claims.refused_as_new(telegram_id, invite.unit_id):
            raise NewcomerRefused()

    async def _contacts_for(self, person: Person) -> list[str]:
        """The names of whom a deactivated person should ask: their unit's heads, else the administrators
        (none: the office, `OFFICE`)."""
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
        await self._ensure_may_ask(telegram_id, invite)
        unit = await self.roster.unit(invite.unit_id)
        assert unit is not None
        person = await self.roster.person(invite.person_id) if invite.person_id else None
        name = person.full_name if person else None
        return JoinOffer(
            invite.id, invite.role, unit.id, unit.name, invite.person_id, name, needs_head(invite)
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
        """Join (or, for an unproven claim or someone not on the roster, ask the head): everything checked
        again, then one use taken; raises and changes nothing on failure."""
        if language not in LANGUAGES:
            language = "vi"
        await self._ensure_not_joined(telegram_id)
        invite = await self._usable(await self.invites.fresh(invite_id))
        await self._ensure_may_ask(telegram_id, invite)
        unit = await self.roster.unit(invite.unit_id)
        assert unit is not None
        person: Person | None = None
        if invite.person_id is not None:
            person = await self.roster.person(invite.person_id)
        elif person_id is not None:
            person = await self.pick(invite.unit_id, person_id)
        name = None if person is not None else clean_full_name(full_name or "")
        proof = "personal"
        if person is not None and invite.person_id is None:
            proof = await self.proof_for(telegram_id, person)
        await self._consume(invite)
        joining = (telegram_id, language, account, buttons)
        if person is None and needs_head(invite):
            return await self._ask_as_newcomer(invite, unit, name or "", *joining)
        if person is not None and proof not in ("personal", "verified"):
            return await self._send_claim(invite, person, unit.name, *joining)
        if person is not None:
            person = await self._link(person, telegram_id, language, invite)
        else:
            person = await self._new_person(name or "", unit.id, telegram_id, language, invite.id)
        granted = await self._record_join(person, invite, telegram_id, language, actor_id=person.id)
        if name is None:
            claim = await self._linked_claim(telegram_id, person.id, invite.id, account, language, granted)
            await self._tell_heads_joined(person, unit.name, claim, invite, buttons)
        self.ctx.forget_person(telegram_id)
        return Joined(person, to_member(person, self.ctx.clock.today()), unit.name, invite.role)

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

    async def _new_person(
        self, name: str, unit_id: int, telegram_id: int, language: str, invite_id: int | None
    ) -> Person:
        """Someone not on the roster, added by their join: by a head's word, or by a link the secretary or
        the admin made for that role (confirmed either way)."""
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
            confirmed=True,
            joined_at=now,
            created_at=now,
            roles=[],
        )
        self.roster.add(person)
        await self.ctx.session.flush()
        after = {"full_name": name, "unit_id": unit_id, "source": "invite", "invite_id": invite_id}
        Audit(self.ctx).record("person.created", "person", person.id, after=after)
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
        if invite is not None and invite.replaces_id is not None and role is Role.UNIT_HEAD:
            await self._replace_head(invite.replaces_id, person, invite.unit_id)
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

    async def _replace_head(self, old_id: int, new: Person, unit_id: int) -> None:
        """A head's link that replaces the unit's head: the old head's role ends today (roles are dated)."""
        old = await self.roster.person(old_id)
        if old is None or old.id == new.id:
            return
        today = self.ctx.clock.today()
        ended = end_roles(old, today, lambda r: r.role == Role.UNIT_HEAD.value and r.unit_id == unit_id)
        if not ended:
            return  # no longer the head: nothing to end
        Audit(self.ctx).record(
            "person.role_ended",
            "person",
            old.id,
            after={"role": Role.UNIT_HEAD.value, "unit_id": unit_id, "valid_to": today, "by": new.id},
        )
        self.ctx.forget_person(old.telegram_id)
        unit = await self.roster.unit(unit_id)
        text = t(
            "join-head-replaced",
            locale=old.language,
            name=esc(new.full_name),
            unit=esc(unit.name if unit else ""),
            role=role_name(Role.UNIT_HEAD, locale=old.language),
        )
        Outbox(self.ctx).to_person(old, text, kind="join.head_replaced")


def end_roles(person: Person, day: date, which: Any = None) -> list[PersonRole]:
    """End the person's roles in force on `day` or later (`which` picks them; all by default): their last
    day becomes `day`; one that would only start after it is removed. Returns those ended."""
    ended = []
    for r in list(person.roles):
        if which is not None and not which(r):
            continue
        if r.valid_to is not None and r.valid_to <= day:
            continue
        if r.valid_from is not None and r.valid_from > day:
            person.roles.remove(r)
        else:
            r.valid_to = day
        ended.append(r)
    return ended
