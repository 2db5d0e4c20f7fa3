"""Reminders before every deadline, only to those who have not acted: persisted, never lost, never doubled.

- The plan's rules (`plan_reminder_rule`: a deadline kind, offsets, audiences) say when: `deadline - offset`
  (days count calendar days, at REMINDER_DAY_AT), moved out of the quiet hours
  (bot/services/reminder_times.py). Nothing is queued in advance: on every tick the due work asks what is
  due by now, for the deadlines as they stand (bot/services/reminder_deadlines.py), so an extension or a
  moved ceremony is followed, and a reminder whose time passed while the bot was down still goes when it
  comes back, if its deadline has not passed. Of a rule's offsets only the latest one due
  goes: after a week of downtime a person gets one reminder, not three.
- Recipients are chosen when it goes, by the audience's provider (one query each,
  bot/services/reminder_audiences.py).
  Each reminder is one outbox row under the key (kind, school year, round or unit, deadline instant, offset,
  person): a restart, two overlapping runs or two processes on one database never queue it twice. Once a
  rule's offset has gone, a due mark (`due_mark`) says so and later ticks skip it without a query per person.
- Unit heads are not sent a stream of reminders: the rules' `unit_heads` audience puts the deadline in their
  daily summary (REMINDER_SUMMARY_AT), one message per head and day, of what their unit still has pending.
- The secretary can pause a round or a school year (`reminder_pause`); a person can mute the invitations to
  the council's review meeting and to the award ceremony (`reminder_mute`, kinds "review_meeting" and
  "ceremony"), never a reminder of their own missing duty. Their times and places are set in chat
  (bot/services/reminder_events.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.clock import fmt_when
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed
from bot.roles import EVERYONE, HEAD_ROLES, Role, Scope, can, register_rules
from bot.services.audit import Audit
from bot.services.outbox import NOT_SENT, Outbox
from bot.services.reminder_audiences import (
    RECIPIENT_COLUMNS,
    SUMMARY,
    Occurrence,
    Recipient,
    audience,
    items_of,
    people_where,
    provider,
    waiting_for,
)
from bot.services.reminder_deadlines import occurrences
from bot.services.reminder_times import QuietHours, at_local, due_of
from storage.models import OutboxMessage, Person, PersonRole
from storage.models.plan import PlanReminderRule, PlanRound, PlanSchoolYear
from storage.models.reminder import DueMark, ReminderMute, ReminderPause
from storage.repositories.people import role_in_force

KIND = "reminder"  # the outbox rows' kind
SUMMARY_KIND = "reminder-summary"
MUTABLE = ("review_meeting", "ceremony")  # invitations a person may mute (issue 14 adds events, digests)
HORIZON = timedelta(days=14)
PENDING = "pending"  # the audience of those who have not acted; the others are told of the deadline only
NUDGE_KEY = "status-nudge"  # the unit head's nudge of the day (bot/services/status.py)
MANAGE = "reminders_manage"  # /reminders: the list, a manual nudge, pausing
SETTINGS = "reminders_settings"  # /settings: muting the review days
register_rules({MANAGE: {Role.SECRETARY: Scope.ALL}, SETTINGS: EVERYONE})


class ReminderTexts(Protocol):
    """The texts the reminders queue (handlers/render/reminders.py words them)."""

    def personal(
        self, occ: Occurrence, person: Recipient, audience: str
    ) -> tuple[str, dict[str, Any] | None]: ...

    def summary(self, name: str, language: str, lines: list[tuple[Occurrence, dict[str, int]]]) -> str: ...

    def summary_markup(
        self, lines: list[tuple[Occurrence, dict[str, int]]], language: str
    ) -> dict[str, Any] | None: ...


class NoSuchReminder(DomainError):
    key = "reminders-gone"


class NudgeQuiet(DomainError):
    """Pressed in the quiet hours, which end after the deadline: nothing of it may go any more."""

    key = "reminder-nudge-quiet"


@dataclass(frozen=True)
class Due:
    """A rule's offset of one occurrence that is due now."""

    occ: Occurrence
    rule: PlanReminderRule
    offset: str
    send_at: datetime

    @property
    def mark(self) -> str:
        """The due mark's name: this offset of this rule of this occurrence has gone (≤ 64 characters)."""
        raw = f"{self.occ.kind}:{self.occ.school_year}:{self.occ.scope}:{self.rule.key}:{self.offset}"
        return f"rem:{hashlib.sha1(raw.encode()).hexdigest()[:24]}:{int(self.occ.deadline.timestamp())}"


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


