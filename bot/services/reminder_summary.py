"""The unit heads' daily summary (REMINDER_SUMMARY_AT): one message per head and day of what their units
still have pending, instead of a stream of reminders (bot/services/reminders.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.roles import HEAD_ROLES
from bot.services.outbox import Outbox
from bot.services.reminder_audiences import (
    RECIPIENT_COLUMNS,
    SUMMARY,
    Items,
    Occurrence,
    Recipient,
    item_count,
    items_of,
)
from bot.services.reminder_deadlines import occurrences
from bot.services.reminder_due import ReminderCore, pause_scopes
from bot.services.reminder_times import at_local
from storage.models import Person, PersonRole, Unit
from storage.models.reminder import DueMark
from storage.repositories.people import role_in_force

SUMMARY_KIND = "reminder-summary"
# Requests waiting for the head's word: in every morning's summary from the day they arrive while their
# deadline's window is open, not only from the rule's first offset (issue 18, item 30).
EARLY = ("deeds_to_verify", "reports_to_review")
Lines = list[tuple[Occurrence, Items]]  # per deadline, what a unit still has pending
Block = tuple[str | None, Lines]  # a unit's part of a head's summary: its name when the head heads two


class ReminderSummaries(ReminderCore):
    async def mentioned(
        self, now: datetime, early: bool = False, current: list[Occurrence] | None = None
    ) -> list[Occurrence]:
        """The deadlines in today's summary: a unit_heads rule's first offset has come, or comes today (one
        summary a day: "3h" before 23:59:59 is that day's, or it would never be told), not the deadline.
        With `early`, the other open ones too (those whose EARLY items are told from the first day). Of
        `current`, the occurrences read this tick, or read now."""
        rules, paused = await self._rules(), await self._paused()
        today, tz = self.ctx.clock.today(), self.ctx.settings.tz
        out = []
        for occ in current if current is not None else await occurrences(self.ctx.session, now, today):
            if paused.intersection(pause_scopes(occ)) or occ.opens_at > now:
                continue
            for rule in rules.get((occ.period_id, occ.kind), []):
                times = [at for _, at in self.schedule(occ, rule)]
                come = any(at.astimezone(tz).date() <= today for at in times)
                if SUMMARY in rule.audience and (early or come):
                    out.append(occ)
                    break
        return out

    async def summaries(self, now: datetime, current: list[Occurrence] | None = None) -> int:
        """At REMINDER_SUMMARY_AT (or later that day, after downtime, never in the quiet hours): a summary
        per head with work to do, once a day: what arrives after that day's run waits for the next
        morning (the day's due mark)."""
        today = self.ctx.clock.today()
        if now < at_local(today, self.ctx.settings.reminder_summary_at, self.ctx.settings.tz):
            return 0
        if self.quiet.quiet(now):
            return 0
        mark = f"rem-summary-day:{today.isoformat()}"
        if await self.ctx.session.scalar(select(DueMark.name).where(DueMark.name == mark)):
            return 0
        if current is None:
            current = await self.occurrences(now)
        due = set(await self.mentioned(now, current=current))
        per_unit: dict[int, Lines] = {}
        for occ in await self.mentioned(now, early=True, current=current):
            for unit_id, items in (await self._pending_items(occ)).items():
                if occ not in due:  # not yet the rule's time: only the requests waiting for the head
                    items = {k: v for k, v in items.items() if k in EARLY}
                if items:
                    per_unit.setdefault(unit_id, []).append((occ, items))
        await self._mark(mark)
        if not per_unit:
            return 0
        return await self._send_summaries(per_unit, f"rem-summary:{{}}:{today.isoformat()}")

    async def _pending_items(self, occ: Occurrence) -> dict[int, Items]:
        """Per unit with something pending for `occ`: {item: a count or the people it names} (one query per
        feature's items)."""
        merged: dict[int, Items] = {}
        for fn in items_of(occ.kind):
            for unit_id, items in (await fn(self.ctx.session, occ)).items():
                merged.setdefault(unit_id, {}).update(items)
        out: dict[int, Items] = {}
        for unit_id, items in merged.items():
            kept = {k: v for k, v in items.items() if item_count(v)}
            if kept:
                out[unit_id] = kept
        return out

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
        self, per_unit: dict[int, Lines], key: str, not_before: datetime | None = None
    ) -> int:
        """A summary per head of `per_unit`, each once under `key` ("...{}...": the person's id); a head of
        two units has each unit's part under its name."""
        heads: dict[int, tuple[Recipient, list[int]]] = {}
        for person, unit_id in await self.heads_of(per_unit):
            heads.setdefault(person.person_id, (person, []))[1].append(unit_id)
        keys = {pid: key.format(pid) for pid in heads}
        done = await self._queued(keys.values())
        names = await self._unit_names({u for _, units in heads.values() if len(units) > 1 for u in units})
        outbox, queued = Outbox(self.ctx), 0
        for pid, (person, units) in heads.items():
            if keys[pid] in done:
                continue
            blocks: list[Block] = [
                (names.get(u) if len(units) > 1 else None, _once(per_unit[u])) for u in units
            ]
            text = self.texts.summary(person.full_name, person.language, blocks)
            markup = self.texts.summary_markup(blocks, person.language)
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

    async def _unit_names(self, units: set[int]) -> dict[int, str]:
        if not units:
            return {}
        stmt = select(Unit.id, Unit.name).where(Unit.id.in_(sorted(units)))
        return {u: n for u, n in (await self.ctx.session.execute(stmt)).all()}

    def summary_time(self, at: datetime) -> datetime:
        """When the unit heads' summary of the day of `at` goes (REMINDER_SUMMARY_AT, or the quiet hours'
        end): what /reminders shows for them, not the rule's own time."""
        tz = self.ctx.settings.tz
        when = at_local(at.astimezone(tz).date(), self.ctx.settings.reminder_summary_at, tz)
        window = self.quiet.window_of(when)
        return window[1] if window is not None else when

    async def _units_pending(self, occ: Occurrence) -> set[int]:
        return set(await self._pending_items(occ))


def _once(lines: Lines) -> Lines:
    """A unit's lines without an item told already under an earlier deadline (the period's good deeds under
    each round's, registrations to endorse under registration's and nominations')."""
    seen: list[tuple[str, Any]] = []
    out: Lines = []
    for occ, items in lines:
        kept = {k: v for k, v in items.items() if (k, v) not in seen}
        seen += list(kept.items())
        if kept:
            out.append((occ, kept))
    return out
