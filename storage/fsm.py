"""FSM storage in the database, with a write-through in-process cache.

One bot instance owns its database-backed FSM, so reads are served from memory. Writes made while
an update is handled are staged in that update's unit of work and committed with the handler's own
rows: a handler that fails leaves neither its rows nor its state change behind. Several instances
that must share conversations use the Redis storage instead (REDIS_URL).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import FsmRecord
from storage.uow import UnitOfWork, current_uow

Entry = tuple[str | None, dict[str, Any]]
_STAGE = "fsm"


def key_str(key: StorageKey) -> str:
    parts = (key.bot_id, key.chat_id, key.user_id, key.thread_id or "", key.business_connection_id or "")
    return ":".join(str(p) for p in parts) + f":{key.destiny}"


class DbStorage(BaseStorage):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Any = None) -> None:
        self._sessionmaker = sessionmaker
        self._cache: dict[str, Entry] = {}
        self._clock = clock  # what `updated_at` is read from (the retention compares it with its clock)

    def forget(self, keys: list[str]) -> None:
        """Drop `keys` from the cache: the retention removed their rows (bot/services/retention.py)."""
        for k in keys:
            self._cache.pop(k, None)

    async def _load(self, k: str) -> Entry:
        uow = current_uow.get()
        if uow is not None:
            staged = uow.staged.get(_STAGE, {})
            if k in staged:
                return staged[k]
        if k in self._cache:
            return self._cache[k]
        async with self._sessionmaker() as s:
            row = await s.get(FsmRecord, k)
        entry: Entry = (row.state, dict(row.data or {})) if row else (None, {})
        self._cache[k] = entry
        return entry

    async def _store(self, k: str, entry: Entry) -> None:
        uow = current_uow.get()
        if uow is None:
            async with self._sessionmaker() as s, s.begin():
                await self._write(s, k, entry)
            self._cache[k] = entry
            return
        staged: dict[str, Entry] | None = uow.staged.get(_STAGE)
        if staged is None:
            staged = uow.staged[_STAGE] = {}
            self._hook(uow, staged)
        staged[k] = entry

    def _hook(self, uow: UnitOfWork, staged: dict[str, Entry]) -> None:
        async def flush() -> None:
            for k, entry in staged.items():
                await self._write(uow.session, k, entry)

        def publish() -> None:
            self._cache.update(staged)

        uow.before_commit(flush)
        uow.on_commit(publish)

    async def _write(self, session: AsyncSession, k: str, entry: Entry) -> None:
        state, data = entry
        if state is None and not data:
            await session.execute(delete(FsmRecord).where(FsmRecord.key == k))
            return
        at = self._clock.now() if self._clock is not None else datetime.now(UTC)
        values = {"key": k, "state": state, "data": data, "updated_at": at}
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(FsmRecord).values(**values)
        # One statement, no read first: an upsert on the key.
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[FsmRecord.key],
                set_={
                    "state": stmt.excluded.state,
                    "data": stmt.excluded.data,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        k = key_str(key)
        _, data = await self._load(k)
        value = state.state if isinstance(state, State) else state
        await self._store(k, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(key_str(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        k = key_str(key)
        state, _ = await self._load(k)
        await self._store(k, (state, dict(data)))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._load(key_str(key)))[1])

    async def close(self) -> None:
        self._cache.clear()

    async def warm(self) -> int:
        """Load every stored conversation into the cache (start-up)."""
        async with self._sessionmaker() as s:
            rows = (await s.scalars(select(FsmRecord))).all()
        for row in rows:
            self._cache[row.key] = (row.state, dict(row.data or {}))
        return len(rows)


class StagedStorage(BaseStorage):
    """Another storage (Redis) whose writes wait for the update's commit.

    A state change made while an update is handled is kept in its unit of work and written to the inner
    storage only after the database commit, so a rolled-back update leaves no state behind, and a committed
    one never has its state published before its rows."""

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    def _staged(self, create: bool = False) -> dict[StorageKey, Entry] | None:
        uow = current_uow.get()
        if uow is None:
            return None
        staged: dict[StorageKey, Entry] | None = uow.staged.get("fsm-redis")
        if staged is None and create:
            staged = uow.staged["fsm-redis"] = {}
            uow.after_commit(lambda: self._publish(staged))  # type: ignore[arg-type]
        return staged

    async def _publish(self, staged: dict[StorageKey, Entry]) -> None:
        for key, (state, data) in staged.items():
            await self.inner.set_state(key, state)
            await self.inner.set_data(key, data)

    async def _entry(self, key: StorageKey) -> Entry:
        staged = self._staged()
        if staged is not None and key in staged:
            return staged[key]
        return await self.inner.get_state(key), await self.inner.get_data(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        staged = self._staged(create=True)
        if staged is None:
            await self.inner.set_state(key, value)
            return
        staged[key] = (value, (await self._entry(key))[1])

    async def get_state(self, key: StorageKey) -> str | None:
        staged = self._staged()
        if staged is not None and key in staged:
            return staged[key][0]
        return await self.inner.get_state(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        staged = self._staged(create=True)
        if staged is None:
            await self.inner.set_data(key, data)
            return
        staged[key] = ((await self._entry(key))[0], dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        staged = self._staged()
        if staged is not None and key in staged:
            return dict(staged[key][1])
        return await self.inner.get_data(key)

    async def close(self) -> None:
        await self.inner.close()