def reminder_key(occ: Occurrence, offset: str, person_id: int) -> str:
    """(deadline kind, school year, round or unit, deadline instant, offset, person)."""
    stamp = int(occ.deadline.timestamp())
    return f"rem:{occ.kind}:{occ.school_year}:{occ.scope}:{stamp}:{offset}:{person_id}"


def duty_first(names: Iterable[str]) -> list[str]:
    """A rule's audiences, "pending" first: a person in two of them (a secretary who has not registered)
    is told of the duty, not only of the deadline (one reminder a person, under one key)."""
    return sorted(names, key=lambda name: name != PENDING)


def pause_scopes(occ: Occurrence) -> list[str]:
    scopes = [f"y{occ.school_year_id}"]
    if occ.round_id is not None:
        scopes.append(f"r{occ.round_id}")
    return scopes


class ReminderService:
    def __init__(self, ctx: Ctx, texts: ReminderTexts | None = None) -> None:
        self.ctx = ctx
        self._texts = texts
        self.quiet = QuietHours.parse(ctx.settings.reminder_quiet_hours, ctx.settings.tz)

    @property
    def texts(self) -> ReminderTexts:
        if self._texts is None:
            raise RuntimeError("ReminderService needs its texts to queue reminders")
        return self._texts

    # -- what is due --------------------------------------------------------------------------------------
    async def _rules(self) -> dict[tuple[int, str], list[PlanReminderRule]]:
        rows = (
            await self.ctx.session.scalars(select(PlanReminderRule).order_by(PlanReminderRule.position))
        ).all()
        out: dict[tuple[int, str], list[PlanReminderRule]] = {}
        for rule in rows:
            out.setdefault((rule.period_id, rule.deadline), []).append(rule)
        return out

    async def _paused(self) -> set[str]:
        return set((await self.ctx.session.scalars(select(ReminderPause.scope))).all())

    def schedule(self, occ: Occurrence, rule: PlanReminderRule) -> list[tuple[str, datetime]]:
        """(offset, when it goes) of each offset of `rule`, earliest first; those before the window opens
        are skipped. Each goes at the start of its minute (3h before 23:59:59 is 20:59, listed and sent so,
        never on the 21:00 tick: nothing goes in the quiet hours, a catch-up neither). An offset that the
        quiet hours move to or before an earlier one's time (1h to 20:30 while 3h goes at 20:59) is merged
        into it: one reminder, not two in half an hour, late one first."""
        timed = []
        settings = self.ctx.settings
        for offset in rule.offsets:
            due = due_of(occ.deadline, offset, settings.reminder_day_at, settings.tz)
            if due >= occ.opens_at:
                timed.append((due, offset))
        out: list[tuple[str, datetime]] = []
        for due, offset in sorted(timed):
            at = self.quiet.send_at(due, occ.deadline).replace(second=0, microsecond=0)  # the minute's tick
            if not out or at > out[-1][1]:
                out.append((offset, at))
        return out

    async def due(self, now: datetime) -> list[Due]:
        """What goes now: per occurrence and rule, the latest offset whose time has come and not yet gone."""
        quiet = self.quiet.quiet(now)
        rules, paused = await self._rules(), await self._paused()
        found: list[Due] = []
        for occ in await occurrences(self.ctx.session, now, self.ctx.clock.today()):
            if paused.intersection(pause_scopes(occ)):
                continue
            for rule in rules.get((occ.period_id, occ.kind), []):
                ready = [(at, off) for off, at in self.schedule(occ, rule) if at <= now and not quiet]
                if ready:
                    at, offset = max(ready)
                    found.append(Due(occ, rule, offset, at))
        if not found:
            return []
        marks = {d.mark for d in found}
        done = set(
            (await self.ctx.session.scalars(select(DueMark.name).where(DueMark.name.in_(marks)))).all()
        )
        return [d for d in found if d.mark not in done]

    async def cancel_stale(self, now: datetime) -> int:
        """Cancel the reminders queued but not sent (a 429 held them) that would now be wrong: their deadline
        moved or passed, their unit got its own, or the person has acted (or muted it) since. None goes out
        naming a stale date or a duty already done. A held row whose person is still to be told, but whose
        text changed (her language, her name, the meeting's place; a secretary who has registered since is
        told of the deadline only), is reworded, not cancelled: it still goes, once. Returns how many were
        cancelled."""
        current = {
            (o.kind, o.school_year, o.scope): o
            for o in await occurrences(self.ctx.session, now, self.ctx.clock.today())
        }
        stmt = (
            select(OutboxMessage.idempotency_key, OutboxMessage.person_id, Person.unit_id, OutboxMessage.text)
            .outerjoin(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == KIND, OutboxMessage.status.in_(NOT_SENT))
        )
        stale: list[str] = []
        waiting: dict[tuple[str, str, str], list[tuple[str, int | None, str]]] = {}
        for key, person_id, unit_id, text in (await self.ctx.session.execute(stmt)).all():
            parts = (key or "").split(":")
            if parts[0] == "rem" and len(parts) == 7:
                stamp: str | None = parts[4]
            elif parts[0] == "rem-nudge" and len(parts) == 6:  # the secretary's nudge: no instant in its key
                stamp = None
            else:
                continue
            occ = current.get((parts[1], parts[2], parts[3]))
            if (
                occ is None
                or unit_id in occ.other_units
                or stamp not in (None, str(int(occ.deadline.timestamp())))
            ):
                stale.append(key)  # passed, their unit now has its own, or moved
            else:
                waiting.setdefault((occ.kind, occ.school_year, occ.scope), []).append((key, person_id, text))
        rules = await self._rules() if waiting else {}
        for scope, items in waiting.items():  # one query per audience of each occurrence that has some
            occ = current[scope]
            still: dict[int, list[tuple[Recipient, str]]] = {}  # each person's audience of each rule, now
            for rule in rules.get((occ.period_id, occ.kind), []):
                seen: set[int] = set()
                for name in duty_first(rule.audience):  # as `send` and `nudge` pick it: the first one
                    people = None if name == SUMMARY else await self.recipients(occ, name)
                    for p in people or []:
                        if p.person_id not in seen:
                            seen.add(p.person_id)
                            still.setdefault(p.person_id, []).append((p, name))
            for key, person_id, text in items:
                now_as = still.get(person_id or 0)
                if not now_as:
                    stale.append(key)  # no longer theirs
                elif self._texts is not None and all(
                    self.texts.personal(occ, p, a)[0] != text for p, a in now_as
                ):
                    await self._reword(key, *self.texts.personal(occ, *now_as[0]))
        outbox = Outbox(self.ctx)
        return sum([await outbox.cancel(key=key) for key in stale])

    async def _reword(self, key: str, text: str, markup: dict[str, Any] | None) -> None:
        """A held reminder whose text changed (her language, her name, the meeting's place, the duty done
        but the deadline still hers to know) goes once, with what she would be told now. Only a row still
        waiting is reworded: one the sender has claimed is on its way with the text it had."""
        await self.ctx.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == key, OutboxMessage.status == "pending")
            .values(text=text, reply_markup=markup)
            .execution_options(synchronize_session="fetch")
        )

    # -- sending ------------------------------------------------------------------------------------------
    async def recipients(self, occ: Occurrence, name: str) -> list[Recipient] | None:
        """Who `name` is for this occurrence now (one query); None when no feature supplies it yet."""
        fn = provider(occ.kind, name)
        if fn is None:
            return None
        people = await fn(self.ctx.session, occ)
        if occ.kind in MUTABLE and people:
            muted = set(
                (
                    await self.ctx.session.scalars(
                        select(ReminderMute.person_id).where(ReminderMute.kind == occ.kind)
                    )
                ).all()
            )
            people = [p for p in people if p.person_id not in muted]
        return people

    async def send(self, due: Due) -> int:
        """Queue the reminders of one due offset (each once) and mark it gone; how many were queued now."""
        queued = 0
        for name in duty_first(due.rule.audience):
            if name == SUMMARY:
                continue
            people = await self.recipients(due.occ, name)
            queued += await self._queue(
                due.occ, people or [], lambda p: reminder_key(due.occ, due.offset, p), name
            )
        await self._mark(due.mark)
        return queued

    async def _queue(
        self,
        occ: Occurrence,
        people: list[Recipient],
        key: Any,
        audience: str,
        skip: Iterable[int] = (),
        not_before: datetime | None = None,
    ) -> int:
        keys = {p.person_id: key(p.person_id) for p in people if p.person_id not in set(skip)}
        done = await self._queued(keys.values())
        outbox, queued = Outbox(self.ctx), 0
        for person in people:
            k = keys.get(person.person_id)
            if k is None or k in done:
                continue
            text, markup = self.texts.personal(occ, person, audience)
            await outbox.enqueue_once(
                k,
                person.telegram_id,
                text,
                kind=KIND,
                person_id=person.person_id,
                reply_markup=markup,
                not_before=not_before,
                expires_at=occ.deadline,  # retried through an outage until the deadline (the outbox's)
                quiet_ok=True,  # its time is already out of the quiet hours (reminder_times)
            )
            queued += 1
        return queued

    async def _queued(self, keys: Iterable[str], reached: bool = False) -> set[str]:
        """Which of `keys` are in the outbox; with `reached`, only those sent or still going (not failed)."""
        wanted = list(keys)
        if not wanted:
            return set()
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            stmt = select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.in_(wanted[i : i + 500])
            )
            if reached:
                stmt = stmt.where(OutboxMessage.status.in_(("sent", *NOT_SENT)))
            found.update(k for k in (await self.ctx.session.scalars(stmt)).all() if k)
        return found

    async def _mark(self, name: str) -> None:
        """Mark `name` gone; another process marking it at the same moment is no error."""
        insert = (sqlite if self.ctx.settings.is_sqlite else postgresql).insert(DueMark)
        stmt = insert.values(name=name, at=self.ctx.clock.now())
        await self.ctx.session.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))

    # -- the unit heads' daily summary --------------------------------------------------------------------
    async def mentioned(self, now: datetime) -> list[Occurrence]:
        """The deadlines in today's summary: a unit_heads rule's first offset has come, or comes today (one
        summary a day: "3h" before 23:59:59 is that day's, or it would never be told), not the deadline."""
        rules, paused = await self._rules(), await self._paused()
        today, tz = self.ctx.clock.today(), self.ctx.settings.tz
        out = []
        for occ in await occurrences(self.ctx.session, now, today):
            if paused.intersection(pause_scopes(occ)) or occ.opens_at > now:
                continue
            for rule in rules.get((occ.period_id, occ.kind), []):
                times = [at for _, at in self.schedule(occ, rule)]
                if SUMMARY in rule.audience and any(at.astimezone(tz).date() <= today for at in times):
                    out.append(occ)
                    break
        return out

    async def summaries(self, now: datetime) -> int:
        """At REMINDER_SUMMARY_AT (or later that day, after downtime): a summary per head with work to do."""
        today = self.ctx.clock.today()
        if now < at_local(today, self.ctx.settings.reminder_summary_at, self.ctx.settings.tz):
            return 0
        if self.quiet.quiet(now):
            return 0
        per_unit: dict[int, list[tuple[Occurrence, dict[str, int]]]] = {}
        for occ in await self.mentioned(now):
            for unit_id, items in (await self._pending_items(occ)).items():
                per_unit.setdefault(unit_id, []).append((occ, items))
        if not per_unit:
            return 0
        return await self._send_summaries(per_unit, f"rem-summary:{{}}:{today.isoformat()}")

    async def _pending_items(self, occ: Occurrence) -> dict[int, dict[str, int]]:
        """Per unit with something pending for `occ`: {item: count} (one query per feature's items)."""
        merged: dict[int, dict[str, int]] = {}
        for fn in items_of(occ.kind):
            for unit_id, items in (await fn(self.ctx.session, occ)).items():
                merged.setdefault(unit_id, {}).update(items)
        return {u: items for u, items in merged.items() if any(items.values())}

    async def heads_of(self, units: Iterable[int]) -> list[tuple[Recipient, int]]:
        """The linked, reachable heads (acting deputies too) of `units` today, with the unit (one query)."""
        stmt = (
            select(*RECIPIENT_COLUMNS, PersonRole.unit_id)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(
                PersonRole.role.in_([r.value for r in HEAD_ROLES]),
                PersonRole.unit_id.in_(sorted(units)),
                role_in_force(self.ctx.clock.today()),
                Person.active.is_(True),
                Person.telegram_id.is_not(None),
                Person.unreachable.is_(False),
            )
            .order_by(Person.id, PersonRole.unit_id)
        )
        return [
            (Recipient(*cols), unit_id) for *cols, unit_id in (await self.ctx.session.execute(stmt)).all()
        ]

    async def _send_summaries(
        self,
        per_unit: dict[int, list[tuple[Occurrence, dict[str, int]]]],
        key: str,
        not_before: datetime | None = None,
    ) -> int:
        """A summary per head of `per_unit`, each once under `key` ("...{}...": the person's id)."""
        heads: dict[int, tuple[Recipient, list[tuple[Occurrence, dict[str, int]]]]] = {}
        for person, unit_id in await self.heads_of(per_unit):
            heads.setdefault(person.person_id, (person, []))[1].extend(per_unit[unit_id])
        keys = {pid: key.format(pid) for pid in heads}
        done = await self._queued(keys.values())
        outbox, queued = Outbox(self.ctx), 0
        for pid, (person, lines) in heads.items():
            if keys[pid] in done:
                continue
            text = self.texts.summary(person.full_name, person.language, lines)
            markup = self.texts.summary_markup(lines, person.language)
            await outbox.enqueue_once(
                keys[pid],
                person.telegram_id,
                text,
                kind=SUMMARY_KIND,
                person_id=pid,
                reply_markup=markup,
                not_before=not_before,
                quiet_ok=True,  # its time is already out of the quiet hours
            )
            queued += 1
        return queued

    # -- the secretary: /reminders ------------------------------------------------------------------------
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

    def summary_time(self, at: datetime) -> datetime:
        """When the unit heads' summary of the day of `at` goes (REMINDER_SUMMARY_AT, or the quiet hours'
        end): what /reminders shows for them, not the rule's own time."""
        tz = self.ctx.settings.tz
        when = at_local(at.astimezone(tz).date(), self.ctx.settings.reminder_summary_at, tz)
        window = self.quiet.window_of(when)
        return window[1] if window is not None else when

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

    async def _units_pending(self, occ: Occurrence) -> set[int]:
        return set(await self._pending_items(occ))

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
        people: dict[str, list[Recipient]] = {}  # per audience, each person in the first one only
        seen: set[int] = set()
        for name in duty_first(rule.audience):
            if name != SUMMARY:
                people[name] = [p for p in await self.recipients(occ, name) or [] if p.person_id not in seen]
                seen.update(p.person_id for p in people[name])
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

    # -- a person: muting in /settings --------------------------------------------------------------------
    async def my_mutes(self) -> set[str]:
        actor = self._me()
        stmt = select(ReminderMute.kind).where(ReminderMute.person_id == actor)
        return set((await self.ctx.session.scalars(stmt)).all())

    async def set_mute(self, kind: str, muted: bool) -> bool:
        """Mute or unmute an announcement-type reminder (again: no change); True when now muted. Duties
        cannot be muted."""
        person_id = self._me()
        if kind not in MUTABLE:
            raise NotAllowed()
        where = (ReminderMute.person_id == person_id, ReminderMute.kind == kind)
        row = await self.ctx.session.scalar(select(ReminderMute).where(*where))
        if muted == (row is not None):
            return muted  # already so (a double tap, an old message's button): nothing to change or audit
        if muted:
            self.ctx.session.add(ReminderMute(person_id=person_id, kind=kind, set_at=self.ctx.clock.now()))
        else:
            await self.ctx.session.delete(row)
        await self.ctx.session.flush()
        action = "reminders.muted" if muted else "reminders.unmuted"
        Audit(self.ctx).record(action, "person", person_id, after={"kind": kind})
        return muted

    def _me(self) -> int:
        if self.ctx.actor is None:
            raise NotAllowed()
        return self.ctx.actor.person_id


