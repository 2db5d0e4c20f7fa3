"""Locking nominations once their window has passed (issue 18, item 6): two lockers at once audit each
nomination once, on SQLite and on PostgreSQL; reading a nomination writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import VN_TZ, FakeClock
from bot.context import Ctx
from bot.devtools.harness import World
from bot.services.nomination import NominationService
from storage.db import make_engine
from storage.models import AuditEntry
from storage.models.nomination import Nomination
from storage.uow import UnitOfWork
from tests.conftest import fresh_database, make_settings
from tests.handlers.test_nomination_flow import nominate, open_round

AFTER_DEADLINE = datetime(2025, 5, 31, 9, 0, tzinfo=VN_TZ)


@pytest.fixture(params=["sqlite", "postgres"])
async def both(request, sqlite_templates) -> AsyncIterator[World]:
    """A world on each backend, whatever THIDUA_TEST_DB says."""
    async for url in fresh_database(request.param, request, sqlite_templates):
        engine = make_engine(url)
        w = World(make_settings(url), engine, FakeClock())
        await w.start()
        yield w
        await w.close()
        await engine.dispose()


async def lock(world: World, role: str = "") -> int:
    async with UnitOfWork(world.sessionmaker) as uow:
        ctx = Ctx(uow, world.clock, world.dp["identity"], world.settings)
        ctx.session.info["locker"] = role
        locked = await NominationService(ctx).lock_due()
    if role == "first":
        HELD["first_done"].set()
    return locked


HELD: dict[str, asyncio.Event] = {}


def hold_the_updates(monkeypatch) -> None:
    """The seam: the second locker reaches its UPDATE of the nominations (after whatever it read) and waits
    there until the first has committed; the first waits until the second is there."""
    HELD.update(second_there=asyncio.Event(), first_done=asyncio.Event())
    execute = AsyncSession.execute

    async def held(self, statement, *args, **kw):
        table = getattr(statement, "table", None)
        if getattr(statement, "is_update", False) and getattr(table, "name", "") == "nomination":
            if self.info.get("locker") == "second":
                HELD["second_there"].set()
                await asyncio.wait_for(HELD["first_done"].wait(), 10)
            elif self.info.get("locker") == "first":
                await asyncio.wait_for(HELD["second_there"].wait(), 10)
        return await execute(self, statement, *args, **kw)

    monkeypatch.setattr(AsyncSession, "execute", held)


async def test_two_lockers_at_once_lock_and_audit_each_nomination_once(both, monkeypatch):
    world = both
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    await world.staff("Lê Văn Bình")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await nominate(minh, "Bình")
    world.clock.set(AFTER_DEADLINE)
    hold_the_updates(monkeypatch)
    counts = await asyncio.gather(lock(world, "first"), lock(world, "second"))
    assert sorted(counts) == [0, 2]
    assert {r.state for r in await world.rows(Nomination)} == {"locked"}
    audited = await world.rows(AuditEntry, AuditEntry.action == "nomination.locked")
    assert sorted(e.object_id for e in audited) == sorted(str(r.id) for r in await world.rows(Nomination))


async def test_reading_a_nomination_after_its_window_writes_nothing_the_due_work_locks_it(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    world.clock.set(AFTER_DEADLINE)
    await minh.send("/nominations")
    await minh.click("Số")
    [row] = await world.rows(Nomination)
    assert row.state == "submitted"  # a read locks nothing ...
    assert "đã khóa" in minh.last_text() and minh.last().markup is None  # ... but shows it as it stands
    await world.run_due()
    [row] = await world.rows(Nomination)
    assert row.state == "locked"
    assert len(await world.rows(AuditEntry, AuditEntry.action == "nomination.locked")) == 1
