"""The unit heads' daily summary (REMINDER_SUMMARY_AT): one message per head and day of what their units
still have pending, instead of a stream of reminders (bot/services/reminders.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from bot.roles import HEAD_ROLES
from bot.services.outbox import Outbox
from bot.services.reminder_audiences import RECIPIENT_COLUMNS, SUMMARY, Occurrence, Recipient, items_of
from bot.services.reminder_deadlines import occurrences
from bot.services.reminder_due import ReminderCore, pause_scopes
from bot.services.reminder_times import at_local
from storage.models import Person, PersonRole
from storage.repositories.people import role_in_force

SUMMARY_KIND = "reminder-summary"


class ReminderSummaries(ReminderCore):
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

    def summary_time(self, at: datetime) -> datetime:
        """When the unit heads' summary of the day of `at` goes (REMINDER_SUMMARY_AT, or the quiet hours'
        end): what /reminders shows for them, not the rule's own time."""
        tz = self.ctx.settings.tz
        when = at_local(at.astimezone(tz).date(), self.ctx.settings.reminder_summary_at, tz)
        window = self.quiet.window_of(when)
        return window[1] if window is not None else when

    async def _units_pending(self, occ: Occurrence) -> set[int]:
        return set(await self._pending_items(occ))
