"""One leader at a time through a PostgreSQL advisory lock on a dedicated connection (issue 22)."""

from __future__ import annotations

import asyncio
import time

from bot.config import Settings
from bot.leader import AdvisoryLock, Leader, make_leader
from storage import locks
from tests.ops.conftest import backends_of, terminate


def leader(url: str, tick: float = 0.1) -> Leader:
    return Leader(AdvisoryLock(url, locks.LEADER, timeout=2.0), tick)


async def forever() -> None:
    await asyncio.Event().wait()


async def test_of_two_instances_only_the_first_leads(pg_db):
    a, b = leader(pg_db), leader(pg_db)
    try:
        assert await a.tick() and a.is_leader
        assert not await b.tick() and not b.is_leader
        assert await a.tick() and a.is_leader  # asked again, it still holds it (and took it once only)
        assert not await b.tick()
    finally:
        await a.stop(), await b.stop()


async def test_the_lock_is_held_once_however_many_ticks(pg_db):
    a = leader(pg_db)
    for _ in range(5):
        assert await a.tick()
    await a.lock.release()  # closing the session releases it, and nothing else keeps it
    b = leader(pg_db)
    try:
        assert await b.tick()
    finally:
        await b.stop()


async def test_a_follower_runs_no_leader_work(pg_db):
    a, b = leader(pg_db), leader(pg_db)
    ran: list[str] = []

    async def job() -> None:
        ran.append("ran")

    try:
        await a.tick(), await b.tick()
        await b.only(job)
        assert ran == [] and b.spawn(forever()) is None
        await a.only(job)
        assert ran == ["ran"]
    finally:
        await a.stop(), await b.stop()


async def test_a_leader_that_loses_its_session_stops_its_sender_and_timed_work_at_once(pg_db):
    stopped: list[str] = []
    a = Leader(AdvisoryLock(pg_db, locks.LEADER, timeout=2.0), 0.1, on_loss=lambda: stopped.append("lost"))
    await a.tick()
    sender = a.spawn(forever(), name="outbox-sender")
    job = asyncio.create_task(a.only(forever))
    await asyncio.sleep(0.05)
    [pid] = await backends_of(pg_db)
    await terminate(pid)  # what the server does to a leader gone silent, once its keepalives run out

    assert not await a.tick()
    await asyncio.sleep(0)
    assert sender.cancelled() and not a.is_leader and stopped == ["lost"]
    await job  # the timed job ends, cancelled, without an error
    await a.stop()


async def test_another_instance_takes_over_within_a_few_ticks_when_the_leader_is_killed(pg_db):
    a, b = leader(pg_db, tick=0.2), leader(pg_db, tick=0.2)
    gained = asyncio.Event()
    b.on_gain = gained.set
    await a.tick()
    follower = asyncio.create_task(b.run())
    try:
        await asyncio.sleep(0.5)
        assert a.is_leader and not b.is_leader
        start = time.monotonic()
        a.lock.drop()  # kill -9: the socket closes, the server ends the session and its lock
        await asyncio.wait_for(gained.wait(), 10)
        assert time.monotonic() - start < 2.0 and b.is_leader
    finally:
        follower.cancel()
        await b.stop()


async def test_a_leader_that_cannot_reach_the_database_does_not_lead(pg_db):
    gone = leader(pg_db.rsplit(":", 1)[0] + ":1/x")  # nothing listens on port 1
    assert not await gone.tick() and not gone.is_leader and gone.lock.error is not None


async def test_the_leader_releases_the_lead_at_shutdown_for_the_next_one(pg_db):
    a, b = leader(pg_db), leader(pg_db)
    await a.tick()
    assert not await b.tick()
    await a.stop()
    try:
        assert await b.tick()
    finally:
        await b.stop()


async def test_on_sqlite_the_one_process_is_the_leader(tmp_path):
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    one = make_leader(settings)
    assert one.lock is None
    assert await one.tick() and one.is_leader


async def test_the_tick_is_at_most_30_seconds_so_a_takeover_takes_under_a_minute():
    import pytest
    from pydantic import ValidationError

    assert Settings(_env_file=None).leader_tick_seconds == 5
    with pytest.raises(ValidationError):
        Settings(_env_file=None, leader_tick_seconds=31)
