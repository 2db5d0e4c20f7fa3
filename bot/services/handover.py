"""Deactivating a person and handing their open work to another (issue 22, M20; the admin's, from /people).

Open work follows roles here, not people: a registration waits for whoever heads its unit today, a good deed
for the unit's head, a difficulty for the secretaries, a forwarded one for the principal. So handing over is:
each role the leaver holds today but staff moves to the successor (a unit's role for the same unit; a dated
one keeps its end, starting today), the chair of a vote not yet tallied moves with the council role, the
leaver is deactivated, and the successor is told through the outbox what now waits for them. All in the
update's one unit of work, audited with ids only; `preview` says the same before the admin confirms, and
`hand_over` works it out again on the press (nothing from the button is trusted but the two ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update

from bot.context import Ctx
from bot.errors import DomainError, NotAllowed, NotFound
from bot.i18n import t
from bot.roles import Action, Role, can, grant_active, role_name
from bot.services.audit import Audit
from bot.services.join import end_roles
from bot.services.outbox import Outbox
from bot.services.people_admin import SelfChange, roles_view
from bot.text import esc
from storage.models import Difficulty, GoodDeed, Person, PersonRole, Registration, Unit
from storage.models.voting import VotingRound

KIND = "people.handover"


class NothingToHand(DomainError):
    key = "handover-nothing"


class BadSuccessor(DomainError):
    key = "handover-bad-successor"


@dataclass
class Handover:
    leaver: Person
    successor: Person
    roles: list[PersonRole]  # the leaver's, in force today (not staff)
    waiting: dict[str, int] = field(default_factory=dict)  # registrations, good_deeds, difficulties, ...
    chairs: list[int] = field(default_factory=list)  # voting rounds the leaver chairs, not tallied

    def role_names(self, units: dict[int, Unit]) -> list[str]:
        return [
            role_name(r.role) + (f" – {units[r.unit_id].name}" if r.unit_id in units else "")
            for r in self.roles
        ]


class HandoverService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx, self.s = ctx, ctx.session

    def _require(self) -> None:
        if self.ctx.actor is None or not can(self.ctx.actor, Action.PEOPLE_EDIT):
            raise NotAllowed()

    async def _active(self, person_id: int) -> Person:
        person = await self.s.get(Person, person_id)
        if person is None:
            raise NotFound()
        if not person.active:
            raise DomainError("people-admin-unchanged")
        return person

    async def candidates(self, leaver_id: int, query: str) -> list[Person]:
        """Active, linked people whose name matches `query` (the one name search), but the leaver."""
        from bot.services.name_search import find_people

        await self.leaving(leaver_id)
        return await find_people(
            self.s, query, Person.active.is_(True), Person.telegram_id.is_not(None), Person.id != leaver_id
        )

    async def leaving(self, leaver_id: int) -> tuple[Person, list[PersonRole]]:
        """The person to deactivate and the roles they hold today but staff (none: nothing to hand over)."""
        self._require()
        assert self.ctx.actor is not None
        leaver = await self._active(leaver_id)
        if leaver.id == self.ctx.actor.person_id:
            raise SelfChange("people-admin-self-deactivate")
        today = self.ctx.clock.today()
        roles = [
            r
            for r in leaver.roles
            if r.role != Role.STAFF.value and grant_active(r.valid_from, r.valid_to, today)
        ]
        if not roles:
            raise NothingToHand(name=esc(leaver.full_name))
        return leaver, roles

    async def preview(self, leaver_id: int, successor_id: int) -> Handover:
        leaver, roles = await self.leaving(leaver_id)
        try:
            successor = await self._active(successor_id)
        except DomainError:
            raise BadSuccessor() from None
        if successor.id == leaver.id or successor.telegram_id is None:
            raise BadSuccessor()
        return Handover(
            leaver, successor, roles, await self._waiting(roles), await self._chairs(leaver, roles)
        )

    async def _count(self, model: type, *where: object) -> int:
        return int(await self.s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]

    async def _waiting(self, roles: list[PersonRole]) -> dict[str, int]:
        held = {r.role for r in roles}
        heads = [r.unit_id for r in roles if r.role in (Role.UNIT_HEAD.value, Role.DEPUTY_HEAD.value)]
        waiting: dict[str, int] = {}
        if heads:
            waiting["registrations"] = await self._count(
                Registration, Registration.unit_id.in_(heads), Registration.state == "submitted"
            )
            waiting["good_deeds"] = await self._count(
                GoodDeed, GoodDeed.unit_id.in_(heads), GoodDeed.state == "submitted"
            )
        if Role.SECRETARY.value in held:
            waiting["difficulties"] = await self._count(Difficulty, Difficulty.state == "open")
        if Role.PRINCIPAL.value in held:
            waiting["forwarded"] = await self._count(Difficulty, Difficulty.state == "forwarded")
        return {k: v for k, v in waiting.items() if v}

    async def _chairs(self, leaver: Person, roles: list[PersonRole]) -> list[int]:
        if not any(r.role == Role.COUNCIL.value for r in roles):
            return []
        rows = await self.s.scalars(
            select(VotingRound.id).where(VotingRound.chair_id == leaver.id, VotingRound.state != "tallied")
        )
        return list(rows.all())

    async def hand_over(self, leaver_id: int, successor_id: int) -> Handover:
        """Move the roles, the chairs and the waiting work; deactivate the leaver; tell the successor."""
        h = await self.preview(leaver_id, successor_id)
        leaver, successor = h.leaver, h.successor
        today = self.ctx.clock.today()
        before = {"leaver": roles_view(leaver), "successor": roles_view(successor)}
        for r in h.roles:
            dated = r.valid_from is not None or r.valid_to is not None
            start = today if dated else None
            if not any(
                (g.role, g.unit_id, g.valid_from, g.valid_to) == (r.role, r.unit_id, start, r.valid_to)
                for g in successor.roles
            ):
                successor.roles.append(
                    PersonRole(role=r.role, unit_id=r.unit_id, valid_from=start, valid_to=r.valid_to)
                )
        moved = {id(r) for r in h.roles}
        end_roles(leaver, today - timedelta(days=1), which=lambda r: id(r) in moved)
        if h.chairs:
            await self.s.execute(
                update(VotingRound)
                .where(VotingRound.id.in_(h.chairs), VotingRound.chair_id == leaver.id)
                .values(chair_id=successor.id)
                .execution_options(synchronize_session=False)
            )
        leaver.active = False
        await self.s.flush()
        after = {
            "to": successor.id,
            "leaver": roles_view(leaver),
            "successor": roles_view(successor),
            "chairs": h.chairs,
            "waiting": h.waiting,
            "active": False,
        }
        Audit(self.ctx).record("person.handed_over", "person", leaver.id, before=before, after=after)
        await self._tell(h)
        self.ctx.forget_person(leaver.telegram_id)
        self.ctx.forget_person(successor.telegram_id)
        return h

    async def units(self, h: Handover) -> dict[int, Unit]:
        ids = {r.unit_id for r in h.roles if r.unit_id is not None}
        return {u.id: u for u in (await self.s.scalars(select(Unit).where(Unit.id.in_(ids)))).all()}

    async def _tell(self, h: Handover) -> None:
        roles = ", ".join(h.role_names(await self.units(h)))
        counts = {
            k: h.waiting.get(k, 0) for k in ("registrations", "good_deeds", "difficulties", "forwarded")
        }
        text = t(
            "handover-notice",
            locale=h.successor.language,
            name=esc(h.leaver.full_name),
            roles=esc(roles),
            chairs=len(h.chairs),
            **counts,
        )
        Outbox(self.ctx).to_person(h.successor, text, kind=KIND)
