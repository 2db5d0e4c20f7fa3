"""Acknowledging the plan (quán triệt kế hoạch): once per person per period; a new period sent to all.

- `AcknowledgementService(ctx).acknowledge(period_id)`: the person in front of the bot has read the plan of
  the current period. The time is recorded once; a second press changes nothing and says when it was done.
- `pending(person_id)`: the current period when this person has not acknowledged it yet (what /start, /plan
  and the welcome keep offering).
- `announce(period)`: a period loaded for the first time that contains today goes to every linked member
  through the outbox, in one batch (`plan-announce:<period id>`), and the secretaries are told how many;
  `delivery(period_id)` counts that batch later (what /plan shows the secretary).

The buttons of queued messages are plain JSON (`offer_markup`), so `thidua plan load` needs no aiogram; their
callback data is that of `handlers.acknowledgement.AckCb` (a test packs both and compares).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.i18n import t
from bot.roles import Action, Role, can
from bot.services import reminder_audiences as reminders
from bot.services.audit import Audit
from bot.services.outbox import BatchReport, Outbox
from bot.text import esc
from storage.models import Person
from storage.models.plan import PlanPeriod
from storage.models.registration import PlanAcknowledgement
from storage.repositories.acknowledgement import AcknowledgementRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.plan import PlanRepo

ACK_PREFIX = "ak"  # handlers.acknowledgement.AckCb
ANNOUNCE_KIND = "plan-announce"


def announce_batch(period_id: int) -> str:
    """The one batch of a period's announcement (a period is announced once: when it is first loaded)."""
    return f"{ANNOUNCE_KIND}:{period_id}"


def ack_data(op: str, ident: int) -> str:
    """Callback data of AckCb(op=..., id=...): "ak:<op>:<id>"."""
    return f"{ACK_PREFIX}:{op}:{ident}"


def offer_markup(period_id: int, locale: str | None = None, *, acknowledged: bool = False) -> dict[str, Any]:
    """ "Xem kế hoạch" and, until pressed, "Tôi đã đọc và quán triệt kế hoạch", as reply_markup JSON."""
    rows = [[{"text": t("ack-btn-view", locale=locale), "callback_data": ack_data("view", period_id)}]]
    if not acknowledged:
        rows.append([{"text": t("ack-btn-ack", locale=locale), "callback_data": ack_data("ok", period_id)}])
    return {"inline_keyboard": rows}


class AckStale(DomainError):
    """A button of a plan that is not the current one (or of no plan at all)."""

    key = "ack-stale"


@dataclass(frozen=True)
class Acknowledged:
    period: PlanPeriod
    at: datetime
    new: bool  # False: it had been acknowledged before (a second press, the same update twice)


@dataclass(frozen=True)
class Announcement:
    batch: str
    queued: int  # linked members the plan was queued for
    unreachable: int  # linked members who blocked the bot: not queued


