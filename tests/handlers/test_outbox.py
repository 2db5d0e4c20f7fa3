"""The outbox sender against a misbehaving Telegram: 429, 5xx, 403, and a crash between claim and send."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import select

from bot.clock import FakeClock
from bot.context import Ctx
from bot.devtools.harness import World
from bot.identity import IdentityCache
from bot.sender import OutboxSender
from bot.services.outbox import Outbox
from storage.db import make_engine
from storage.models import AuditEntry, OutboxMessage, Person
from storage.uow import UnitOfWork
from tests.conftest import make_settings


async def queue(world: World, chat_ids: list[int], text: str = "Thông báo") -> None:
    async with UnitOfWork(world.sessionmaker) as uow:
        ctx = Ctx(uow, world.clock, IdentityCache(), world.settings)
        for chat_id in chat_ids:
            Outbox(ctx).enqueue(chat_id, f"{text} {chat_id}")


async def outbox_world(db_url: str, clock: FakeClock, **settings: object) -> World:
    return await World(make_settings(db_url, **settings), make_engine(db_url), clock).start()


async def test_every_recipient_gets_exactly_one_message_despite_429_500_and_403(db_url, clock):
    world = await outbox_world(db_url, clock)
    people = [await world.staff(f"Người {i}") for i in range(5)]
    flooded, broken, blocked = people[0], people[1], people[2]
    world.api.flood(flooded.id, retry_after=7)
    world.api.server_error(broken.id, times=2)
    world.api.block(blocked.id)
    await queue(world, [p.id for p in people])
    start = clock.now()

    await world.drain_outbox()

    for p in people:
        expected = 0 if p is blocked else 1
        assert len(p.messages()) == expected, p.name
    assert (clock.now() - start).total_seconds() >= 7  # the flooded chat waited retry_after
    rows = await world.rows(OutboxMessage)
    assert {r.chat_id: r.status for r in rows} == {
        p.id: ("blocked" if p is blocked else "sent") for p in people
    }
    [marked] = await world.rows(Person, Person.unreachable.is_(True))
    assert marked.telegram_id == blocked.id
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.unreachable")) == 1
    await world.close()


async def test_a_429_pauses_only_that_chat(db_url, clock):
    world = await outbox_world(db_url, clock)
    slow, fast = await world.staff("Chậm"), await world.staff("Nhanh")
    world.api.flood(slow.id, retry_after=30)
    await queue(world, [slow.id, fast.id])
    sender = world.sender
    await sender.drain_once()
    assert len(fast.messages()) == 1 and len(slow.messages()) == 0
    [row] = await world.rows(OutboxMessage, OutboxMessage.chat_id == slow.id)
    assert row.status == "pending" and (row.not_before - clock.now()).total_seconds() >= 29
    clock.advance(seconds=30)
    await world.drain_outbox()
    assert len(slow.messages()) == 1
    await world.close()


async def test_a_blocked_person_is_not_retried(db_url, clock):
    world = await outbox_world(db_url, clock)
    gone = await world.staff("Đã chặn")
    world.api.block(gone.id)
    await queue(world, [gone.id, gone.id])
    await world.drain_outbox()
    calls = [c for c in world.api.calls_of("sendMessage") if c.params["chat_id"] == gone.id]
    assert len(calls) == 1
    assert {r.status for r in await world.rows(OutboxMessage)} == {"blocked"}
    await world.close()


async def test_server_errors_past_the_attempt_limit_are_still_retried(db_url, clock):
    """Issue 18, item 1: a 5xx is an outage, retried until the row expires (test_outbox_expiry.py)."""
    world = await outbox_world(db_url, clock, outbox_max_attempts=3)
    p = await world.staff("Lỗi lâu")
    world.api.server_error(p.id, times=5)
    await queue(world, [p.id])
    await world.drain_outbox()
    [row] = await world.rows(OutboxMessage)
    assert row.status == "sent" and row.attempts == 6
    await world.close()


async def test_a_crash_between_claim_and_send_still_delivers_once(db_url, clock):
    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await queue(world, [hoa.id])
    claimed = await world.sender.claim()  # the process dies right after claiming
    assert [r.status for r in claimed] == ["sending"]
    restarted = OutboxSender(world.bot, world.sessionmaker, clock, world.settings)
    assert await restarted.claim() == []  # still within the lease: nobody takes it twice
    await restarted.drain()  # the lease runs out on the fake clock; the row is taken again
    assert len(hoa.messages()) == 1
    [row] = await world.rows(OutboxMessage)
    assert row.status == "sent"
    await world.close()


async def test_two_senders_never_claim_the_same_row(db_url, clock):
    world = await outbox_world(db_url, clock)
    await queue(world, list(range(1, 41)))
    a = OutboxSender(world.bot, world.sessionmaker, clock, world.settings, batch=15)
    b = OutboxSender(world.bot, world.sessionmaker, clock, world.settings, batch=15)
    first, second = await asyncio.gather(a.claim(), b.claim())
    ids_a, ids_b = {r.id for r in first}, {r.id for r in second}
    assert not ids_a & ids_b
    assert len(ids_a) + len(ids_b) == 30
    await world.close()


async def test_pace_per_private_chat_is_respected(world_url):
    world = await World(make_settings(world_url, outbox_rate_private=20.0), make_engine(world_url)).start()
    await queue(world, [555] * 5)
    started = world.clock.now()
    await world.drain_outbox()
    elapsed = (world.clock.now() - started).total_seconds()  # the pace is kept on the sender's clock
    assert len(world.api.sent_to(555)) == 5
    assert elapsed >= 4 / 20  # 5 messages at 20/s to one chat take at least 0.2 s
    async with world.session() as s:
        assert (await s.scalar(select(OutboxMessage.status).limit(1))) == "sent"
    await world.close()


async def test_a_later_message_waits_behind_one_that_met_a_server_error(db_url, clock):
    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.server_error(hoa.id, times=1)
    await queue(world, [hoa.id], "Thứ nhất")
    await queue(world, [hoa.id], "Thứ hai")
    await world.drain_outbox()
    assert [m.text for m in hoa.messages()] == [f"Thứ nhất {hoa.id}", f"Thứ hai {hoa.id}"]
    await world.close()


async def test_a_row_that_cannot_be_sent_neither_stops_the_others_nor_loops_forever(db_url, clock):
    world = await outbox_world(db_url, clock, outbox_max_attempts=2)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.staff("Trần Văn Minh")
    async with UnitOfWork(world.sessionmaker) as uow:
        ctx = Ctx(uow, world.clock, IdentityCache(), world.settings)
        Outbox(ctx).enqueue(hoa.id, "Hỏng", reply_markup={"not": "a keyboard"})
        Outbox(ctx).enqueue(minh.id, "Lành")
    world.api.fail("*", 401, "Unauthorized", chat_id=minh.id)  # not a 429/403/400/5xx either
    await world.drain_outbox()
    statuses = {r.chat_id: (r.status, r.attempts) for r in await world.rows(OutboxMessage)}
    assert statuses == {hoa.id: ("failed", 2), minh.id: ("sent", 2)}
    assert hoa.messages() == [] and [m.text for m in minh.messages()] == ["Lành"]
    await world.close()


class SlowSender(OutboxSender):
    """Each request takes 40 s on the fake clock, as when a chat's pace makes rows wait their turn."""

    async def _send(self, row: OutboxMessage, target, take_slot) -> int:  # type: ignore[no-untyped-def]
        message_id = await super()._send(row, target, take_slot)
        self.clock.advance(seconds=40)
        return message_id


