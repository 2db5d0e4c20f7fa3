"""Each update id is handled once: a set of seen ids that lives 24 hours.

With the database, the set is held in memory (loaded at start-up) and persisted cheaply: an update
whose handler wrote something commits its id in the same transaction, so its effects happen exactly
once even across a crash; a read-only update's id is written in batches. With Redis, `SET NX EX`
is the set and several instances may share it. No "highest id seen" is kept: Telegram may restart ids.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from storage.models import ProcessedUpdate
from storage.uow import UnitOfWork


class DedupStore(Protocol):
    async def first_time(self, update_id: int) -> bool: ...
    def persist(self, uow: UnitOfWork, update_id: int) -> None: ...
    async def flush(self) -> None: ...


class DbDedup:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, ttl_hours: int = 24
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self.ttl = timedelta(hours=ttl_hours)
        self._seen: dict[int, float] = {}  # update id -> monotonic expiry
        self._pending: dict[int, datetime] = {}

    async def load(self) -> int:
        since = self._clock.now() - self.ttl
        async with self._sessionmaker() as s, s.begin():
            # Expired ids go first: after a quiet week Telegram may hand out one of them again, and
            # a handler committing that id must not collide with the stale row.
            await s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < since))
            rows = (
                await s.execute(select(ProcessedUpdate).where(ProcessedUpdate.seen_at >= since))
            ).scalars()
            now = time.monotonic()
            for row in rows:
                left = (row.seen_at - since).total_seconds()
                self._seen[row.update_id] = now + left
        return len(self._seen)

    async def first_time(self, update_id: int) -> bool:
        now = time.monotonic()
        expiry = self._seen.get(update_id)
        if expiry is not None and expiry > now:
            return False
        self._seen[update_id] = now + self.ttl.total_seconds()
        if len(self._seen) > 200_000:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
        return True

    def persist(self, uow: UnitOfWork, update_id: int) -> None:
        if uow.wrote():
            uow.session.add(ProcessedUpdate(update_id=update_id, seen_at=self._clock.now()))
        else:
            self._pending[update_id] = self._clock.now()

    async def flush(self) -> None:
        pending, self._pending = self._pending, {}
        cutoff = self._clock.now() - self.ttl
        async with self._sessionmaker() as s, s.begin():
            if pending:
                known = set(
                    (
                        await s.scalars(
                            select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id.in_(pending))
                        )
                    ).all()
                )
                s.add_all(
                    ProcessedUpdate(update_id=uid, seen_at=at)
                    for uid, at in pending.items()
                    if uid not in known
                )
            await s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < cutoff))


class RedisDedup:
    def __init__(self, redis: Any, prefix: str, ttl_hours: int = 24) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = int(timedelta(hours=ttl_hours).total_seconds())

    async def first_time(self, update_id: int) -> bool:
        return bool(await self.redis.set(f"{self.prefix}:upd:{update_id}", 1, nx=True, ex=self.ttl))

    def persist(self, uow: UnitOfWork, update_id: int) -> None:
        return None

    async def flush(self) -> None:
        return None
