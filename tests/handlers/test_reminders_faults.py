"""Reminders against faults: 429/500/403 mid-run, kill -9 in the middle of 500 reminders, two processes on one
PostgreSQL database. Requests are counted through the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.devtools.harness import ROOT, World
from bot.text import search_key
from storage.db import make_engine
from storage.models import OutboxMessage, Person, PersonRole
from tests.conftest import make_settings
from tests.dbs import PG_UP
from tests.handlers.test_reminders import SEVEN_DAYS, open_year, reminders_of


async def roster(world: World, n: int, first_id: int = 500_001) -> list[int]:
    """`n` linked staff in one unit, in one transaction; their telegram ids."""
    unit = await world.unit("KCNTT")
    ids = list(range(first_id, first_id + n))
    async with world.session() as s:
        for i, tid in enumerate(ids):
            name = f"Viên chức {i:04d}"
            p = Person(
                full_name=name,
                name_search=search_key(name),
                unit_id=unit.id,
                telegram_id=tid,
                language="vi",
                joined_at=world.clock.now(),
                created_at=world.clock.now(),
            )
            p.roles.append(PersonRole(role="staff", unit_id=unit.id))
            s.add(p)
        await s.commit()
    return ids


async def test_429_500_and_403_in_the_middle_of_a_run_still_give_everyone_exactly_one(world):
    await open_year(world)
    people = [await world.staff(f"Người {i}") for i in range(6)]
    flooded, broken, blocked = people[1], people[2], people[3]
    world.api.flood(flooded.id, retry_after=30)
    world.api.server_error(broken.id, times=2)
    world.api.block(blocked.id)
    world.clock.set(SEVEN_DAYS)
    await world.run_due()
    await world.drain_outbox()  # the clock moves over the 429's wait and the 5xx backoff
    for p in people:
        assert len(reminders_of(p)) == (0 if p is blocked else 1), p.name
    [gone] = await world.rows(Person, Person.unreachable.is_(True))
    assert gone.telegram_id == blocked.id
    await world.run_due()  # another tick: nobody again, the blocked one is not retried
    await world.drain_outbox()
    assert sum(len(reminders_of(p)) for p in people) == 5
    sends = Counter(c.params["chat_id"] for c in world.api.calls_of("sendMessage"))
    assert sends[blocked.id] == 1 and sends[flooded.id] == 2 and sends[broken.id] == 3


async def test_kill_9_in_the_middle_of_500_reminders_loses_none_and_doubles_at_most_the_in_flight_bound(
    world, tmp_path
):
    if not world.settings.is_sqlite:
        pytest.skip("the child process runs on the file database")
    await open_year(world)
    ids = await roster(world, 500)
    log = tmp_path / "requests.log"
    log.touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    url = world.settings.database_url
    child = subprocess.Popen(  # noqa: ASYNC220 - the bot process to kill
        [sys.executable, "-m", "tests.handlers.reminder_child", url, SEVEN_DAYS.isoformat(), str(log)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while len(log.read_text().splitlines()) < 150:
        assert child.poll() is None, child.stderr.read().decode()[-2000:] if child.stderr else ""
        assert time.monotonic() < deadline, "the child sent too little"
        await asyncio.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    before = [int(line) for line in log.read_text().splitlines()]
    assert len(before) < 500, "killed too late to be in the middle"
    in_flight = len(await world.rows(OutboxMessage, OutboxMessage.status == "sending"))

    world.clock.set(SEVEN_DAYS)
    world.clock.advance(seconds=world.settings.outbox_lease_seconds + 1)  # the restart: claims lapse
    await world.run_due()  # nothing is queued twice: the keys are there
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")) == 500
    await world.drain_outbox()
    after = [c.params["chat_id"] for c in world.api.calls_of("sendMessage")]
    got = Counter(before) + Counter(after)
    assert set(got) == set(ids)  # none lost
    doubled = sum(n - 1 for n in got.values())
    print(f"kill -9: {len(before)} before, {in_flight} claimed, {len(after)} after, {doubled} doubled")
    # Only a request whose outcome is not yet committed can go twice, and at most K of those are open at
    # once (OutboxSender.in_flight, the child's default as ours); rows merely claimed are never sent twice.
    assert doubled <= world.sender.in_flight == 16
    assert {r.status for r in await world.rows(OutboxMessage)} == {"sent"}


@pytest.mark.skipif(not PG_UP, reason="PostgreSQL is not reachable")
async def test_two_schedulers_and_senders_on_one_postgres_send_each_reminder_once(pg_url):
    clock_a, clock_b = FakeClock(SEVEN_DAYS), FakeClock(SEVEN_DAYS)
    a = await World(make_settings(pg_url), make_engine(pg_url), clock_a).start()
    b = await World(make_settings(pg_url), make_engine(pg_url), clock_b, first_user_id=900_001).start()
    clock_a.set(SEVEN_DAYS.replace(month=10, day=20))
    await a.load_plan("plans/2021-2025.yaml")
    clock_a.set(SEVEN_DAYS)
    ids = await roster(a, 120)
    for _ in range(3):  # ticks of both processes at once, then both senders at once
        await asyncio.gather(a.run_due(), b.run_due())
    await asyncio.gather(a.drain_outbox(), b.drain_outbox())
    sends = Counter(
        c.params["chat_id"]
        for w in (a, b)
        for c in w.api.calls_of("sendMessage")
        if c.params["chat_id"] in ids
    )
    assert set(sends) == set(ids) and set(sends.values()) == {1}
    async with a.session() as s:
        rows = (await s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))).all()
    assert len(rows) == 120
    await a.close()
    await b.close()
    await a.engine.dispose()
    await b.engine.dispose()


@pytest.mark.skipif(not PG_UP, reason="PostgreSQL is not reachable")
async def test_two_bot_processes_on_one_postgres_send_each_reminder_once(pg_url, tmp_path):
    world = await World(make_settings(pg_url), make_engine(pg_url), FakeClock(SEVEN_DAYS)).start()
    world.clock.set(SEVEN_DAYS.replace(day=20))
    await world.load_plan("plans/2021-2025.yaml")
    ids = await roster(world, 200)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.handlers.reminder_child", pg_url, SEVEN_DAYS.isoformat(), str(log),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for log in logs
    ]  # fmt: skip
    for child in children:
        _, err = await asyncio.wait_for(child.communicate(), 180)
        assert child.returncode == 0, err.decode()[-2000:]
    sends = Counter(int(line) for log in logs for line in log.read_text().splitlines())
    assert set(sends) == set(ids) and set(sends.values()) == {1}
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")) == 200
    await world.close()
    await world.engine.dispose()


@pytest.mark.skipif(not PG_UP, reason="PostgreSQL is not reachable")
async def test_two_processes_marking_a_reminder_that_has_nobody_to_reach_both_finish_their_run(pg_url):
    clock_a, clock_b = FakeClock(SEVEN_DAYS), FakeClock(SEVEN_DAYS)
    a = await World(make_settings(pg_url), make_engine(pg_url), clock_a).start()
    b = await World(make_settings(pg_url), make_engine(pg_url), clock_b, first_user_id=900_001).start()
    clock_a.set(SEVEN_DAYS.replace(month=10, day=20))
    await a.load_plan("plans/2021-2025.yaml")
    clock_a.set(SEVEN_DAYS)  # registration's 7d reminder is due, and nobody is on the roster to get it
    results = await asyncio.gather(a.run_due(), b.run_due())
    assert [r["reminders"] for r in results if isinstance(r["reminders"], Exception)] == []
    await a.close()
    await b.close()
    await a.engine.dispose()
    await b.engine.dispose()
