"""The secretary's /reminders: the reminders of the next 14 days with their expected recipients, a manual
nudge of one rule, pausing a school year or a round, and who muted what (bot/services/reminders.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import fmt_when
from bot.errors import DomainError, NotAllowed
from bot.roles import Role, Scope, can, register_rules
from bot.services.audit import Audit
from bot.services.reminder_audiences import SUMMARY, Occurrence, waiting_for
from bot.services.reminder_deadlines import occurrences
from bot.services.reminder_due import duty_first, pause_scopes
from bot.services.reminder_summary import ReminderSummaries
from storage.models import Person
from storage.models.plan import PlanReminderRule, PlanRound, PlanSchoolYear
from storage.models.reminder import ReminderMute, ReminderPause

HORIZON = timedelta(days=14)
NUDGE_KEY = "status-nudge"  # the unit head's nudge of the day (bot/services/status.py)
MANAGE = "reminders_manage"  # /reminders: the list, a manual nudge, pausing
register_rules({MANAGE: {Role.SECRETARY: Scope.ALL}})


class NoSuchReminder(DomainError):
    key = "reminders-gone"


class NudgeQuiet(DomainError):
    """Pressed in the quiet hours, which end after the deadline: nothing of it may go any more."""

    key = "reminder-nudge-quiet"


@dataclass(frozen=True)
class Upcoming:
    """One line of /reminders: a reminder that goes within the next 14 days, with its expected recipients."""

    occ: Occurrence
    rule: PlanReminderRule
    offset: str
    send_at: datetime
    audience: str
    expected: int | None  # None: no feature supplies this audience yet
    waiting: str | None  # the feature it waits for ("voting"), "" for none planned
    paused: bool


class ReminderListing(ReminderSummaries):
    def _manager(self) -> None:
        if self.ctx.actor is None or not can(self.ctx.actor, MANAGE):
            raise NotAllowed()

    async def upcoming(self) -> list[Upcoming]:
        """The reminders of the next 14 days, soonest first, with how many would get each now."""
        self._manager()
        now = self.ctx.clock.now()
        rules, paused = await self._rules(), await self._paused()
        out: list[Upcoming] = []
        for occ in await occurrences(self.ctx.session, now, self.ctx.clock.today()):
            stopped = bool(paused.intersection(pause_scopes(occ)))
            for rule in rules.get((occ.period_id, occ.kind), []):
                for offset, at in self.schedule(occ, rule):
                    for name in rule.audience:
                        when = self.summary_time(at) if name == SUMMARY else at
                        if now <= when <= now + HORIZON:
                            out.append(await self._line(occ, rule, offset, when, name, stopped))
        return sorted(out, key=lambda u: (u.send_at, u.occ.kind, u.audience))

    async def _line(
        self, occ: Occurrence, rule: PlanReminderRule, offset: str, at: datetime, name: str, paused: bool
    ) -> Upcoming:
        waiting = waiting_for(occ.kind, name)
        expected: int | None = None
        if waiting is None and name == SUMMARY:
            expected = len({p.person_id for p, _ in await self.heads_of(await self._units_pending(occ))})
        elif waiting is None:
            expected = len(await self.recipients(occ, name) or [])
        return Upcoming(occ, rule, offset, at, name, expected, waiting, paused)

    async def find(
        self, rule_id: int, school_year_id: int, scope: str
    ) -> tuple[Occurrence, PlanReminderRule]:
        """The occurrence and rule a /reminders button names, as they stand now (else NoSuchReminder)."""
        rule = await self.ctx.session.get(PlanReminderRule, rule_id)
        now = self.ctx.clock.now()
        for occ in await occurrences(self.ctx.session, now, self.ctx.clock.today()):
            if rule is not None and occ.kind == rule.deadline and occ.period_id == rule.period_id:
                if occ.school_year_id == school_year_id and occ.scope == scope:
                    return occ, rule
        raise NoSuchReminder()

    async def nudge(self, rule_id: int, school_year_id: int, scope: str) -> tuple[int, int, datetime | None]:
        """The secretary's manual nudge of one rule now: (queued, skipped because reminded today already,
        when it goes if the quiet hours hold it: their end, else None).

        Its own key per person and day; a person the unit head's nudge already reached today is skipped.
        Pressed in the quiet hours, it waits for their end (and is cancelled meanwhile for who acts)."""
        self._manager()
        occ, rule = await self.find(rule_id, school_year_id, scope)
        window = self.quiet.window_of(self.ctx.clock.now())
        later = window[1] if window is not None else None
        if later is not None and later >= occ.deadline:
            raise NudgeQuiet(until=fmt_when(later), deadline=fmt_when(occ.deadline))
        day = self.ctx.clock.today().isoformat()
        people: dict[str, list[int]] = {}  # per audience, each person in the first one only
        seen: set[int] = set()
        for name in duty_first(rule.audience):
            if name != SUMMARY:
                people[name] = [pid for pid in await self.recipients(occ, name) or [] if pid not in seen]
                seen.update(people[name])
        nudged = await self._queued((f"{NUDGE_KEY}:{pid}:{day}" for pid in seen), reached=True)
        skip = {pid for pid in seen if f"{NUDGE_KEY}:{pid}:{day}" in nudged}

        def key(pid: int) -> str:
            return f"rem-nudge:{occ.kind}:{occ.school_year}:{occ.scope}:{pid}:{day}"

        queued = 0
        for name, group in people.items():
            queued += await self._queue(occ, group, key, name, skip=skip, not_before=later)
        if SUMMARY in rule.audience:  # the unit heads: their unit's summary of this deadline, now
            per_unit = {u: [(occ, items)] for u, items in (await self._pending_items(occ)).items()}
            scope = f"{occ.kind}:{occ.school_year}:{occ.scope}"
            key_ = f"rem-nudge-summary:{scope}:{{}}:{day}"
            queued += await self._send_summaries(per_unit, key_, not_before=later)
        Audit(self.ctx).record(
            "reminders.nudged", "plan_reminder_rule", rule.id, after={"scope": occ.scope, "queued": queued}
        )
        return queued, len(skip), later

    async def set_paused(self, scope: str, paused: bool) -> bool:
        """Pause (or resume) the reminders of a round ("r<id>") or school year ("y<id>"); True if changed."""
        self._manager()
        row = await self.ctx.session.scalar(select(ReminderPause).where(ReminderPause.scope == scope))
        if paused == (row is not None):
            return False
        if paused and not await self._scope_exists(scope):  # a forged or stale button
            raise NoSuchReminder()
        if paused:
            self.ctx.session.add(
                ReminderPause(scope=scope, set_by=self.ctx.actor.person_id, set_at=self.ctx.clock.now())
            )  # type: ignore[union-attr]
        else:
            await self.ctx.session.delete(row)
        await self.ctx.session.flush()
        Audit(self.ctx).record(
            "reminders.paused" if paused else "reminders.resumed",
            "reminder_pause",
            None,
            after={"scope": scope},
        )
        return True

    async def _scope_exists(self, scope: str) -> bool:
        """ "y<id>" names a school year, "r<id>" a round, that are in the plan."""
        m = re.fullmatch(r"([yr])(\d{1,18})", scope)
        if m is None:
            return False
        model = PlanSchoolYear if m.group(1) == "y" else PlanRound
        return await self.ctx.session.get(model, int(m.group(2))) is not None

    async def paused_named(self) -> dict[str, PlanSchoolYear | PlanRound]:
        """The paused school years ("y<id>") and rounds ("r<id>") still in the plan, with what names them."""
        out: dict[str, PlanSchoolYear | PlanRound] = {}
        for scope in sorted(await self._paused()):
            m = re.fullmatch(r"([yr])(\d{1,18})", scope)
            if m is not None:
                row = await self.ctx.session.get(
                    PlanSchoolYear if m.group(1) == "y" else PlanRound, int(m.group(2))
                )
                if row is not None:
                    out[scope] = row
        return out

    async def mutes(self) -> list[tuple[str, str]]:
        """Who muted what (the secretary sees it): (full name, kind), by name."""
        self._manager()
        stmt = select(Person.full_name, ReminderMute.kind).join(Person, Person.id == ReminderMute.person_id)
        return [(n, k) for n, k in (await self.ctx.session.execute(stmt.order_by(Person.full_name))).all()]
