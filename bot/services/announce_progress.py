"""A broadcast under way: its rows queued, counted per recipient, the live progress message, the report.

- `Tracker.queue(b, rows)`: the progress message to the sender and every part for every recipient in one
  unit of work, batch `bc:<id>:<round>`; someone known to have blocked the bot gets a row marked blocked
  at once (counted, never sent).
- The sender tells `Tracker.tick` after each round (bot/services/delivery.py): the progress message is
  edited at most every 3 s, through the outbox (so the edits count against the same limits); when nothing
  is left the broadcast is done, once (a conditional UPDATE), and the message becomes the report.
Due work "broadcasts-running" follows the running ones, so that a post whose last round was delivered just
before a kill -9 still ends with its report. No aiogram here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.context import Ctx
from bot.due import DueContext, due_work
from bot.i18n import grouped, t
from bot.services.announce_draft import KIND, PROGRESS_KIND, Part, bc_data
from bot.services.audit import Audit
from bot.services.delivery import Delivered, after_delivery, unit_of_work
from bot.services.outbox import Outbox
from storage.models import OutboxMessage, Person
from storage.models.channels import Broadcast, ChatBinding
from storage.repositories.channels import BroadcastRepo

PROGRESS_EVERY = timedelta(seconds=3)


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    person: Person | None = None
    binding: ChatBinding | None = None


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    blocked: int
    cancelled: int
    pending: int

    @property
    def done(self) -> bool:
        return self.pending == 0


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


class Tracker:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = BroadcastRepo(ctx.session)

    async def queue(self, b: Broadcast, rows: list[tuple[Recipient, Part]]) -> None:
        outbox = Outbox(self.ctx)
        locale = await self.sender_locale(b)
        progress = outbox.enqueue(
            b.sender_chat_id,
            self._progress_text(Progress(len({r.chat_id for r, _ in rows}), 0, 0, 0, 0, 1), locale),
            person_id=b.created_by,
            kind=PROGRESS_KIND,
            reply_markup=self.markup(b, locale, running=True),
            quiet_ok=True,  # the sender chose when it goes (confirmed if in the quiet hours)
        )
        for r, p in rows:
            row = outbox.enqueue(
                r.chat_id,
                p.text,
                person_id=r.person.id if r.person else None,
                kind=KIND,
                method=p.method,
                file_id=p.file_id,
                batch=b.batch,
                quiet_ok=True,
            )
            if r.person is not None and not Outbox.reachable(r.person):
                row.status, row.error = "blocked", "forbidden"  # known to have blocked the bot: not sent
        await self.ctx.session.flush()
        b.progress_row_id, b.progress_at = progress.id, self.ctx.clock.now()

    async def after_start(self, b: Broadcast) -> Progress:
        report = await self.progress_of(b)
        if report.done:  # nobody to send to (or only people who blocked the bot)
            await self.finish(b, report, "done")
        return report

    async def progress_of(self, b: Broadcast) -> Progress:
        """Counted per recipient: sent when every part is, blocked or failed when one part is."""
        per_chat: dict[int, set[str]] = {}
        for chat, status in await self.repo.statuses(b.batch or ""):
            per_chat.setdefault(chat, set()).add(status)
        counts = {"sent": 0, "failed": 0, "blocked": 0, "cancelled": 0, "pending": 0}
        for statuses in per_chat.values():
            if statuses & {"pending", "sending"}:
                counts["pending"] += 1
            elif "blocked" in statuses:
                counts["blocked"] += 1
            elif "failed" in statuses:
                counts["failed"] += 1
            elif "cancelled" in statuses:
                counts["cancelled"] += 1
            else:
                counts["sent"] += 1
        return Progress(total=len(per_chat), **counts)

    async def tick(self, b: Broadcast) -> None:
        """After a round of the sender: the report when nothing is left, else a progress edit (every 3 s)."""
        report = await self.progress_of(b)
        if report.done:
            await self.finish(b, report, "done")
            return
        if not await self.repo.take_progress_turn(b.id, self.ctx.clock.now(), PROGRESS_EVERY):
            return  # edited less than 3 s ago, or another check (another process) took this turn
        locale = await self.sender_locale(b)
        await self._edit_progress(
            b, self._progress_text(report, locale), self.markup(b, locale, running=True)
        )

    async def finish(self, b: Broadcast, report: Progress, state: str) -> bool:
        if not await self.repo.move_state(b.id, ("running",), state, finished_at=self.ctx.clock.now()):
            return False  # someone else finished it (the same round twice, a cancel meanwhile)
        locale = await self.sender_locale(b)
        key = "announce-report-cancelled" if state == "cancelled" else "announce-report"
        text = t(key, locale=locale, **self._counts(report, locale))
        await self._edit_progress(b, text, self.markup(b, locale, running=False, report=report))
        Audit(self.ctx).record(f"broadcast.{state}", "broadcast", b.id, after=report.__dict__)
        return True

    async def _edit_progress(self, b: Broadcast, text: str, markup: dict[str, Any] | None) -> None:
        """Edit the progress message through the outbox; an edit not yet out takes the newer text."""
        if b.progress_row_id is None:
            return
        waiting = await self.repo.pending_edit(b.progress_row_id)
        if waiting is not None:
            waiting.text, waiting.reply_markup = text, markup
            return
        target = await self.ctx.session.get(OutboxMessage, b.progress_row_id)
        if target is None:
            return
        Outbox(self.ctx).enqueue(
            b.sender_chat_id, text, method="edit", edit_of=target, kind=PROGRESS_KIND, reply_markup=markup
        )

    def _counts(self, p: Progress, locale: str | None) -> dict[str, str]:
        return {
            "sent": grouped(p.sent, locale),
            "total": grouped(p.total, locale),
            "failed": grouped(p.failed, locale),
            "blocked": grouped(p.blocked, locale),
            "cancelled": grouped(p.cancelled, locale),
        }

    def _progress_text(self, p: Progress, locale: str | None) -> str:
        return t("announce-progress", locale=locale, **self._counts(p, locale))

    def markup(
        self, b: Broadcast, locale: str | None, *, running: bool, report: Progress | None = None
    ) -> dict[str, Any] | None:
        if running:
            rows = [[_button(t("announce-btn-stop", locale=locale), bc_data("x", b.id))]]
        else:
            rows = []
            if report is not None and (report.failed or report.blocked):
                rows.append([_button(t("announce-btn-failures", locale=locale), bc_data("f", b.id))])
                rows.append([_button(t("announce-btn-resend", locale=locale), bc_data("r", b.id))])
        return {"inline_keyboard": rows} if rows else None

    async def sender_locale(self, b: Broadcast) -> str:
        person = await self.ctx.session.get(Person, b.created_by)
        return person.language if person is not None else "vi"


@due_work("broadcasts-running")
async def follow_running_broadcasts(due: DueContext, now: datetime) -> int:
    """The running posts, as after a round: one whose last round was delivered but never followed (the
    process died in between, a watcher failed) gets its report now, at start-up or within a minute."""
    async with unit_of_work(due) as ctx:
        tracker = Tracker(ctx)
        running = await tracker.repo.running()
        for b in running:
            await tracker.tick(b)
    return len(running)


@after_delivery("broadcasts")
async def follow_progress(due: DueContext, rows: list[Delivered]) -> None:
    batches = {r.batch for r in rows if r.batch and r.batch.startswith("bc:")}
    if not batches:
        return
    async with unit_of_work(due) as ctx:
        tracker = Tracker(ctx)
        for b in await tracker.repo.by_batches(batches):
            await tracker.tick(b)
