"""Joining with an invite: the offer, the roster to pick from, and completing it in one transaction.

Nothing is stored about someone who does not complete: the conversation keeps only the invite id and
their answers in the FSM state. Completing links the Telegram id, grants the role, consumes one use of
the invite (atomically: of two people racing for the last use, one joins and the other is refused)
and records it all in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.i18n import LANGUAGES, t
from bot.roles import UNIT_ROLES, Action, Member, Role, can
from bot.services.audit import Audit
from bot.services.invites import InviteInvalid, InviteService, InviteUsedUp
from bot.services.outbox import Outbox
from bot.services.roster import clean_full_name
from bot.text import esc, search_key
from storage.models import Invite, Person, PersonRole
from storage.repositories.invites import InvitesRepo
from storage.repositories.people import PeopleRepo, to_member
from storage.repositories.roster import RosterRepo

PAGE_SIZE = 8

# (person id, locale) -> reply_markup of the head's "confirm" button; the handler builds it (aiogram)
ConfirmMarkup = Callable[[int, str], dict[str, Any]]


class AlreadyJoined(DomainError):
    key = "join-already-member"


class PersonTaken(DomainError):
    key = "join-person-taken"


class PickInvalid(DomainError):
    key = "join-pick-invalid"


class JoinerNotFound(DomainError):
    key = "join-confirm-not-found"


class JoinerAlreadyConfirmed(DomainError):
    key = "join-confirm-already"


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


class JoinService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.invites = InvitesRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)

    async def _ensure_not_joined(self, telegram_id: int) -> None:
        if await self.people.by_telegram_id(telegram_id) is not None:
            raise AlreadyJoined()

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

    async def roster_page(self, unit_id: int, page: int) -> tuple[list[Person], int, int]:
        """People of the unit not joined yet, one page: (people, page, pages)."""
        total = await self.roster.count_not_joined(unit_id)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        return await self.roster.not_joined(unit_id, page * PAGE_SIZE, PAGE_SIZE), page, pages

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

    async def complete(
        self,
        invite_id: int,
        telegram_id: int,
        language: str,
        *,
        person_id: int | None = None,
        full_name: str | None = None,
        confirm_markup: ConfirmMarkup | None = None,
    ) -> Joined:
        """Join: everything checked again, then one use taken; raises and changes nothing on failure."""
        if language not in LANGUAGES:
            language = "vi"
        await self._ensure_not_joined(telegram_id)
        invite = await self._usable(await self.invites.fresh(invite_id))
        unit = await self.roster.unit(invite.unit_id)
        assert unit is not None
        person: Person | None = None
        if invite.person_id is not None:
            person = await self.roster.person(invite.person_id)
        elif person_id is not None:
            person = await self.pick(invite.unit_id, person_id)
        name = None if person is not None else clean_full_name(full_name or "")

        now = self.ctx.clock.now()
        if not await self.invites.consume(invite.id, now):  # the race is decided here
            fresh = await self.invites.fresh(invite.id)
            await self._usable(fresh)
            raise InviteUsedUp()
        audit = Audit(self.ctx)
        new_on_roster = person is None
        if person is not None:
            linked = await self.ctx.session.execute(
                update(Person)
                .where(Person.id == person.id, Person.telegram_id.is_(None))
                .values(telegram_id=telegram_id, joined_at=now, language=language)
                .execution_options(synchronize_session=False)
            )
            if linked.rowcount != 1:  # type: ignore[attr-defined]
                await self.invites.give_back(invite.id)  # nothing of this join stays
                raise PersonTaken(name=esc(person.full_name))
            person = await self.ctx.session.scalar(
                select(Person).where(Person.id == person.id).execution_options(populate_existing=True)
            )
            assert person is not None
        else:
            assert name is not None
            person = Person(
                full_name=name,
                name_search=search_key(name),
                unit_id=unit.id,
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
            await self.ctx.session.flush()
            audit.record(
                "person.created",
                "person",
                person.id,
                after={"full_name": name, "unit_id": unit.id, "source": "invite", "confirmed": False},
            )

        granted = self._grant(person, Role(invite.role), unit.id)
        await self.ctx.session.flush()
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
            actor_id=person.id,
            after={
                "telegram_id": telegram_id,
                "invite_id": invite.id,
                "language": language,
                "roles": granted,
                "unit_id": unit.id,
            },
        )
        if new_on_roster:
            await self._ask_heads_to_confirm(person, unit.name, confirm_markup)
        self.ctx.forget_person(telegram_id)
        member = to_member(person, self.ctx.clock.today())
        return Joined(person, member, unit.name, invite.role, new_on_roster)

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

    async def _ask_heads_to_confirm(
        self, person: Person, unit_name: str, markup: ConfirmMarkup | None
    ) -> None:
        today = self.ctx.clock.today()
        heads = [
            h
            for h in await self.roster.heads_of(person.unit_id or 0, today)
            if to_member(h, today).heads(person.unit_id)
        ]
        if not heads:
            heads = await self.people.with_role(Role.SECRETARY, today)
        outbox = Outbox(self.ctx)
        for head in heads:
            if head.id == person.id:
                continue
            text = t(
                "join-head-confirm-ask", locale=head.language, name=esc(person.full_name), unit=esc(unit_name)
            )
            outbox.to_person(
                head,
                text,
                kind="join.confirm",
                reply_markup=markup(person.id, head.language) if markup else None,
            )

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
