"""/forget (issue 22, M20): a person's personal data removed, what decisions and the law need kept.

`ForgetService(ctx).preview(person_id)` says, before anything changes, what would go and what stays;
`forget(person_id)` does it, in the update's one unit of work, and audits it with ids and counts only.

Removed:
- the contact fields (e-mail, phone, date of birth) and the Telegram link (the account, when it joined,
  its menu); the person's own join claims lose the account's name and id;
- texts they wrote that no decision needs: the difficulties they raised (text and file; the answers, the
  staff's, stay), the good deeds they reported that nobody verified and no nomination cites (text and
  files); the texts and buttons of the messages the bot sent them, and the files made for them (/mydata);
  messages still waiting for them are cancelled; their conversation ends;
- nothing in the audit: it holds ids only (migration 0019 took the personal fields out of the entries
  written before), and stays append-only.
Kept, since decisions and the law need them (Luật Thi đua, khen thưởng 2022: the records a commendation rests
on are archived): the name, unit and position the roster (the school's HR list) holds, roles held and when,
plan acknowledgements, registrations, nominations and their reports, objections, commendations and the
decisions naming them, and the audit (ids only). A good deed they reported that was verified or that a
nomination cites stays, anonymous. Ballots are linked to nobody (decision 25).
Refused while they hold a role others depend on (a unit head, a deputy, the secretary, a council member,
the principal, the union, finance, an administrator): the admin hands the role over first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, exists, func, null, or_, select, update

from bot.context import Ctx
from bot.errors import DomainError
from bot.roles import Member, Role, Scope, register_rules, role_name
from bot.services.audit import Audit
from bot.services.outbox import NOT_SENT
from storage.models import (
    Commendation,
    Difficulty,
    GoodDeed,
    GoodDeedFile,
    JoinClaim,
    Nomination,
    NominationGoodDeed,
    Objection,
    OutboxMessage,
    Person,
    PlanAcknowledgement,
    Registration,
    Unit,
)
from storage.models.core import OutboxFile

FORGET = "forget"
register_rules({FORGET: {r: Scope.ALL for r in Role}})
CONTACT = ("email", "phone", "birth_date")


class StillNeeded(DomainError):
    """Roles others depend on: `roles` (a list) names them, with their units."""

    key = "forget-still-needed"


class AlreadyForgotten(DomainError):
    key = "forget-already"


@dataclass
class ForgetPlan:
    """What /forget would do for one person (counts), shown before the confirmation."""

    contact: list[str] = field(default_factory=list)  # the contact fields holding a value
    difficulties: int = 0
    deeds_blanked: int = 0
    deeds_anonymised: int = 0
    messages: int = 0
    kept: dict[str, int] = field(default_factory=dict)  # registrations, nominations, ... that stay

    def audit(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "contact"} | {"contact": len(self.contact)}


class ForgetService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx, self.s = ctx, ctx.session

    async def blocking(self, me: Member) -> list[str]:
        """The roles in force today that others depend on, named with their units ('' when none)."""
        out = []
        for g in sorted(me.grants, key=lambda g: (g.role.value, g.unit_id or 0)):
            if g.role is Role.STAFF:
                continue
            unit = await self.s.get(Unit, g.unit_id) if g.unit_id else None
            out.append(role_name(g.role) + (f" – {unit.name}" if unit else ""))
        return out

    async def _check(self, me: Member) -> Person:
        person = await self.s.get(Person, me.person_id)
        if person is None or person.telegram_id != me.telegram_id:
            raise AlreadyForgotten()
        roles = await self.blocking(me)
        if roles:
            raise StillNeeded(roles=roles)  # a list: the handler writes one line each
        return person

    def _deeds(self, person_id: int, kept: bool) -> Any:
        cited = exists().where(NominationGoodDeed.good_deed_id == GoodDeed.id)
        needed = or_(GoodDeed.state == "verified", cited)
        return select(GoodDeed.id).where(GoodDeed.reporter_id == person_id, needed if kept else ~needed)

    def _mine(self, person: Person) -> Any:
        return or_(OutboxMessage.person_id == person.id, OutboxMessage.chat_id == person.telegram_id)

    async def _count(self, stmt: Any) -> int:
        return int(await self.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    async def preview(self, me: Member) -> ForgetPlan:
        """What would go and what stays; raises StillNeeded while a role others depend on is held."""
        person = await self._check(me)
        pid = person.id
        return ForgetPlan(
            contact=[f for f in CONTACT if getattr(person, f) is not None],
            difficulties=await self._count(select(Difficulty.id).where(Difficulty.author_id == pid)),
            deeds_blanked=await self._count(self._deeds(pid, kept=False)),
            deeds_anonymised=await self._count(self._deeds(pid, kept=True)),
            messages=await self._count(select(OutboxMessage.id).where(self._mine(person))),
            kept={
                "acknowledgements": await self._count(
                    select(PlanAcknowledgement.id).where(PlanAcknowledgement.person_id == pid)
                ),
                "registrations": await self._count(
                    select(Registration.id).where(Registration.person_id == pid)
                ),
                "nominations": await self._count(select(Nomination.id).where(Nomination.person_id == pid)),
                "objections": await self._count(select(Objection.id).where(Objection.objector_id == pid)),
                "commendations": await self._count(
                    select(Commendation.id).where(Commendation.person_id == pid)
                ),
            },
        )

    async def forget(self, me: Member) -> tuple[ForgetPlan, int]:
        """Remove the person's personal data (checked again: a role given since the preview refuses it).
        Returns what was done and the account it was linked to."""
        plan = await self.preview(me)
        pid, account = me.person_id, me.telegram_id
        taken = await self.s.execute(  # the link is taken first: of two presses, one wins
            update(Person)
            .where(Person.id == pid, Person.telegram_id == account)
            .values(email=None, phone=None, birth_date=None, telegram_id=None, joined_at=None)
            .values(unreachable=False, menu_fingerprint=None)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise AlreadyForgotten()
        await self._messages(pid, account)
        await self._texts(pid)
        await self._update(JoinClaim, JoinClaim.telegram_id == account, telegram_id=0, account_name="")
        Audit(self.ctx).record("person.forgotten", "person", pid, after=plan.audit())
        self.ctx.forget_person(account)
        return plan, account

    async def _update(self, model: Any, where: Any, **values: Any) -> None:
        await self.s.execute(
            update(model).where(where).values(**values).execution_options(synchronize_session=False)
        )

    async def _messages(self, pid: int, account: int) -> None:
        """What the bot sent them: waiting rows cancelled, every text blanked, files only they got emptied."""
        mine = or_(OutboxMessage.person_id == pid, OutboxMessage.chat_id == account)
        await self._update(
            OutboxMessage, mine & OutboxMessage.status.in_(NOT_SENT), status="cancelled", error="forgotten"
        )
        files = select(OutboxMessage.outbox_file_id).where(mine, OutboxMessage.outbox_file_id.is_not(None))
        other = OutboxMessage.__table__.alias("other")
        shared = exists().where(  # a file others got too (a broadcast's) is theirs as well: it stays
            other.c.outbox_file_id == OutboxFile.id,
            other.c.chat_id != account,
            or_(other.c.person_id.is_(None), other.c.person_id != pid),
        )
        await self._update(
            OutboxFile, OutboxFile.id.in_(files) & OutboxFile.path.is_(None) & ~shared, data=None
        )
        await self._update(OutboxMessage, mine, text=None, reply_markup=null())  # SQL NULL, not JSON null

    async def _texts(self, pid: int) -> None:
        """Texts they wrote that no decision needs blanked; good deeds a decision may rest on anonymised."""
        await self._update(
            Difficulty, Difficulty.author_id == pid, text="", file_id=None, file_name=None, file_kind=None
        )
        blank = list((await self.s.scalars(self._deeds(pid, kept=False))).all())
        if blank:
            await self.s.execute(delete(GoodDeedFile).where(GoodDeedFile.good_deed_id.in_(blank)))
            await self._update(GoodDeed, GoodDeed.id.in_(blank), text="")
        await self._update(GoodDeed, GoodDeed.id.in_(self._deeds(pid, kept=True)), anonymous=True)
