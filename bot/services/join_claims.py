"""Claims and what the unit heads are asked (the part of joining that waits for a head's word).

A `join_claim` row is one Telegram account saying it is one roster person through a unit's shared link (the
tries at the date of birth are counted on it), or, with no person yet, someone not on the roster asking to
join. Here: the proof a claim needs, the claim sent to the heads (else the council's secretaries) with the
role the join gives and the link named as it is (a one-use link is never called shared), and the message to
the heads after a join as a roster person. JoinService (bot/services/join.py) builds on it; what the heads
do is in bot/services/join_heads.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.context import Ctx
from bot.errors import DomainError
from bot.i18n import t
from bot.roles import Role
from bot.services.audit import Audit
from bot.services.invites import role_name
from bot.services.outbox import Outbox
from bot.text import esc
from storage.models import Invite, JoinClaim, Person, Unit
from storage.repositories.invites import InvitesRepo, JoinClaimsRepo
from storage.repositories.people import PeopleRepo, to_member
from storage.repositories.roster import RosterRepo

BIRTH_TRIES = 3

Markup = dict[str, Any] | None


class JoinButtons(Protocol):
    """The buttons of queued messages to heads, as JSON for the outbox (the handlers build them)."""

    def claim(self, claim_id: int, locale: str) -> Markup: ...

    def newcomer(self, claim_id: int, locale: str) -> Markup: ...

    def unlink(self, claim_id: int, locale: str) -> Markup: ...


class ClaimPending(DomainError):
    key = "join-claim-pending"


class ClaimRefused(DomainError):
    key = "join-claim-refused"


class ClaimDone(DomainError):
    """The claim was already settled, or the join is no longer as it was: a double tap or a stale press."""

    key = "join-claim-done"


@dataclass(frozen=True, slots=True)
class ClaimSent:
    """The claim waits for the unit head; the account is not linked."""

    name: str
    unit_name: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """A join waiting for a head's word: a claim ("claim", its id) or an account that joined unconfirmed
    before issue 18 ("person", its id)."""

    kind: str
    id: int
    newcomer: bool  # not on the roster (a claim without a person, or a person the join added)
    name: str
    unit_id: int
    unit_name: str
    account: str
    roles: tuple[str, ...]  # the role(s) the join gives
    link: str  # the catalogue key naming the link (link_kind)


def link_kind(invite: Invite | None) -> str:
    """The catalogue key naming the link: personal, a unit's shared one, a unit's one-use link (never called
    shared), or a unit's link no longer known."""
    if invite is None:
        return "join-link-unit"
    if invite.person_id is not None:
        return "join-link-personal"
    return "join-link-shared" if invite.max_uses > 1 else "join-link-single"


