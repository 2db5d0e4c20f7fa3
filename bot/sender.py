"""The outbox sender: drains the outbox at Telegram's pace.

~30 messages/s overall, 1/s per private chat, 20/min per group (aiolimiter). A 429 pauses only that
chat for `retry_after`; 5xx and network errors are retried with backoff; a 403 marks the person
unreachable and is not retried. Rows are claimed atomically (FOR UPDATE SKIP LOCKED on PostgreSQL;
one claimer per process on SQLite) and a claim that is never finished (a crash) is taken again after
a lease, so a message is lost never, and sent twice only if it was in flight at the crash. A row
still waiting for its turn when half its lease has passed is handed back rather than sent, so that no
other sender can have taken it again meanwhile.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup
from aiolimiter import AsyncLimiter
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, as_utc
from bot.config import Settings
from bot.identity import IdentityCache
from storage.models import AuditEntry, OutboxMessage, Person

log = logging.getLogger(__name__)

# Set while the sender sends, so the request middleware leaves 429s to the sender.
in_outbox: contextvars.ContextVar[bool] = contextvars.ContextVar("in_outbox", default=False)


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        settings: Settings,
        identity: IdentityCache | None = None,
        wake: asyncio.Event | None = None,
        batch: int = 60,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.settings = settings
        self.identity = identity
        self.wake = wake or asyncio.Event()
        self.batch = batch
        self.global_limiter = AsyncLimiter(settings.outbox_rate_global, 1)
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        self._paused: dict[int, datetime] = {}  # chat id -> until (after a 429)
        self._claim_lock = asyncio.Lock()
        self._is_pg = not settings.is_sqlite
        self._lease = timedelta(seconds=settings.outbox_lease_seconds)

    def _limiter(self, chat_id: int) -> AsyncLimiter:
        lim = self._chat_limiters.get(chat_id)
        if lim is None:
            if chat_id < 0:  # groups and channels
                lim = AsyncLimiter(1, 60 / self.settings.outbox_group_per_minute)
            else:
                lim = AsyncLimiter(1, 1 / self.settings.outbox_rate_private)
            self._chat_limiters[chat_id] = lim
        return lim

    async def claim(self) -> list[OutboxMessage]:
        now = self.clock.now()
        lease = now - self._lease
        self._paused = {c: u for c, u in self._paused.items() if u > now}
        due = or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < lease),
        )
        if self._paused:
            due = and_(due, OutboxMessage.chat_id.not_in(list(self._paused)))
        ids = select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(self.batch)
        if self._is_pg:
            ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids.scalar_subquery()))
            .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        async with self._claim_lock, self.sessionmaker() as s, s.begin():
            rows = list((await s.scalars(stmt)).all())
        rows.sort(key=lambda r: r.id)
        return rows

    async def drain_once(self) -> int:
        """Claim one batch and deliver it; returns how many rows were claimed."""
        rows = await self.claim()
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        results = await asyncio.gather(
            *(self._deliver_chat(chat, items) for chat, items in by_chat.items()), return_exceptions=True
        )
        # Every chat has finished (or failed) before the next claim; a failure is raised only now.
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(rows)

    async def _deliver_chat(self, chat_id: int, rows: list[OutboxMessage]) -> None:
        for i, row in enumerate(rows):
            if not await self._deliver(row):
                await self._release(rows[i + 1 :])
                return

    async def _deliver(self, row: OutboxMessage) -> bool:
        """Send one row and record the outcome; False when the chat must not get more now."""
        async with self._limiter(row.chat_id), self.global_limiter:
            if self.clock.now() - as_utc(row.claimed_at) > self._lease / 2:
                await self._release([row])  # its claim may lapse before it is sent: hand it back
                return False
            token = in_outbox.set(True)
            try:
                message_id = await self._send(row)
            except TelegramRetryAfter as e:
                until = self.clock.now() + timedelta(seconds=e.retry_after)
                self._paused[row.chat_id] = until
                await self._finish(row.id, status="pending", not_before=until, attempts=row.attempts - 1)
                return False
            except TelegramForbiddenError as e:
                await self._blocked(row, str(e))
                return False
            except (TelegramBadRequest, TelegramNotFound, TelegramMigrateToChat, TelegramEntityTooLarge) as e:
                log.warning("outbox %s to %s refused: %s", row.id, row.chat_id, e.message)
                await self._finish(row.id, status="failed", last_error=e.message[:500])
                return True
            except Exception as e:  # 5xx, network, and anything unexpected: back off, then give up
                log.warning("outbox %s to %s: %s; retrying later", row.id, row.chat_id, e)
                await self._retry_later(row, str(e) or type(e).__name__)
                return False
            finally:
                in_outbox.reset(token)
        await self._finish(row.id, status="sent", sent_at=self.clock.now(), message_id=message_id)
        return True

    async def _send(self, row: OutboxMessage) -> int:
        markup = InlineKeyboardMarkup.model_validate(row.reply_markup) if row.reply_markup else None
        if row.method == "document":
            msg = await self.bot.send_document(
                row.chat_id, row.file_id or "", caption=row.text, reply_markup=markup
            )
        elif row.method == "photo":
            msg = await self.bot.send_photo(
                row.chat_id, row.file_id or "", caption=row.text, reply_markup=markup
            )
        else:
            msg = await self.bot.send_message(row.chat_id, row.text or "", reply_markup=markup)
        return msg.message_id

    async def _retry_later(self, row: OutboxMessage, error: str) -> None:
        if row.attempts >= self.settings.outbox_max_attempts:
            await self._finish(row.id, status="failed", last_error=error[:500])
            return
        until = self.clock.now() + timedelta(seconds=min(2**row.attempts, 300))
        self._paused[row.chat_id] = until  # the chat's later rows wait too, so they keep their order
        await self._finish(row.id, status="pending", not_before=until, last_error=error[:500])

    async def _blocked(self, row: OutboxMessage, error: str) -> None:
        now = self.clock.now()
        async with self.sessionmaker() as s, s.begin():
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(status="blocked", last_error=error[:500])
            )
            # Other queued messages to the same chat would only be refused too.
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == row.chat_id, OutboxMessage.status.in_(("pending", "sending")))
                .values(status="blocked", last_error=error[:500])
            )
            person = await s.scalar(select(Person).where(Person.telegram_id == row.chat_id))
            if person is not None and not person.unreachable:
                person.unreachable = True
                s.add(
                    AuditEntry(
                        at=now,
                        actor_id=None,
                        action="person.unreachable",
                        object_type="person",
                        object_id=str(person.id),
                        before={"unreachable": False},
                        after={"unreachable": True, "reason": error[:200]},
                    )
                )
        if self.identity is not None:  # so that their next message finds them reachable again
            self.identity.invalidate(row.chat_id)
        log.info("chat %s blocked the bot; marked unreachable", row.chat_id)

    async def _release(self, rows: list[OutboxMessage]) -> None:
        if not rows:
            return
        until = self._paused.get(rows[0].chat_id, self.clock.now())
        async with self.sessionmaker() as s, s.begin():
            for row in rows:
                await s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                    .values(status="pending", not_before=until, attempts=row.attempts - 1)
                )

    async def _finish(self, row_id: int, **values: Any) -> None:
        async with self.sessionmaker() as s, s.begin():
            await s.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))

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

    async def drain(self, max_rounds: int = 1000) -> int:
        """Deliver everything, moving the (fake) clock over waits. For tests, the console and the CLI."""
        total = 0
        for _ in range(max_rounds):
            n = await self.drain_once()
            total += n
            if n:
                continue
            due = await self.next_due()
            if due is None:
                return total
            wait = (due - self.clock.now()).total_seconds()
            await self.clock.sleep(max(wait, 0.01))
        return total

    async def run(self) -> None:
        """Forever: deliver what is due, then wait for a wake-up or the next due time."""
        log.info("outbox sender started")
        while True:
            self.wake.clear()  # before claiming: a row committed from now on wakes the wait below
            try:
                if await self.drain_once():
                    continue
                due = await self.next_due()
                timeout = (
                    5.0 if due is None else max(0.05, min((due - self.clock.now()).total_seconds(), 5.0))
                )
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout)
                except TimeoutError:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox sender failed; retrying in 5 s")
                await asyncio.sleep(5)
