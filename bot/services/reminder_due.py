"""What is due now, and queuing it: the reminders to people who have not acted (bot/services/reminders.py).

`ReminderCore` reads the plan's rules and pauses, says when each offset of a rule goes (`schedule`), what is
due by now (`due`), queues one due offset (`send`) under its key, and cancels or rewords held rows whose
deadline or text changed (`cancel_stale`). The unit heads' summary (reminder_summary.py) and the secretary's
/reminders (reminder_listing.py) build on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.context import Ctx
from bot.services.outbox import NOT_SENT, Outbox
from bot.services.reminder_audiences import SUMMARY, Occurrence, Recipient, pages, provider, recipients
from bot.services.reminder_deadlines import occurrences
from bot.services.reminder_times import QuietHours, due_of
from storage.models import OutboxMessage, Person
from storage.models.plan import PlanReminderRule
from storage.models.reminder import DueMark, ReminderMute, ReminderPause

KIND = "reminder"  # the outbox rows' kind
MUTABLE = ("review_meeting", "ceremony")  # invitations a person may mute (issue 14 adds events, digests)
PENDING = "pending"  # the audience of those who have not acted; the others are told of the deadline only


class ReminderTexts(Protocol):
    """The texts the reminders queue (handlers/render/reminders.py words them)."""

    def personal(
        self, occ: Occurrence, person: Recipient, audience: str
    ) -> tuple[str, dict[str, Any] | None]: ...

    def summary(self, name: str, language: str, blocks: list[tuple[str | None, Any]]) -> str: ...

    def summary_markup(
        self, blocks: list[tuple[str | None, Any]], language: str
    ) -> dict[str, Any] | None: ...


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


class ReminderCore:
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

    async def occurrences(self, now: datetime) -> list[Occurrence]:
        """The deadlines still ahead of `now`: the due work reads them once a tick and hands them to `due`,
        `cancel_stale` and `summaries` (they are plain values, valid across its units of work)."""
        return await occurrences(self.ctx.session, now, self.ctx.clock.today())

    async def due(self, now: datetime, current: list[Occurrence] | None = None) -> list[Due]:
        """What goes now: per occurrence and rule, the latest offset whose time has come and not yet gone
        (of `current`, the occurrences read this tick, or read now)."""
        quiet = self.quiet.quiet(now)
        rules, paused = await self._rules(), await self._paused()
        found: list[Due] = []
        for occ in current if current is not None else await self.occurrences(now):
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

    async def cancel_stale(self, now: datetime, current: list[Occurrence] | None = None) -> int:
        """Cancel the reminders queued but not sent (a 429 held them) that would now be wrong: their deadline
        moved or passed, their unit got its own, or the person has acted (or muted it) since. None goes out
        naming a stale date or a duty already done. A held row whose person is still to be told, but whose
        text changed (her language, her name, the meeting's place; a secretary who has registered since is
        told of the deadline only), is reworded, not cancelled: it still goes, once. Returns how many were
        cancelled. Nothing held (most ticks): one query, no deadlines nor audiences read."""
        stmt = (
            select(OutboxMessage.idempotency_key, OutboxMessage.person_id, Person.unit_id, OutboxMessage.text)
            .outerjoin(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == KIND, OutboxMessage.status.in_(NOT_SENT))
        )
        held = (await self.ctx.session.execute(stmt)).all()
        if not held:
            return 0
        by_scope = {
            (o.kind, o.school_year, o.scope): o
            for o in (current if current is not None else await self.occurrences(now))
        }
        stale: list[str] = []
        waiting: dict[tuple[str, str, str], list[tuple[str, int | None, str]]] = {}
        for key, person_id, unit_id, text in held:
            parts = (key or "").split(":")
            if parts[0] == "rem" and len(parts) == 7:
                stamp: str | None = parts[4]
            elif parts[0] == "rem-nudge" and len(parts) == 6:  # the secretary's nudge: no instant in its key
                stamp = None
            else:
                continue
            occ = by_scope.get((parts[1], parts[2], parts[3]))
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
            occ = by_scope[scope]
            held_for = {person_id for _, person_id, _ in items if person_id is not None}
            still = await self._still_theirs(occ, rules.get((occ.period_id, occ.kind), []), held_for)
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

    async def _still_theirs(
        self, occ: Occurrence, rules: list[PlanReminderRule], held_for: set[int]
    ) -> dict[int, list[tuple[Recipient, str]]]:
        """Of the people `held_for`, each one still in an audience of `rules` now, as that audience tells
        them (the first of a rule's audiences, as `send` and `nudge` pick it)."""
        still: dict[int, list[str]] = {}
        for rule in rules:
            seen: set[int] = set()
            for name in duty_first(rule.audience):
                ids = None if name == SUMMARY else await self.recipients(occ, name)
                for pid in sorted(held_for.intersection(ids or ()) - seen):
                    seen.add(pid)
                    still.setdefault(pid, []).append(name)
        people = {p.person_id: p for p in await self.people(still)}
        return {pid: [(people[pid], name) for name in names] for pid, names in still.items() if pid in people}

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
    async def recipients(self, occ: Occurrence, name: str) -> list[int] | None:
        """Who `name` is for this occurrence now: their ids, ascending (one query, and one for the mutes of
        an invitation); None when no feature supplies it yet. `people` reads them, a page at a time."""
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
            people = [p for p in people if p not in muted]
        return people

    async def people(self, ids: Iterable[int]) -> list[Recipient]:
        """The people of `ids` to word a reminder to (name, chat, language, the principal marked), by id."""
        return await recipients(self.ctx.session, sorted(ids), self.ctx.clock.today())

    async def send(self, due: Due) -> int:
        """Queue the reminders of one due offset (each once) and mark it gone; how many were queued now."""
        queued = 0
        for name in duty_first(due.rule.audience):
            if name == SUMMARY:
                continue
            people = await self.recipients(due.occ, name)
            queued += await self._queue(
                due.occ, people or [], lambda pid: reminder_key(due.occ, due.offset, pid), name
            )
        await self._mark(due.mark)
        return queued

    async def _queue(
        self,
        occ: Occurrence,
        people: list[int],
        key: Any,
        audience: str,
        skip: Iterable[int] = (),
        not_before: datetime | None = None,
    ) -> int:
        """Queue `audience`'s reminder to each of `people` (ids) not in `skip` nor queued already under
        `key(id)`, a page at a time: a page's keys checked, its people read, their rows added."""
        skipped = set(skip)
        outbox, queued = Outbox(self.ctx), 0
        for page in pages([pid for pid in people if pid not in skipped]):
            keys = {pid: key(pid) for pid in page}
            done = await self._queued(keys.values())
            for person in await self.people(pid for pid in page if keys[pid] not in done):
                await self._enqueue(outbox, occ, person, audience, keys[person.person_id], not_before)
                queued += 1
        return queued

    async def _enqueue(
        self, outbox: Outbox, occ: Occurrence, person: Recipient, audience: str, k: str, not_before: Any
    ) -> None:
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
