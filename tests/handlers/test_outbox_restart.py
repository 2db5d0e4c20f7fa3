"""After a restart, what a dead process had claimed goes at once (issue 18, item 3): each sender has a random
id, written in `outbox.claimed_by` and beaten in `process_heartbeat`; a sender starting releases the rows
claimed by ids whose heartbeat stopped, never a live one's, instead of waiting out the 120 s lease."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.sender import OutboxSender
from bot.sender_claims import HEARTBEAT_STALE
from storage.models import OutboxMessage, ProcessHeartbeat
from tests.handlers.test_outbox import outbox_world, queue


def sender(world) -> OutboxSender:  # type: ignore[no-untyped-def]
    return OutboxSender(world.bot, world.sessionmaker, world.clock, world.settings)


async def test_a_restart_sends_at_once_what_a_dead_process_had_claimed(db_url, clock):
    world = await outbox_world(db_url, clock)
    people = [await world.staff(f"Người {i}") for i in range(3)]
    await queue(world, [p.id for p in people])
    dead = sender(world)
    await dead.start()
    claimed = await dead.claim()  # then kill -9: no outcome, no more heartbeats
    assert {r.claimed_by for r in claimed} == {dead.process_id}
    clock.advance(seconds=HEARTBEAT_STALE.total_seconds() + 1)  # well within the 120 s lease

    restarted = sender(world)
    assert restarted.process_id != dead.process_id
    await restarted.start()
    assert await restarted.drain_once() == 3  # nothing waits for the lease

    assert [len(p.messages()) for p in people] == [1, 1, 1]
    rows = await world.rows(OutboxMessage)
    assert {r.status for r in rows} == {"sent"} and {r.claimed_by for r in rows} == {restarted.process_id}
    assert clock.now() - claimed[0].claimed_at < timedelta(seconds=world.settings.outbox_lease_seconds)
    await world.close()


async def test_a_live_process_keeps_its_claims_when_another_starts(db_url, clock):
    world = await outbox_world(db_url, clock)
    people = [await world.staff(f"Người {i}") for i in range(4)]
    await queue(world, [p.id for p in people[:2]])
    dead, live = sender(world), sender(world)
    await dead.start()
    await live.start()
    dead_rows = await dead.claim()
    await queue(world, [p.id for p in people[2:]])
    live_rows = await live.claim()
    clock.advance(seconds=HEARTBEAT_STALE.total_seconds() + 1)
    await live.beat()  # still running: its heartbeat goes on

    await sender(world).start()

    rows = {r.id: r for r in await world.rows(OutboxMessage)}
    assert {rows[r.id].status for r in dead_rows} == {"pending"}
    assert {rows[r.id].claimed_by for r in dead_rows} == {None}
    assert {rows[r.id].status for r in live_rows} == {"sending"}  # never taken from a live process
    assert {rows[r.id].claimed_by for r in live_rows} == {live.process_id}
    await world.close()


async def test_the_running_sender_beats_its_heartbeat(db_url, clock):
    world = await outbox_world(db_url, clock)
    running = sender(world)
    task = asyncio.create_task(running.run())
    for _ in range(200):
        beats = await world.rows(ProcessHeartbeat, ProcessHeartbeat.id == running.process_id)
        if beats:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    [beat] = beats
    assert beat.seen_at == clock.now()
    await world.close()
