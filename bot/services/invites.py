"""Invites: who may invite whom, creating links, checking a token, and the rows of the sheet of personal
links (bot/exports/invites.py writes the .xlsx).

A token carries 256 random bits (`secrets.token_urlsafe(32)`, 43 characters of A-Za-z0-9_-, so it fits
Telegram's 64-character deep-link payload). Only its SHA-256 is stored. A use is taken when a join
completes (JoinService.complete), with one conditional UPDATE.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import as_utc, fmt_when
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.roles import HEAD_ROLES, Member, Role, role_name  # role_name: re-exported for its callers
from bot.services.audit import Audit
from bot.text import esc
from storage.models import Invite, Person, Unit
from storage.repositories.invites import InvitesRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.roster import RosterRepo

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DEFAULT_TTL = timedelta(days=7)
EXPORT_TTL = timedelta(days=30)
MAX_USES = 1000  # what a command may ask at all; the caps by who invites are below (InviteService.caps)
MAX_TTL = timedelta(days=365)
HEAD_EXTRA_USES = 5  # a unit head's link: the unit's headcount plus this many uses
HEAD_MAX_TTL = timedelta(days=30)

# Roles an invite can carry. Acting for the head is a dated delegation, never an invite.
INVITABLE: tuple[Role, ...] = (
    Role.STAFF,
    Role.UNIT_HEAD,
    Role.SECRETARY,
    Role.COUNCIL,
    Role.UNION,
    Role.FINANCE,
    Role.PRINCIPAL,
    Role.ADMIN,
)
SECRETARY_MAY_INVITE = (Role.STAFF, Role.UNIT_HEAD, Role.COUNCIL, Role.UNION, Role.FINANCE)


class InviteInvalid(DomainError):
    key = "join-token-unknown"


class InviteExpired(InviteInvalid):
    key = "join-token-expired"


class InviteUsedUp(InviteInvalid):
    key = "join-token-used"


class InviteRevoked(InviteInvalid):
    key = "join-token-revoked"


class InviteRoleNotAllowed(NotAllowed):
    key = "invite-role-not-allowed"


class InviteUnitNotAllowed(NotAllowed):
    key = "invite-unit-not-allowed"


class InviteBadRequest(DomainError):
    key = "invite-bad-request"


class UnitHasHead(DomainError):
    """A head's invite where the unit has a head: the secretary chooses to replace them or invite a deputy.
    Carries `head` (a person id) and `head_name` (not escaped: a button's label) besides the text's own."""

    key = "invite-unit-has-head"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def parse_duration(text: str) -> timedelta:
    """'7d', '12h', '30m', '2w' (a bare number means days); raises ValueError."""
    m = re.fullmatch(r"\s*(\d+)\s*([wdhm]?)\s*", text or "")
    if not m or int(m.group(1)) <= 0:
        raise ValueError(text)
    n, unit = int(m.group(1)), m.group(2) or "d"
    return {
        "w": timedelta(weeks=n),
        "d": timedelta(days=n),
        "h": timedelta(hours=n),
        "m": timedelta(minutes=n),
    }[unit]


def invitable_roles(member: Member | None) -> list[Role]:
    """The roles `member` may put on an invite (None: the system, e.g. the CLI, may do anything)."""
    if member is None or member.has(Role.ADMIN):
        return list(INVITABLE)
    if member.has(Role.SECRETARY):
        return list(SECRETARY_MAY_INVITE)
    if any(g.role in HEAD_ROLES and g.unit_id for g in member.grants):
        return [Role.STAFF]
    return []


def may_invite_to(member: Member | None, role: Role, unit_id: int) -> bool:
    if role not in invitable_roles(member):
        return False
    if member is None or member.has(Role.ADMIN) or member.has(Role.SECRETARY):
        return True
    return member.heads(unit_id)


@dataclass(frozen=True, slots=True)
class CreatedInvite:
    invite: Invite
    token: str
    unit: Unit
    person: Person | None = None
    replaced: str | None = None  # the name of the head the new one replaces


class InviteService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = InvitesRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)

    def check_role(self, role: str) -> Role:
        """Raise when the actor may not put `role` on an invite at all."""
        try:
            r = Role(role)
        except ValueError:
            raise InviteRoleNotAllowed(role=esc(role)) from None
        if r not in invitable_roles(self.ctx.actor):
            raise InviteRoleNotAllowed(role=role_name(r))
        return r

    def check_authority(self, role: str, unit_id: int) -> Role:
        """Raise when the actor may not invite `role` to `unit_id` (the system may)."""
        r = self.check_role(role)
        if not may_invite_to(self.ctx.actor, r, unit_id):
            raise InviteUnitNotAllowed()
        return r

    async def units_for(self, role: str) -> list[Unit]:
        """Units the actor may invite `role` to."""
        units = await self.roster.units(active_only=True)
        return [u for u in units if may_invite_to(self.ctx.actor, Role(role), u.id)]

    async def create(
        self,
        role: str,
        unit_id: int | None,
        *,
        person_id: int | None = None,
        ttl: timedelta = DEFAULT_TTL,
        max_uses: int = 1,
        replaces: int | None = None,
        warn_head: bool = False,
    ) -> CreatedInvite:
        """A new invite. A person in the chat inviting a unit head where the unit has one must say whom the
        new head `replaces` (that head's role ends the day the link is used); so must the command line
        (`warn_head`, or a `replaces` given). Other callers without an actor (tests, the demo) are not."""
        person = await self._invitee(person_id, unit_id) if person_id is not None else None
        if person is not None:
            unit_id, max_uses = person.unit_id, 1
        unit = await self.roster.unit(unit_id) if unit_id is not None else None
        if unit is None or not unit.active:
            raise InviteBadRequest("invite-no-such-unit")
        r = self.check_authority(role, unit.id)
        replaced: Person | None = None
        if r is Role.UNIT_HEAD and (self.ctx.actor is not None or warn_head or replaces is not None):
            replaced = await self._replacing(unit, replaces)
            max_uses = 1 if replaced is not None else max_uses
        replaces = replaced.id if replaced is not None else None
        await self._check_caps(unit.id, max_uses, ttl)
        now = self.ctx.clock.now()
        token = new_token()
        invite = self.repo.add(
            Invite(
                token_hash=hash_token(token),
                role=r.value,
                unit_id=unit.id,
                person_id=person.id if person else None,
                created_by=self.ctx.actor.person_id if self.ctx.actor else None,
                created_at=now,
                expires_at=now + ttl,
                max_uses=max_uses,
                uses=0,
                revoked=False,
                replaces_id=replaces,
            )
        )
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "invite.created",
            "invite",
            invite.id,
            after={
                "role": r.value,
                "unit_id": unit.id,
                "person_id": invite.person_id,
                "expires_at": invite.expires_at,
                "max_uses": max_uses,
                "replaces_id": replaces,
            },
        )
        return CreatedInvite(invite, token, unit, person, replaced.full_name if replaced else None)

    async def _invitee(self, person_id: int, unit_id: int | None) -> Person:
        """The roster person a personal invite is for: active, not joined, of the unit asked."""
        person = await self.roster.person(person_id)
        if person is None or not person.active:
            raise InviteBadRequest("invite-no-such-person", person_id=person_id)
        if person.telegram_id is not None:
            raise InviteBadRequest("invite-person-joined", name=esc(person.full_name))
        if unit_id is not None and person.unit_id != unit_id:
            raise InviteBadRequest("invite-person-other-unit", name=esc(person.full_name))
        return person

    async def heads_in_place(self, unit_id: int) -> list[Person]:
        """The unit's heads today (joined or not): a deputy acting for one is not a head."""
        return await PeopleRepo(self.ctx.session).holding(Role.UNIT_HEAD, unit_id, self.ctx.clock.today())

    async def _replacing(self, unit: Unit, replaces: int | None) -> Person | None:
        """The head the new one replaces: none when the unit has no head; raises UnitHasHead (naming the
        heads) when it has one and the actor has not chosen, or chose someone who is no longer its head."""
        heads = await self.heads_in_place(unit.id)
        if not heads:
            return None
        for h in heads:
            if h.id == replaces:
                return h
        names = ", ".join(h.full_name for h in heads)
        raise UnitHasHead(
            unit=esc(unit.name), name=esc(names), head=heads[0].id, head_name=heads[0].full_name
        )

    async def caps(self, unit_id: int) -> tuple[int, timedelta, bool]:
        """(uses, lifetime, by_head): the most an invite of the actor to `unit_id` may have. The admin's and
        the secretary's caps are settings (the CLI has the admin's); a unit head's follow the unit's size."""
        actor, settings = self.ctx.actor, self.ctx.settings
        if actor is None or actor.has(Role.ADMIN):
            return settings.invite_admin_max_uses, timedelta(days=settings.invite_admin_max_days), False
        if actor.has(Role.SECRETARY):
            return (
                settings.invite_secretary_max_uses,
                timedelta(days=settings.invite_secretary_max_days),
                False,
            )
        headcount = await self.roster.count_active(unit_id)
        return headcount + HEAD_EXTRA_USES, HEAD_MAX_TTL, True

    async def _check_caps(self, unit_id: int, max_uses: int, ttl: timedelta) -> None:
        uses, lifetime, by_head = await self.caps(unit_id)
        if not 1 <= max_uses <= uses:
            if by_head and max_uses >= 1:
                raise InviteBadRequest("invite-head-cap-uses", max=uses)
            raise InviteBadRequest("invite-bad-uses", max=uses)
        if not timedelta(0) < ttl <= lifetime:
            raise InviteBadRequest(
                "invite-head-cap-days" if by_head else "invite-bad-expiry", days=lifetime.days
            )

    async def export_unit(self, unit_id: int, ttl: timedelta = EXPORT_TTL) -> list[CreatedInvite]:
        """One single-use personal invite for each roster person of the unit who has not joined."""
        people = await self.roster.not_joined(unit_id)
        return [await self.create(Role.STAFF.value, unit_id, person_id=p.id, ttl=ttl) for p in people]

    async def check(self, token: str) -> Invite:
        """The invite behind `token`, when it can still be used; else the reason as a DomainError."""
        if not TOKEN_RE.match(token or ""):
            raise InviteInvalid()
        invite = await self.repo.by_hash(hash_token(token))
        if invite is None:
            raise InviteInvalid()
        self.ensure_usable(invite)
        return invite

    def ensure_usable(self, invite: Invite) -> None:
        if invite.revoked:
            raise InviteRevoked()
        if as_utc(invite.expires_at) <= self.ctx.clock.now():
            raise InviteExpired(date=fmt_when(invite.expires_at))
        if invite.uses >= invite.max_uses:
            raise InviteUsedUp()


@dataclass(frozen=True, slots=True)
class InviteRow:
    """One row of the unit head's sheet of personal links (bot/exports/invites.py writes the sheet). No date
    of birth: it is the proof of a claim through a shared link, and the sheet travels."""

    full_name: str
    position: str
    hr_id: str
    unit_code: str
    link: str
    expires_at: datetime


def invite_rows(created: list[CreatedInvite], bot_username: str) -> list[InviteRow]:
    """The personal links `export_unit` created, one row per person."""
    rows = []
    for c in created:
        p = c.person
        assert p is not None
        rows.append(
            InviteRow(
                full_name=p.full_name,
                position=p.position or "",
                hr_id=p.hr_id or "",
                unit_code=c.unit.code,
                link=deep_link(bot_username, c.token),
                expires_at=c.invite.expires_at,
            )
        )
    return rows


def expires_text(invite: Invite) -> str:
    return fmt_when(as_utc(invite.expires_at))
