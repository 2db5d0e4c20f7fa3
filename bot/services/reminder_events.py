"""A round's two events, their time and place set by the secretary in /reminders (issue 18, item 21).

- The council's review meeting (họp Hội đồng bình xét, deadline kind `review_meeting`): not in the plan; the
  secretary sets it inside the round's voting window (refused outside it). Its invitation goes to the
  council's members.
- The award ceremony (lễ khen thưởng, `ceremony`, held at the hội nghị sơ kết or tổng kết): the plan's
  `windows.ceremony`, its time and place moved in chat. Its invitation goes to everyone.

Each invitation follows the instant as it stands, is listed in /reminders once set, and can be muted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import select

from bot.clock import example_when, fmt_when, parse_when
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.plan.calendar import effective_voting_window
from bot.roles import can
from bot.services.audit import Audit
from bot.services.reminder_listing import MANAGE
from storage.models.plan import PlanRound

Event = Literal["review_meeting", "ceremony"]
PLACE_MIN, PLACE_MAX = 3, 300


class CeremonyBadTime(DomainError):
    key = "reminder-ceremony-bad-time"


class CeremonyPast(DomainError):
    key = "reminder-ceremony-past"


class CeremonyBadPlace(DomainError):
    key = "reminder-ceremony-bad-place"


class MeetingOutsideVoting(DomainError):
    """The council meets while it votes: between the voting's opening and its close."""

    key = "reminder-meeting-outside-voting"


class RoundGone(DomainError):
    key = "reminder-round-gone"


def event_at(round_: PlanRound, event: Event) -> datetime | None:
    """The event's instant as it stands (the meeting: None until the secretary sets it)."""
    if event == "review_meeting":
        return round_.review_meeting_at
    return round_.ceremony_set_at or round_.ceremony_at


def event_place(round_: PlanRound, event: Event) -> str | None:
    return round_.review_meeting_place if event == "review_meeting" else round_.ceremony_place


class ReminderEvents:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    def _manager(self) -> None:
        if self.ctx.actor is None or not can(self.ctx.actor, MANAGE):
            raise NotAllowed()

    async def rounds(self, event: Event) -> list[PlanRound]:
        """Rounds whose event may still be set: the meeting while the voting has not closed, the ceremony
        while it is ahead."""
        self._manager()
        now = self.ctx.clock.now()
        rows = (await self.ctx.session.scalars(select(PlanRound).order_by(PlanRound.ceremony_at))).all()
        if event == "review_meeting":
            return [r for r in rows if effective_voting_window(r)[1] > now]
        return [r for r in rows if (r.ceremony_set_at or r.ceremony_at) > now]

    async def round(self, event: Event, round_id: int) -> PlanRound:
        for r in await self.rounds(event):
            if r.id == round_id:
                return r
        raise RoundGone()

    def check_time(self, text: str | None, round_: PlanRound, event: Event) -> datetime:
        tz = self.ctx.settings.tz
        when = parse_when(text, tz)
        if when is None:
            raise CeremonyBadTime(example=example_when(self.ctx.clock.now(), tz))
        if when <= self.ctx.clock.now():
            raise CeremonyPast()
        if event == "review_meeting":
            opens, closes = effective_voting_window(round_)
            if not opens <= when <= closes:
                raise MeetingOutsideVoting(opens=fmt_when(opens), closes=fmt_when(closes))
        return when

    @staticmethod
    def check_place(text: str | None) -> str:
        place = " ".join((text or "").split())
        if not PLACE_MIN <= len(place) <= PLACE_MAX:
            raise CeremonyBadPlace(min=PLACE_MIN, max=PLACE_MAX)
        return place

    async def set(self, event: Event, round_id: int, when: datetime, place: str) -> PlanRound:
        """The event's time and place; its invitations follow the new instant (audited)."""
        round_ = await self.round(event, round_id)
        self.check_time(f"{when.astimezone(self.ctx.settings.tz):%H:%M %d/%m/%Y}", round_, event)
        place = self.check_place(place)
        at = event_at(round_, event)
        before = {"at": at.isoformat() if at else None, "place": event_place(round_, event)}
        if event == "review_meeting":
            round_.review_meeting_at, round_.review_meeting_place = when, place
            action = "round.review_meeting_set"
        else:
            round_.ceremony_set_at, round_.ceremony_place = when, place
            action = "round.ceremony_set"
        await self.ctx.session.flush()
        after = {"at": when.isoformat(), "place": place}
        Audit(self.ctx).record(action, "plan_round", round_.id, before=before, after=after)
        return round_