class JoinClaims:
    """The repositories of joining, the claims and the requests to heads."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.invites = InvitesRepo(ctx.session)
        self.claims = JoinClaimsRepo(ctx.session)
        self.roster = RosterRepo(ctx.session)
        self.people = PeopleRepo(ctx.session)

    # -- the proof of a claim through a shared invite -------------------------------------------------------
    async def _claim_row(self, telegram_id: int, person_id: int) -> JoinClaim:
        claim = await self.claims.of(telegram_id, person_id)
        if claim is None:
            claim = self._new_claim(telegram_id, person_id=person_id)
        return claim

    def _new_claim(self, telegram_id: int, **values: Any) -> JoinClaim:
        now = self.ctx.clock.now()
        fields = {"account_name": "", "state": "open", "tries": 0, "language": "vi"} | values
        claim = JoinClaim(telegram_id=telegram_id, created_at=now, updated_at=now, **fields)
        self.ctx.session.add(claim)
        return claim

    async def proof_for(self, telegram_id: int, person: Person) -> str:
        """What this account must show to be `person`: "verified" (done), "birth", or "head"."""
        claim = await self.claims.of(telegram_id, person.id)
        if claim is not None and claim.state == "pending":
            raise ClaimPending(name=esc(person.full_name))
        if claim is not None and claim.state == "refused":
            raise ClaimRefused(name=esc(person.full_name))
        if claim is not None and claim.state == "verified":
            return "verified"
        if person.birth_date is None or (claim is not None and claim.tries >= BIRTH_TRIES):
            return "head"
        return "birth"

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
    async def _heads(
        self, unit_id: int | None, but: int | None = None, replaced: int | None = None
    ) -> list[Person]:
        """Who confirms for a unit: its heads in force today (not the head a head's link replaces: nobody
        vets their own successor), else the council's secretaries; never `but`, the person claimed."""
        today = self.ctx.clock.today()
        heads = [
            h
            for h in await self.roster.heads_of(unit_id or 0, today)
            if h.id != replaced and to_member(h, today).heads(unit_id)
        ]
        if not heads:
            heads = await self.people.with_role(Role.SECRETARY, today)
        return [h for h in heads if h.id != but]

    async def _tell_heads_joined(
        self, person: Person, unit_name: str, claim: JoinClaim, invite: Invite, buttons: JoinButtons | None
    ) -> None:
        outbox = Outbox(self.ctx)
        how = "join-how-birth" if invite.person_id is None else "join-how-personal"
        for head in await self._heads(person.unit_id, but=person.id):
            text = t(
                "join-head-joined",
                locale=head.language,
                account=esc(claim.account_name or str(claim.telegram_id)),
                name=esc(person.full_name),
                unit=esc(unit_name),
                role=role_name(invite.role, locale=head.language),
                how=t(how, locale=head.language, link=t(link_kind(invite), locale=head.language)),
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
        self._audit_sent(claim, person_id=person.id)
        await self.ask_heads(claim, invite, person.full_name, unit_name, buttons, person=person)
        return ClaimSent(person.full_name, unit_name)

    async def _ask_as_newcomer(
        self,
        invite: Invite,
        unit: Unit,
        name: str,
        telegram_id: int,
        language: str,
        account: str,
        buttons: JoinButtons | None,
    ) -> ClaimSent:
        """Someone not on the roster, by a unit's staff link: the account waits, linked to nobody."""
        claim = self._new_claim(
            telegram_id, unit_id=unit.id, full_name=name, invite_id=invite.id, account_name=account[:200]
        )
        claim.state, claim.language = "pending", language
        await self.ctx.session.flush()
        self._audit_sent(claim, full_name=name, unit_id=unit.id)
        await self.ask_heads(claim, invite, name, unit.name, buttons)
        return ClaimSent(name, unit.name)

    def _audit_sent(self, claim: JoinClaim, **about: object) -> None:
        after = {
            "telegram_id": claim.telegram_id,
            "invite_id": claim.invite_id,
            "tries": claim.tries,
            **about,
        }
        Audit(self.ctx).record("join.claim_sent", "join_claim", claim.id, after=after)

    async def ask_heads(
        self,
        claim: JoinClaim,
        invite: Invite | None,
        name: str,
        unit_name: str,
        buttons: JoinButtons | None,
        person: Person | None = None,
    ) -> None:
        """Ask the heads (else the secretaries) to settle a waiting claim: the role and the link named."""
        outbox = Outbox(self.ctx)
        unit_id = (person.unit_id if person else claim.unit_id) or 0
        waiting = waiting_of_claim(claim, invite, name, unit_id, unit_name)
        replaced = invite.replaces_id if invite is not None else None
        for head in await self._heads(unit_id, but=claim.person_id, replaced=replaced):
            text = waiting_text(waiting, head.language)
            if buttons is None:
                markup = None
            elif person is None:
                markup = buttons.newcomer(claim.id, head.language)
            else:
                markup = buttons.claim(claim.id, head.language)
            outbox.to_person(head, text, kind="join.claim", reply_markup=markup)


def waiting_of_claim(
    claim: JoinClaim, invite: Invite | None, name: str, unit_id: int, unit_name: str
) -> Waiting:
    return Waiting(
        "claim",
        claim.id,
        claim.person_id is None,
        name,
        unit_id,
        unit_name,
        claim.account_name or str(claim.telegram_id),
        (invite.role if invite is not None else Role.STAFF.value,),
        link_kind(invite),
    )


def waiting_text(w: Waiting, locale: str | None = None) -> str:
    """What a head is asked about a waiting join: the notification, and the card of /pending."""
    if w.kind == "person":
        key = "join-head-unconfirmed-ask"
    else:
        key = "join-head-newcomer-ask" if w.newcomer else "join-head-claim-ask"
    return t(
        key,
        locale=locale,
        account=esc(w.account),
        name=esc(w.name),
        unit=esc(w.unit_name),
        role=", ".join(role_name(r, locale=locale) for r in w.roles),
        link=t(w.link, locale=locale),
    )
