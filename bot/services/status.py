"""Where everyone stands (/status): acknowledged the plan, registered for the school year; reminders.

- A unit counts its whole roster on the day: every active person whose unit it is now, joined or not
  (decision 19). Someone who moved unit counts where they are now.
- "Registered" means an individual registration of the current school year that is submitted or endorsed;
  a returned one is "cần sửa" (to fix: counted apart, listed, reminded), a withdrawn one is none. "Missing"
  is someone who has not acknowledged the current plan, or (in a school year) has not registered.
- `nudge(unit_id)`: one polite personal message through the outbox to each missing person who has joined,
  at most once a day per person (idempotency key with the local date), whoever presses.
- `invite(person_id)`: a new personal invite for a missing person who has not joined (invites are stored as
  hashes: an old one cannot be shown again).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.roles import Action, Role, can, units_for
from bot.services.acknowledgement import AcknowledgementService, offer_markup
from bot.services.audit import Audit
from bot.services.invites import CreatedInvite, InviteService
from bot.services.nomination import NominationService
from bot.services.outbox import Outbox
from bot.services.plan import PlanService
from bot.services.registration import RegistrationService, Window
from bot.services.reminder_times import QuietHours
from storage.models import Person, Unit
from storage.models.plan import PlanCommendation, PlanPeriod, PlanSchoolYear
from storage.models.registration import Registration, RegistrationState
from storage.repositories.acknowledgement import AcknowledgementRepo

REGISTERED = frozenset({RegistrationState.SUBMITTED.value, RegistrationState.ENDORSED.value})
NUDGE_KIND = "status-nudge"


class StatusUnitNotYours(NotAllowed):
    key = "status-unit-not-yours"


class StatusPersonGone(DomainError):
    """A button naming someone who is no longer missing, or not on a unit the presser may see."""

    key = "status-person-gone"


class StatusNoPlan(DomainError):
    key = "status-no-plan"


def percent(part: int, whole: int) -> Decimal:
    """Rounded to one decimal: 2/3 -> 66.7; an empty roster counts as done (100)."""
    if whole == 0:
        return Decimal(100)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PersonLine:
    person_id: int
    name: str
    joined: bool
    acknowledged: bool
    registered: bool
    unreachable: bool
    returned: bool = False  # registered, returned by the head: to fix and send again


@dataclass
class UnitStatus:
    unit_id: int
    code: str
    name: str
    roster: int = 0
    acknowledged: int = 0
    registered: int = 0
    returned: int = 0  # "cần sửa": returned, not yet sent again
    missing: list[PersonLine] = field(default_factory=list)
    window: Window | None = None  # the registration window as it holds for the unit (its extension)

    @property
    def ack_percent(self) -> Decimal:
        return percent(self.acknowledged, self.roster)

    @property
    def reg_percent(self) -> Decimal:
        return percent(self.registered, self.roster)

    @property
    def not_joined(self) -> list[PersonLine]:
        return [p for p in self.missing if not p.joined]

    @property
    def lowest(self) -> Decimal:
        return min(self.ack_percent, self.reg_percent)


@dataclass(frozen=True)
class Scene:
    """What the figures are about: the current period and school year (either may be missing)."""

    period: PlanPeriod | None
    school_year: PlanSchoolYear | None


@dataclass
class CollegeStatus:
    scene: Scene
    units: list[UnitStatus]  # lowest percentage first; units with nobody on the roster are left out
    total: UnitStatus
    empty: int = 0  # units with nobody on the roster


@dataclass(frozen=True)
class OwnRegistration:
    school_year: PlanSchoolYear
    title: PlanCommendation | None
    state: str
    return_reason: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class MyStatus:
    scene: Scene
    acknowledged_at: datetime | None
    registration: OwnRegistration | None  # of the current school year
    history: list[OwnRegistration]  # earlier school years, oldest first
    nominations: list[Any] = field(default_factory=list)  # nomination views (issue 12), not withdrawn
    window: Window | None = None  # the registration window as it holds for the person (extensions)


@dataclass(frozen=True)
class NudgeReport:
    reminded: int  # queued now
    already: int  # reminded earlier today: not again
    not_joined: int  # cannot be reminded in chat: invite them
    unreachable: int  # blocked the bot
    later: datetime | None = None  # pressed in the quiet hours: when it goes (their end)


@dataclass(frozen=True)
class NudgeTodo:
    """What a reminder asks of its person: to acknowledge the plan, to register (the text's key, by the
    window: open, not yet open, shut; and the instant it names)."""

    acknowledge: bool
    register_key: str | None = None
    register_when: datetime | None = None
    school_year: str = ""


class StatusTexts(Protocol):
    """The texts the service queues (handlers/render/status.py words them)."""

    def nudge(self, name: str, head: str, todo: NudgeTodo, locale: str | None) -> str: ...


class StatusService:
    def __init__(self, ctx: Ctx, texts: StatusTexts | None = None) -> None:
        self.ctx = ctx
        self.repo = AcknowledgementRepo(ctx.session, is_sqlite=ctx.settings.is_sqlite)
        self._texts = texts

    @property
    def texts(self) -> StatusTexts:
        if self._texts is None:  # a caller that queues reminders hands in the texts (the handlers do)
            raise RuntimeError("StatusService needs its texts to queue reminders")
        return self._texts

    async def scene(self) -> Scene:
        current = await PlanService(self.ctx).current()
        school_year = current.school_year
        if (
            school_year is not None
            and current.period is not None
            and school_year.period_id != current.period.id
        ):
            school_year = None
        return Scene(current.period, school_year)

    # -- one's own ---------------------------------------------------------------------------------------
    async def mine(self) -> MyStatus:
        actor = self._actor(Action.STATUS_VIEW)
        scene = await self.scene()
        acked = None
        if scene.period is not None:
            acked = await AcknowledgementService(self.ctx).acknowledged_at(scene.period.id, actor.person_id)
        current, history = None, []
        for reg in await self.repo.registrations_of_person(actor.person_id):
            own = await self._own(reg)
            if own is None:
                continue
            if scene.school_year is not None and reg.school_year_id == scene.school_year.id:
                current = own
            elif scene.school_year is None or own.school_year.start < scene.school_year.start:
                history.append(own)
        history.sort(key=lambda r: r.school_year.start)
        # nominated, and for what (issue 12)
        nominations = await NominationService(self.ctx).of_nominee(actor.person_id)
        window = None
        if scene.school_year is not None:
            window = await RegistrationService(self.ctx).window(
                person_id=actor.person_id, school_year=scene.school_year
            )
        return MyStatus(scene, acked, current, history, nominations, window)

    async def _own(self, reg: Registration) -> OwnRegistration | None:
        session = self.ctx.session
        school_year = await session.get(PlanSchoolYear, reg.school_year_id)
        if school_year is None:
            return None
        title = await session.get(PlanCommendation, reg.title_id)
        return OwnRegistration(school_year, title, reg.state, reg.return_reason, reg.decided_at)

    # -- units ------------------------------------------------------------------------------------------
    async def units(self) -> list[Unit]:
        """The units whose status the actor may see: a head's own; every unit for the secretary."""
        actor = self._actor(Action.STATUS_UNIT)
        allowed = units_for(actor, Action.STATUS_UNIT)
        return await self.repo.units(None if allowed is None else sorted(allowed))

    async def unit(self, unit_id: int) -> tuple[Scene, UnitStatus]:
        actor = self._actor(Action.STATUS_UNIT)
        if not can(actor, Action.STATUS_UNIT, unit_id):
            raise StatusUnitNotYours()
        [unit] = await self.repo.units([unit_id]) or [None]
        if unit is None:
            raise StatusUnitNotYours()
        scene = await self.scene()
        [status] = await self._figures(scene, [unit])
        return scene, status

    async def college(self) -> CollegeStatus:
        actor = self._actor(Action.STATUS_UNIT)
        if units_for(actor, Action.STATUS_UNIT) is not None:  # only the secretary sees every unit
            raise NotAllowed()
        scene = await self.scene()
        units = await self._figures(scene, await self.repo.units())
        total = UnitStatus(0, "", "")
        if scene.school_year is not None:
            total.window = await RegistrationService(self.ctx).window(school_year=scene.school_year)
        for u in units:
            total.roster += u.roster
            total.acknowledged += u.acknowledged
            total.registered += u.registered
            total.returned += u.returned
        listed = sorted((u for u in units if u.roster), key=lambda u: (u.lowest, u.ack_percent, u.code))
        return CollegeStatus(scene, listed, total, empty=len(units) - len(listed))

    async def _figures(self, scene: Scene, units: list[Unit]) -> list[UnitStatus]:
        people = await self.repo.roster(units[0].id if len(units) == 1 else None)
        ids = [p.id for p in people]
        acked = await self.repo.acknowledged(scene.period.id, ids) if scene.period else set()
        regs = (
            await self.repo.individual_registrations(scene.school_year.id, ids) if scene.school_year else {}
        )
        out = {u.id: UnitStatus(u.id, u.code, u.name) for u in units}
        if scene.school_year is not None:
            registration, year = RegistrationService(self.ctx), scene.school_year
            for status in out.values():
                status.window = await registration.window(unit_id=status.unit_id, school_year=year)
        for p in people:
            status = out.get(p.unit_id or 0)
            if status is None:
                continue
            reg = regs.get(p.id)
            line = PersonLine(
                p.id,
                p.full_name,
                joined=p.telegram_id is not None,
                acknowledged=p.id in acked,
                registered=reg is not None and reg.state in REGISTERED,
                unreachable=p.unreachable,
                returned=reg is not None and reg.state == RegistrationState.RETURNED.value,
            )
            status.roster += 1
            status.acknowledged += line.acknowledged
            status.registered += line.registered
            status.returned += line.returned
            if self._missing(scene, line):
                status.missing.append(line)
        return list(out.values())

    @staticmethod
    def _missing(scene: Scene, line: PersonLine) -> bool:
        return (scene.period is not None and not line.acknowledged) or (
            scene.school_year is not None and not line.registered
        )

    # -- reminders ---------------------------------------------------------------------------------------
    async def nudge(self, unit_id: int) -> NudgeReport:
        actor = self._actor(Action.STATUS_NUDGE)
        if not can(actor, Action.STATUS_NUDGE, unit_id):
            raise StatusUnitNotYours()
        scene, status = await self.unit(unit_id)
        if scene.period is None and scene.school_year is None:
            raise StatusNoPlan()
        later = self._after_quiet_hours()
        today = later.astimezone(self.ctx.settings.tz).date() if later else self.ctx.clock.today()
        joined = [p for p in status.missing if p.joined]
        keys = {p.person_id: f"{NUDGE_KIND}:{p.person_id}:{today.isoformat()}" for p in joined}
        done_today = await self.repo.queued_keys(keys.values())
        outbox = Outbox(self.ctx)
        reminded = already = unreachable = 0
        for line in joined:
            key = keys[line.person_id]
            if key in done_today:
                already += 1
                continue
            person = await self.repo.person(line.person_id)
            if person is None or not Outbox.reachable(person):
                unreachable += 1
                continue
            text, markup = await self._nudge_message(scene, line, person, actor.full_name)
            await outbox.to_person_once(
                key, person, text, kind=NUDGE_KIND, reply_markup=markup, not_before=later
            )
            reminded += 1
        report = NudgeReport(reminded, already, len(status.not_joined), unreachable, later)
        Audit(self.ctx).record(
            "status.nudged",
            "unit",
            unit_id,
            after={
                "reminded": reminded,
                "already": already,
                "not_joined": report.not_joined,
                "unreachable": unreachable,
            },
        )
        return report

    def _after_quiet_hours(self) -> datetime | None:
        """Pressed in the quiet hours, the nudge waits for their end (the day it goes is its day)."""
        settings = self.ctx.settings
        window = QuietHours.parse(settings.reminder_quiet_hours, settings.tz).window_of(self.ctx.clock.now())
        return window[1] if window is not None else None

    async def _nudge_message(
        self, scene: Scene, line: PersonLine, person: Person, head: str
    ) -> tuple[str, dict[str, object] | None]:
        locale = person.language
        todo = NudgeTodo(acknowledge=scene.period is not None and not line.acknowledged)
        if scene.school_year is not None and not line.registered:
            window = await RegistrationService(self.ctx).window(
                person_id=person.id, school_year=scene.school_year
            )
            if window.open:
                key = "status-nudge-fix" if line.returned else "status-nudge-register"
                when = window.closes_at
            elif window.not_yet:
                key, when = "status-nudge-register-later", window.opens_at
            else:
                key, when = "status-nudge-register-closed", window.closes_at
            todo = replace(todo, register_key=key, register_when=when, school_year=scene.school_year.code)
        text = self.texts.nudge(person.full_name, head, todo, locale)
        markup = None
        if scene.period is not None and not line.acknowledged:
            markup = offer_markup(scene.period.id, locale)
        return text, markup

    # -- invites ------------------------------------------------------------------------------------------
    async def invite(self, person_id: int) -> CreatedInvite:
        actor = self._actor(Action.STATUS_UNIT)
        person = await self.repo.person(person_id)
        if person is None or not person.active or person.unit_id is None:
            raise StatusPersonGone()
        if not can(actor, Action.STATUS_UNIT, person.unit_id):
            raise StatusUnitNotYours()
        if person.telegram_id is not None:
            raise StatusPersonGone()
        return await InviteService(self.ctx).create(Role.STAFF.value, person.unit_id, person_id=person.id)

    def _actor(self, action: str):  # type: ignore[no-untyped-def]
        actor = self.ctx.actor
        if actor is None or not can(actor, action):
            raise NotAllowed()
        return actor