# -- the audiences every deadline can use (owned here) ----------------------------------------------------
def _with_role(role: Role, occ: Occurrence) -> Any:
    today = occ.today
    assert today is not None
    return (
        select(PersonRole.id)
        .where(PersonRole.person_id == Person.id, PersonRole.role == role.value, role_in_force(today))
        .exists()
    )


def _role_audience(role: Role, deadlines: Iterable[str], name: str) -> None:
    async def fn(session: Any, occ: Occurrence) -> list[Recipient]:
        return await people_where(session, _with_role(role, occ))

    for deadline in deadlines:
        audience(deadline, name)(fn)


ALL_KINDS = (
    "registration_close",
    "acknowledgement",
    "nominations_close",
    "voting_open",
    "voting_close",
    "review_meeting",
    "ceremony",
    "province_report",
)
for _role, _name in ((Role.SECRETARY, "secretary"), (Role.PRINCIPAL, "principal"), (Role.UNION, "union")):
    _role_audience(_role, ALL_KINDS, _name)


@audience("ceremony", "all_staff")
async def everyone(session: Any, occ: Occurrence) -> list[Recipient]:
    """Every linked member: the award ceremony is announced to all."""
    return await people_where(session)


_role_audience(Role.COUNCIL, ("review_meeting",), "council_members")  # the council's review meeting