class AcknowledgementService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = AcknowledgementRepo(ctx.session, is_sqlite=ctx.settings.is_sqlite)
        self.plan = PlanRepo(ctx.session)

    async def current_period(self) -> PlanPeriod | None:
        from bot.services.plan import PlanService  # plan.py calls announce(): imported late, no cycle

        return (await PlanService(self.ctx).current()).period

    async def acknowledged_at(self, period_id: int, person_id: int) -> datetime | None:
        row = await self.repo.get(period_id, person_id)
        return row.acknowledged_at if row is not None else None

    async def pending(self, person_id: int) -> PlanPeriod | None:
        """The current period, when `person_id` has not acknowledged it yet; else None."""
        period = await self.current_period()
        if period is None or await self.repo.get(period.id, person_id) is not None:
            return None
        return period

    async def acknowledge(self, period_id: int) -> Acknowledged:
        actor = self.ctx.actor
        if actor is None or not can(actor, Action.PLAN_ACK):
            raise NotAllowed()
        period = await self.current_period()
        if period is None or period.id != period_id:  # a forged id, or the button of an older plan
            raise AckStale()
        now = self.ctx.clock.now()
        new = await self.repo.add_once(period.id, actor.person_id, now)
        row = await self.repo.get(period.id, actor.person_id)
        assert row is not None
        if new:
            Audit(self.ctx).record(
                "plan.acknowledged",
                "plan_acknowledgement",
                row.id,
                after={"period_id": period.id, "person_id": actor.person_id, "at": now},
            )
        return Acknowledged(period, row.acknowledged_at, new)

    # -- a new period, to everyone -------------------------------------------------------------------
    async def contains_today(self, period: PlanPeriod) -> bool:
        """True when today falls in one of the period's school years, or (without them) in its years."""
        today = self.ctx.clock.today()
        school_year = await self.plan.school_year_on(today)
        if school_year is not None:
            return school_year.period_id == period.id
        return period.start_year <= today.year <= period.end_year

    async def announce(self, period: PlanPeriod) -> Announcement:
        """Queue the plan for every linked member (one batch) and tell the secretaries how many."""
        outbox = Outbox(self.ctx)
        batch = announce_batch(period.id)
        queued = unreachable = 0
        for person in await self.repo.linked_people():
            locale = person.language
            text = t("ack-announce", locale=locale, title=esc(_title(period, locale)))
            row = outbox.to_person(
                person, text, kind=ANNOUNCE_KIND, batch=batch, reply_markup=offer_markup(period.id, locale)
            )
            if row is None:
                unreachable += 1
            else:
                queued += 1
        today = self.ctx.clock.today()
        for secretary in await PeopleRepo(self.ctx.session).with_role(Role.SECRETARY, today):
            locale = secretary.language
            outbox.to_person(
                secretary,
                t(
                    "ack-announce-secretary",
                    locale=locale,
                    title=esc(_title(period, locale)),
                    queued=queued,
                    unreachable=unreachable,
                ),
                kind="plan-announce-report",
            )
        Audit(self.ctx).record(
            "plan.announced",
            "plan_period",
            period.id,
            after={"batch": batch, "queued": queued, "unreachable": unreachable},
        )
        return Announcement(batch, queued, unreachable)

    async def delivery(self, period_id: int) -> BatchReport | None:
        """How the period's announcement went (None when it was never announced)."""
        report = await Outbox(self.ctx).batch_report(announce_batch(period_id))
        return report if report.total else None


async def announce_if_new(ctx: Ctx, period: PlanPeriod, created: bool) -> Announcement | None:
    """The hook of `PlanService.load`: a period loaded for the first time that contains today."""
    if not created:
        return None
    service = AcknowledgementService(ctx)
    if not await service.contains_today(period) or not await service.repo.linked_people():
        return None  # an older period, or nobody has joined yet: nothing to send
    return await service.announce(period)


def _title(period: PlanPeriod, locale: str | None) -> str:
    return (period.title_en if locale == "en" else None) or period.title_vi


# -- the reminders' audiences (bot/services/reminder_audiences.py) -------------------------------------------
def _acknowledged(occ: reminders.Occurrence) -> Any:
    return (
        select(PlanAcknowledgement.id)
        .where(PlanAcknowledgement.period_id == occ.period_id, PlanAcknowledgement.person_id == Person.id)
        .exists()
    )


@reminders.audience("acknowledgement", "pending")
async def not_acknowledged(session: AsyncSession, occ: reminders.Occurrence) -> list[int]:
    """Linked staff who have not acknowledged the occurrence's plan."""
    return await reminders.people_where(session, ~_acknowledged(occ))


@reminders.unit_items("acknowledgement")
async def units_not_acknowledged(
    session: AsyncSession, occ: reminders.Occurrence
) -> dict[int, reminders.Items]:
    """Per unit: people on the roster (joined or not) who have not acknowledged the plan, by name."""
    stmt = (
        select(Person.unit_id, Person.full_name, Person.telegram_id.is_not(None))
        .where(Person.active.is_(True), Person.unit_id.is_not(None), ~_acknowledged(occ))
        .order_by(Person.full_name, Person.id)
    )
    return reminders.named_per_unit((await session.execute(stmt)).all(), "not_acknowledged")