async def test_a_row_whose_claim_would_lapse_is_handed_back_unsent(db_url, clock):
    world = await outbox_world(db_url, clock)  # a lease of 120 s: rows claimed at once wait at most 60 s
    hoa = await world.staff("Nguyễn Thị Hoa")
    await queue(world, [hoa.id] * 3)
    sender = SlowSender(world.bot, world.sessionmaker, clock, world.settings)
    await sender.drain_once()
    assert len(hoa.messages()) == 2  # the third would have gone out 80 s after its claim
    rows = sorted(await world.rows(OutboxMessage), key=lambda r: r.id)
    assert [r.status for r in rows] == ["sent", "sent", "pending"] and rows[2].attempts == 0
    await sender.drain()
    assert len(hoa.messages()) == 3
    await world.close()


async def test_a_message_committed_while_the_sender_looks_for_work_wakes_it(db_url, clock):
    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    queued = asyncio.Event()

    class Racing(OutboxSender):
        async def next_due(self):  # type: ignore[no-untyped-def]
            due = await super().next_due()
            if not queued.is_set():  # a handler commits a row (and wakes the sender) right now
                queued.set()
                await queue(world, [hoa.id])
                self.wake.set()
            return due

    sender = Racing(world.bot, world.sessionmaker, clock, world.settings, wake=asyncio.Event())
    sender.idle_wait = 120.0  # a lost wake-up would wait this long; a busy machine still answers in 10 s
    task = asyncio.create_task(sender.run())
    try:
        for _ in range(200):
            if hoa.messages():
                break
            await asyncio.sleep(0.05)
        assert len(hoa.messages()) == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            async with asyncio.timeout(10):  # a cancel swallowed by the wait would keep it running
                await task
    await world.close()


async def test_a_person_who_blocked_the_bot_and_writes_again_is_reachable(db_url, clock):
    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")  # identity cached
    world.api.block(hoa.id)
    await queue(world, [hoa.id], "Trước")
    await world.drain_outbox()
    [person] = await world.rows(Person)
    assert person.unreachable
    world.api.failures.clear()  # she unblocks the bot and writes to it
    await hoa.send("/help")
    [person] = await world.rows(Person)
    assert not person.unreachable
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.reachable")
    assert entry.actor_id == person.id and entry.after == {"unreachable": False}
    await queue(world, [hoa.id], "Sau")
    await world.drain_outbox()
    assert hoa.messages()[-1].text == f"Sau {hoa.id}"
    await world.close()


async def test_only_a_private_message_makes_a_blocked_person_reachable(db_url, clock):
    from aiogram.types import Chat

    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.block(hoa.id)
    await queue(world, [hoa.id])
    await world.drain_outbox()
    await world.feed(hoa.message_update("xin chào", chat=Chat(id=-100123, type="supergroup", title="Nhóm")))
    [person] = await world.rows(Person)
    assert person.unreachable
    await world.close()
