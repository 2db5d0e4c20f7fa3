"""The outbox sender: drains the outbox at Telegram's pace.

~30 messages/s overall, 1/s per private chat, 20/min per group, over sliding windows on the sender's clock
(bot.ratelimit.Pace: a FakeClock moves over the waits, and no window is ever overrun). A 429 pauses only that
chat for `retry_after`; 5xx and network errors are retried with backoff; a 403 marks the person
unreachable and is not retried. Edits are claimed before other rows (a live progress message goes
on while its broadcast is sent), the rest in order. Rows are claimed atomically (FOR UPDATE SKIP
LOCKED on PostgreSQL; one claimer per process on SQLite) and a claim that is never finished (a
crash) is taken again after a lease, so a message is lost never, and sent twice only if it was in
flight at the crash. A row still waiting for its turn when half its lease has passed is handed back
rather than sent, so that no other sender can have taken it again meanwhile.

Just before sending, the row is read again: a row cancelled while claimed is not sent. Uploads
(`outbox_file`) go up once per content and bot; later rows reuse the `file_id`. Edits wait for the row
they edit to be sent; "message is not modified" counts as done. A group upgraded to a supergroup moves
its queued rows to the new chat id. A 403 or "chat not found" from a group or channel fails the chat's
queued rows with a machine-readable `error` (forbidden, chat_not_found, not_enough_rights), so its binding
can be retired. After each round, the features watching their rows are told (bot/services/delivery.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, as_utc
from bot.config import Settings
from bot.due import DueContext
from bot.identity import IdentityCache
from bot.ratelimit import Pace
from bot.sender_claims import beat, beat_forever, claim_rows, new_process_id, release_dead
from bot.sender_outcomes import SenderOutcomes, _Later, _Refused
from bot.sender_uploads import SenderUploads, _Slot
from bot.services.delivery import Delivered, run_after_delivery
from bot.services.outbox import EDITS, NOT_SENT
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# Set while the sender sends, so the request middleware leaves 429s to the sender.
in_outbox: contextvars.ContextVar[bool] = contextvars.ContextVar("in_outbox", default=False)


class _Target(NamedTuple):
    """Where the message an edit changes is."""

    chat_id: int
    message_id: int
    caption: bool  # a document or photo: its caption is edited


# An outage rather than a refusal: retried until the row expires, never capped by OUTBOX_MAX_ATTEMPTS.
TRANSIENT = (TelegramServerError, TelegramNetworkError, OSError, TimeoutError)


def _error_code(e: Exception) -> str:
    text = getattr(e, "message", str(e)).lower()
    if "chat not found" in text:
        return "chat_not_found"
    if "not enough rights" in text or "need administrator rights" in text:
        return "not_enough_rights"
    if "message to edit not found" in text or isinstance(e, TelegramNotFound):
        return "not_found"
    if isinstance(e, TelegramEntityTooLarge) or "too long" in text or "too big" in text:
        return "too_large"
    return "bad_request"


BATCH = 30  # rows per claim: about a second of Telegram's 30/s
IN_FLIGHT = 16  # requests whose outcome is not yet committed, at most (the bound on duplicates after a crash)


class OutboxSender(SenderOutcomes, SenderUploads):
    """Claims rows and sends them; the outcomes are recorded by `SenderOutcomes` (sender_outcomes.py), and
    files go up through `SenderUploads` (sender_uploads.py)."""

    idle_wait = 5.0  # seconds to wait with nothing due, unless a commit wakes the sender first

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Settings,
        identity: IdentityCache | None = None,
        wake: asyncio.Event | None = None,
        batch: int = BATCH,
        in_flight: int = IN_FLIGHT,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.settings = settings
        self.identity = identity
        self.wake = wake or asyncio.Event()
        self.batch = batch
        self.in_flight = in_flight
        # Held from just before a request until its outcome is committed: a kill -9 sends again at most
        # `in_flight` rows (those Telegram may have answered and we did not record).
        self._uncommitted = asyncio.Semaphore(in_flight)
        self.pace = Pace(
            clock, settings.outbox_rate_global, settings.outbox_rate_private, settings.outbox_group_per_minute
        )
        self._paused: dict[int, datetime] = {}  # chat id -> until (after a 429)
        self._claim_lock = asyncio.Lock()
        self.process_id = new_process_id()  # in outbox.claimed_by and process_heartbeat
        self._is_pg = not settings.is_sqlite
        self._lease = timedelta(seconds=settings.outbox_lease_seconds)
        self._file_ids: dict[int, str] = {}  # outbox_file id -> file_id (this bot's)
        self._file_locks: dict[int, asyncio.Lock] = {}  # one upload per content at a time

    async def claim(self) -> list[OutboxMessage]:
        now = self.clock.now()
        self._paused = {c: u for c, u in self._paused.items() if u > now}
        async with self._claim_lock:
            return await claim_rows(
                self.sessionmaker,
                now=now,
                lease=self._lease,
                batch=self.batch,
                paused=list(self._paused),
                process_id=self.process_id,
                for_update=self._is_pg,
            )

    async def start(self) -> None:
        """At start-up: say we are alive, and release what stopped processes had claimed (not their lease)."""
        await self.beat()
        await release_dead(self.sessionmaker, self.process_id, self.clock.now())

    async def beat(self) -> None:
        await beat(self.sessionmaker, self.process_id, self.clock.now(), is_sqlite=not self._is_pg)

    async def drain_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed."""
        rows = await self.claim()
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        results = await asyncio.gather(
            *(self._deliver_chat(chat, items) for chat, items in by_chat.items()), return_exceptions=True
        )
        if rows:
            await run_after_delivery(self._due(), [Delivered(r.id, r.chat_id, r.batch, r.kind) for r in rows])
        # Every chat has finished (or failed) before the next claim; a failure is raised only now.
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(rows)

    def _due(self) -> DueContext:
        identity = self.identity or IdentityCache()
        return DueContext(self.sessionmaker, self.clock, self.settings, identity, self.wake.set)

    async def _deliver_chat(self, chat_id: int, rows: list[OutboxMessage]) -> None:
        for i, row in enumerate(rows):
            if not await self._deliver(row):
                await self._release(rows[i + 1 :])
                return

    async def _turn(self, row: OutboxMessage) -> bool:
        """Wait until the row's slot is near; False (handed back) when its claim may lapse before it goes."""
        await self.pace.room(row.chat_id)
        if self.clock.now() - as_utc(row.claimed_at) > self._lease / 2:
            self.pace.leave()
            await self._release([row])  # another sender could take it again meanwhile
            return False
        return True

    async def _deliver(self, row: OutboxMessage) -> bool:
        """Send one row and record the outcome; False when the chat must not get more now."""
        if not await self._turn(row):
            return False
        held: list[bool] = []  # the request's place among the uncommitted ones, taken with its slot
        try:
            return await self._attempt(row, held)
        finally:
            if held:
                self._uncommitted.release()  # its outcome is committed (or it never went)

    async def _attempt(self, row: OutboxMessage, held: list[bool]) -> bool:
        token = in_outbox.set(True)
        target: _Target | None = None
        slot: list[float] = []  # taken by _send just before its request (after an upload's file id is known)
        try:
            ours, target = await self._check(row)
            if not ours:
                return True  # cancelled meanwhile (or no longer ours): never sent
            message_id = await self._send(row, target, lambda: self._take_slot(row.chat_id, slot, held))
        except _Later as e:
            await self._finish(row.id, status="pending", not_before=e.until, attempts=row.attempts - 1)
            return True
        except _Refused as e:
            log.warning("outbox %s to %s: %s", row.id, row.chat_id, e.detail)
            await self._finish(row.id, status="failed", error=e.error, last_error=e.detail[:500])
            return True
        except TelegramRetryAfter as e:
            if slot:
                self.pace.give_back(row.chat_id, slot[0])
            until = self.clock.now() + timedelta(seconds=e.retry_after)
            self._paused[row.chat_id] = until
            await self._finish(row.id, status="pending", not_before=until, attempts=row.attempts - 1)
            return False
        except TelegramMigrateToChat as e:
            await self._migrated(row, e.migrate_to_chat_id)
            return False
        except TelegramForbiddenError as e:
            if row.chat_id < 0:  # a group or channel: the bot was removed
                await self._chat_gone(row, "forbidden", e.message)
            else:
                await self._blocked(row, str(e))
            return False
        except (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge) as e:
            if row.method in EDITS and target and "message is not modified" in e.message:
                message_id = target.message_id  # it already shows this: done
            else:
                code = _error_code(e)
                if code in ("chat_not_found", "not_enough_rights") and row.chat_id < 0:
                    await self._chat_gone(row, code, e.message)
                    return False
                log.warning("outbox %s to %s refused: %s", row.id, row.chat_id, e.message)
                await self._finish(row.id, status="failed", error=code, last_error=e.message[:500])
                return True
        except Exception as e:  # an outage (5xx, network) until the row expires; anything else a few times
            log.warning("outbox %s to %s: %r; retrying later", row.id, row.chat_id, e)
            await self._retry_later(row, str(e) or type(e).__name__, transient=isinstance(e, TRANSIENT))
            return False
        finally:
            in_outbox.reset(token)
            if not slot:
                self.pace.leave()  # it went without its slot
        await self._finish(
            row.id, only_claimed=False, status="sent", sent_at=self.clock.now(), message_id=message_id
        )
        return True

    async def _take_slot(self, chat_id: int, slot: list[float], held: list[bool]) -> None:
        await self._uncommitted.acquire()
        held.append(True)
        slot.append(await self.pace.slot(chat_id))

    async def _check(self, row: OutboxMessage) -> tuple[bool, _Target | None]:
        """Read the row again just before sending: not ours to send any more if it was cancelled.

        For an edit, also where the message to edit is."""
        async with self.sessionmaker() as s:
            status = await s.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row.id))
            if status != "sending":
                return False, None
            if row.method not in EDITS:
                return True, None
            if row.edit_of_id is None:
                if row.edit_message_id is None:
                    raise _Refused("target_unsent", "the message to edit was never sent")
                return True, _Target(row.chat_id, row.edit_message_id, row.method == "edit_caption")
            found = (
                await s.execute(
                    select(
                        OutboxMessage.status,
                        OutboxMessage.chat_id,
                        OutboxMessage.message_id,
                        OutboxMessage.method,
                        OutboxMessage.not_before,
                    ).where(OutboxMessage.id == row.edit_of_id)
                )
            ).first()
        if found is None or found.status in NOT_SENT:
            if found is None:
                raise _Refused("target_unsent", "the message to edit was never sent")
            later = max(as_utc(found.not_before), self.clock.now()) + timedelta(seconds=2)
            raise _Later(later)  # the message to edit is not out yet
        if found.status != "sent" or found.message_id is None:
            raise _Refused("target_unsent", f"the message to edit was not sent ({found.status})")
        caption = found.method in ("document", "photo") or row.method == "edit_caption"
        return True, _Target(found.chat_id, found.message_id, caption)

    async def _send(self, row: OutboxMessage, target: _Target | None, take_slot: _Slot) -> int:
        """The request; `take_slot` is awaited right before it, with nothing awaited in between."""
        markup = InlineKeyboardMarkup.model_validate(row.reply_markup) if row.reply_markup else None
        if row.method in EDITS:
            assert target is not None
            chat_id, message_id, caption = target
            await take_slot()
            if row.text is None:
                await self.bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
            elif caption:
                await self.bot.edit_message_caption(
                    chat_id=chat_id, message_id=message_id, caption=row.text, reply_markup=markup
                )
            else:
                await self.bot.edit_message_text(
                    row.text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
            return message_id
        if row.outbox_file_id is not None:
            return await self._send_upload(row, row.outbox_file_id, markup, take_slot)
        if row.method in ("document", "photo"):
            msg = await self._send_media(row, row.file_id or "", markup, take_slot)
        else:
            await take_slot()
            msg = await self.bot.send_message(row.chat_id, row.text or "", reply_markup=markup)
        return msg.message_id

    async def next_due(self) -> datetime | None:
        """When the next row becomes due: a pending row's time, or an unfinished claim's lease end."""
        async with self.sessionmaker() as s:
            pending = await s.scalar(
                select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == "pending")
            )
            claimed = await s.scalar(
                select(func.min(OutboxMessage.claimed_at)).where(OutboxMessage.status == "sending")
            )
        pending = as_utc(pending) if pending else None
        claimed = as_utc(claimed) + self._lease if claimed else None
        candidates = [d for d in (pending, claimed) if d is not None]
        return min(candidates) if candidates else None

    async def drain(self, max_rounds: int = 1000, *, until: datetime | None = None, wait: bool = True) -> int:
        """Deliver what is due, for tests, the console and the CLI.

        The rows due now (and those due by `until`, when given) are followed to the end: the clock sleeps
        over their waits (a 429's retry_after, a 5xx's backoff, a lapsed claim). A row due later is left
        queued: the clock never jumps to next week's reminder unless `until` says so. With `wait=False`
        nothing is waited for (the console on the real clock)."""
        horizon = max(self.clock.now(), as_utc(until)) if until is not None else self.clock.now()
        row = OutboxMessage
        due_now = or_(and_(row.status == "pending", row.not_before <= horizon), row.status == "sending")
        async with self.sessionmaker() as s:
            followed = set((await s.scalars(select(row.id).where(due_now))).all())
        total = 0
        for _ in range(max_rounds):
            n = await self.drain_once()
            total += n
            if n:
                continue
            if not wait or not followed:
                return total
            still = select(row.status, row.not_before, row.claimed_at).where(
                row.id.in_(followed), row.status.in_(("pending", "sending"))
            )
            async with self.sessionmaker() as s:
                waiting = (await s.execute(still)).all()
            if not waiting:
                return total
            due = min(
                as_utc(w.not_before) if w.status == "pending" else as_utc(w.claimed_at) + self._lease
                for w in waiting
            )
            await self.clock.sleep(max((due - self.clock.now()).total_seconds(), 0.01))
        return total

    async def run(self) -> None:
        """Forever: deliver what is due, then wait for a wake-up or the next due time. Stops when cancelled,
        even when a library on the way turned the cancel into another error or dropped it (Python 3.11's
        wait_for could): a shutdown never waits on a sender that goes on."""
        try:
            await self.start()
        except Exception:  # the database is not there yet: the loop below waits for it
            log.exception("outbox sender could not release stopped processes' claims")
        log.info("outbox sender %s started", self.process_id)
        beats = asyncio.create_task(beat_forever(self.beat), name="outbox-heartbeat")
        try:
            await self._loop()
        finally:
            beats.cancel()

    async def _loop(self) -> None:
        me = asyncio.current_task()
        while True:
            if me is not None and me.cancelling():
                raise asyncio.CancelledError()
            self.wake.clear()  # before claiming: a row committed from now on wakes the wait below
            try:
                if await self.drain_once():
                    continue
                due = await self.next_due()
                idle = self.idle_wait
                timeout = (
                    idle if due is None else max(0.05, min((due - self.clock.now()).total_seconds(), idle))
                )
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self.wake.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                if me is not None and me.cancelling():
                    raise asyncio.CancelledError() from None
                log.exception("outbox sender failed; retrying in 5 s")
                await asyncio.sleep(5)
