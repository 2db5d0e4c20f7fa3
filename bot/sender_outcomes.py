"""The outbox sender's outcomes: what is recorded once Telegram has answered a row (issue 18).

A mixin of `bot.sender.OutboxSender`, which holds the state these methods read: the back-off and give-up
(`_retry_later`, until the row's expiry), a person who blocked the bot (`_blocked`, audited), a group or
channel that refused it (`_chat_gone`), a group become a supergroup (`_migrated`), rows handed back
(`_release`), and the one conditional write of every outcome (`_finish`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, as_utc
from bot.config import Settings
from bot.identity import IdentityCache
from bot.services.outbox import EDITS, NOT_SENT
from storage.models import AuditEntry, OutboxMessage, Person

log = logging.getLogger("bot.sender")  # the sender's one logger, whichever room logs


class _Later(Exception):
    """Not yet: the row goes back to pending until `until`, without using an attempt."""

    def __init__(self, until: datetime) -> None:
        self.until = until


class _Refused(Exception):
    """The row cannot be sent, for a reason of ours (no file, an edit of a row never sent)."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error, self.detail = error, detail


class SenderOutcomes:
    """Recording outcomes; `OutboxSender` sets these attributes."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: Settings
    identity: IdentityCache | None
    wake: asyncio.Event
    _paused: dict[int, datetime]

    async def _migrated(self, row: OutboxMessage, new_chat_id: int) -> None:
        """A group became a supergroup: its queued messages go to the new chat id and are sent there."""
        old = row.chat_id
        note = f"migrated from {old} to {new_chat_id}"
        async with self.sessionmaker() as s, s.begin():
            if row.method in EDITS:  # its message stays in the old chat, which can no longer be edited
                await s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                    .values(status="failed", error="migrated", last_error=note)
                )
            else:
                await s.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                    .values(
                        status="pending",
                        not_before=self.clock.now(),
                        attempts=row.attempts - 1,
                        last_error=note,
                    )
                )
            await s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.chat_id == old,
                    OutboxMessage.status.in_(NOT_SENT),
                    OutboxMessage.method.not_in(EDITS),
                )
                .values(chat_id=new_chat_id)
            )
        log.info("chat %s", note)

    async def _chat_gone(self, row: OutboxMessage, error: str, detail: str) -> None:
        """A group or channel refused us (removed, or gone): its queued rows fail, marked for the binding."""
        async with self.sessionmaker() as s, s.begin():
            await s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.chat_id == row.chat_id,
                    or_(OutboxMessage.id == row.id, OutboxMessage.status.in_(NOT_SENT)),
                    OutboxMessage.status.in_(NOT_SENT),
                )
                .values(status="failed", error=error, last_error=detail[:500])
            )
        log.info("chat %s refused the bot (%s)", row.chat_id, error)

    def expires(self, row: OutboxMessage) -> datetime:
        """Until when a row is retried: its `expires_at`, else OUTBOX_GIVE_UP_AFTER after it was queued."""
        if row.expires_at is not None:
            return as_utc(row.expires_at)
        return as_utc(row.created_at) + self.settings.outbox_give_up_after

    async def _retry_later(self, row: OutboxMessage, error: str, *, transient: bool) -> None:
        """Back off (2, 4, … s, at most 300); give up at the row's expiry, or after OUTBOX_MAX_ATTEMPTS when
        the error is not an outage (5xx, network), which never counts against that cap."""
        now, expires = self.clock.now(), self.expires(row)
        capped = not transient and row.attempts >= self.settings.outbox_max_attempts
        if capped or now >= expires:
            await self._finish(row.id, status="failed", error="gave_up", last_error=error[:500])
            log.warning("outbox %s to %s given up: %s", row.id, row.chat_id, error[:200])
            return
        until = min(now + timedelta(seconds=min(2 ** min(row.attempts, 9), 300)), expires)
        self._paused[row.chat_id] = until  # the chat's later rows wait too, so they keep their order
        await self._finish(row.id, status="pending", not_before=until, last_error=error[:500])

    async def _blocked(self, row: OutboxMessage, error: str) -> None:
        now = self.clock.now()
        async with self.sessionmaker() as s, s.begin():
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id)
                .values(status="blocked", error="forbidden", last_error=error[:500])
            )
            # Other queued messages to the same chat would only be refused too.
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.chat_id == row.chat_id, OutboxMessage.status.in_(NOT_SENT))
                .values(status="blocked", error="forbidden", last_error=error[:500])
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

    async def _finish(self, row_id: int, *, only_claimed: bool = True, **values: Any) -> None:
        """Record an outcome; unless it was sent, only while the row is still claimed (not cancelled)."""
        stmt = update(OutboxMessage).where(OutboxMessage.id == row_id)
        if only_claimed:
            stmt = stmt.where(OutboxMessage.status == "sending")
        async with self.sessionmaker() as s, s.begin():
            await s.execute(stmt.values(**values))
