"""A message is retried through an outage until it expires (issue 18, item 1): 5xx and network errors are
retried until `expires_at` (a reminder's deadline) or `created_at + OUTBOX_GIVE_UP_AFTER`, with the backoff
capped; only errors of another kind are capped by OUTBOX_MAX_ATTEMPTS."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import VN_TZ
from bot.context import Ctx
from bot.identity import IdentityCache
from bot.services.outbox import Outbox
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from tests.handlers.test_outbox import outbox_world, queue
from tests.handlers.test_reminders import SEVEN_DAYS, open_year, reminders_of


async def test_a_half_hour_outage_of_5xx_and_network_errors_loses_nothing(db_url, clock):
    world = await outbox_world(db_url, clock, outbox_max_attempts=3)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.server_error(hoa.id, times=8)  # 2+4+…+256 s: more than the old give-up after 8 attempts
    world.api.network_error(hoa.id, times=8)  # then the connection drops: 300 s each, capped
    await queue(world, [hoa.id])
    start = clock.now()

    await world.drain_outbox()

    assert len(hoa.messages()) == 1
    [row] = await world.rows(OutboxMessage)
    assert row.status == "sent" and row.attempts == 17
    assert clock.now() - start > timedelta(minutes=30)
    await world.close()


async def test_a_message_without_an_expiry_gives_up_after_outbox_give_up_after(db_url, clock):
    world = await outbox_world(db_url, clock, outbox_give_up_after="1h")
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.server_error(hoa.id, times=10**6)
    await queue(world, [hoa.id])
    start = clock.now()

    await world.drain_outbox()

    [row] = await world.rows(OutboxMessage)
    assert (row.status, row.error) == ("failed", "gave_up")
    assert row.expires_at is None
    assert clock.now() >= start + timedelta(hours=1)  # tried until then…
    assert clock.now() < start + timedelta(hours=1, seconds=1)  # …the last try at the expiry itself
    tries = len(world.api.calls_of("sendMessage"))
    assert 12 <= tries <= 20  # the backoff is capped at 300 s: no try an hour apart, no hammering
    await world.close()


async def test_an_unexpected_error_is_still_given_up_after_outbox_max_attempts(db_url, clock):
    world = await outbox_world(db_url, clock, outbox_max_attempts=3)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.fail("*", 502, "Bad Gateway", hoa.id, times=1)  # a 5xx: does not count
    await queue(world, [hoa.id])
    original = world.api.make_request
    calls = {"n": 0}

    async def broken(bot, method, timeout=None):  # type: ignore[no-untyped-def]  # noqa: ASYNC109
        calls["n"] += 1
        if calls["n"] > 1:
            raise ValueError("a bug of ours (injected)")
        return await original(bot, method, timeout)

    world.api.make_request = broken  # type: ignore[method-assign]
    await world.drain_outbox()
    [row] = await world.rows(OutboxMessage)
    assert (row.status, row.error, row.attempts) == ("failed", "gave_up", 3)
    await world.close()


async def test_a_row_with_its_own_expiry_is_retried_until_then_and_no_longer(db_url, clock):
    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.network_error(hoa.id, times=10**6)
    expires = clock.now() + timedelta(minutes=20)
    async with UnitOfWork(world.sessionmaker) as uow:
        Outbox(Ctx(uow, clock, IdentityCache(), world.settings)).enqueue(hoa.id, "Nhắc", expires_at=expires)
    await world.drain_outbox()
    [row] = await world.rows(OutboxMessage)
    assert (row.status, row.error) == ("failed", "gave_up") and row.expires_at == expires
    assert expires <= clock.now() < expires + timedelta(seconds=1)
    await world.close()


async def test_a_reminder_expires_at_its_deadline_and_outlasts_an_outage(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.server_error(hoa.id, times=12)  # about 45 minutes of 5xx
    world.clock.set(SEVEN_DAYS)
    await world.run_due()
    await world.drain_outbox()
    assert len(reminders_of(hoa)) == 1
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert row.status == "sent"
    assert row.expires_at == datetime(2024, 10, 31, 23, 59, 59, 999999, tzinfo=VN_TZ)  # the deadline
