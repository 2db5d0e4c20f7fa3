"""The identity cache invalidated across instances through Redis pub/sub, and cleared whole whenever the
subscription is made again (issue 22)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from click.testing import CliRunner
from redis.asyncio import Redis

from bot.identity import MISSING, IdentityCache
from bot.identity_bus import IdentityBus, channel_of
from bot.roles import Member


def someone() -> Member:
    return Member.__new__(Member)  # its content does not matter here: only whether it is cached


@contextlib.asynccontextmanager
async def instance(
    url: str, prefix: str, name: str
) -> AsyncIterator[tuple[IdentityCache, IdentityBus, Redis]]:
    """One instance's cache, listening on the bus (its connection named, so that a test can cut it)."""
    redis = Redis.from_url(url, client_name=f"{prefix}-{name}")
    cache = IdentityCache()
    bus = IdentityBus(redis, prefix)
    cache.bus = bus
    listener = asyncio.create_task(bus.listen(cache, retry=0.1))
    await asyncio.wait_for(bus.subscribed.wait(), 5)
    try:
        yield cache, bus, redis
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await redis.aclose()


async def eventually(predicate) -> None:  # type: ignore[no-untyped-def]
    """Polls: what it waits for happens in another instance's listener, which signals nothing."""
    async with asyncio.timeout(5):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_person_invalidated_on_one_instance_is_dropped_on_the_other(redis_prefix):
    url, prefix = redis_prefix
    async with instance(url, prefix, "a") as (a, _, _r), instance(url, prefix, "b") as (b, _, _r2):
        b.put(42, someone())
        b.put(43, someone())
        a.invalidate(42)
        await eventually(lambda: b.get(42) is MISSING)
        assert b.get(43) is not MISSING  # only the person who changed


async def test_everyone_invalidated_on_one_instance_clears_the_other(redis_prefix):
    url, prefix = redis_prefix
    async with instance(url, prefix, "a") as (a, _, _r), instance(url, prefix, "b") as (b, _, _r2):
        b.put(42, someone())
        a.invalidate()
        await eventually(lambda: b.get(42) is MISSING)


async def test_another_deployments_prefix_is_not_heard(redis_prefix):
    url, prefix = redis_prefix
    async with instance(url, prefix, "a") as (a, _, _r), instance(url, prefix + "x", "b") as (b, _, _r2):
        b.put(42, someone())
        a.invalidate(42)
        await asyncio.sleep(0.3)
        assert b.get(42) is not MISSING


async def test_the_cache_is_cleared_whole_when_the_subscription_comes_back(redis_prefix):
    url, prefix = redis_prefix
    async with instance(url, prefix, "b") as (b, bus, _redis):
        b.put(42, someone())
        bus.subscribed.clear()
        admin = Redis.from_url(url)
        try:  # cut only this test's subscriber: the server is shared
            clients = await admin.client_list()
            for c in clients:
                if c.get("name") == f"{prefix}-b" and c.get("cmd") in ("subscribe", "ssubscribe", "ping"):
                    await admin.client_kill_filter(_id=c["id"])
        finally:
            await admin.aclose()
        await asyncio.wait_for(bus.subscribed.wait(), 10)
        assert b.get(42) is MISSING  # what was published while away is unknown: everyone is forgotten


async def test_a_redis_dispatcher_publishes_its_invalidations(redis_prefix, tmp_path):
    from bot.app import create_dispatcher
    from bot.config import Settings

    url, prefix = redis_prefix
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        redis_url=url,
        redis_prefix=prefix,
    )
    dp = create_dispatcher(settings)
    try:
        async with instance(url, prefix, "b") as (b, _, _r):
            b.put(7, someone())
            dp["identity"].invalidate(7)
            await eventually(lambda: b.get(7) is MISSING)
    finally:
        await dp["redis"].aclose()
        await dp["engine"].dispose()


async def test_thidua_admin_add_has_every_instance_forget_everyone(redis_prefix, tmp_path):
    from bot.cli import main

    url, prefix = redis_prefix
    listener = Redis.from_url(url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(channel_of(prefix))
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "REDIS_URL": url,
        "REDIS_PREFIX": prefix,
        "BOT_TOKEN": "",
    }
    try:
        result = await asyncio.to_thread(
            CliRunner().invoke, main, ["admin", "add", "555", "--name", "Lê Văn An"], env=env
        )
        assert result.exit_code == 0, result.output
        heard: set[bytes] = set()
        async with asyncio.timeout(5):
            while b"*" not in heard:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message:
                    heard.add(message["data"])
        assert heard <= {b"*", b"555"}  # the new admin by the service, everyone by the command
    finally:
        await pubsub.aclose()
        await listener.aclose()


@pytest.mark.parametrize("data", [b"not a number", b""])
def test_a_message_it_cannot_read_changes_nothing(data):
    cache = IdentityCache()
    cache.put(1, someone())
    IdentityBus(None, "p").handle(cache, {"type": "message", "data": data})
    assert cache.get(1) is not MISSING


async def test_a_row_queued_on_a_follower_wakes_the_leaders_sender_at_once(redis_prefix):
    from bot.identity_bus import SharedWake

    url, prefix = redis_prefix
    follower_redis, leader_redis = Redis.from_url(url), Redis.from_url(url)
    follower, leader = SharedWake(follower_redis, prefix), SharedWake(leader_redis, prefix)
    bus = IdentityBus(leader_redis, prefix)
    listener = asyncio.create_task(bus.listen(IdentityCache(), wake=leader))
    try:
        await asyncio.wait_for(bus.subscribed.wait(), 5)
        assert not leader.is_set()
        follower.set()  # what the follower's unit of work does once a row is committed
        await asyncio.wait_for(leader.wait(), 5)
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await follower_redis.aclose()
        await leader_redis.aclose()


async def test_a_dispatcher_with_redis_shares_its_outbox_wake_up(redis_prefix, tmp_path):
    from bot.app import create_dispatcher
    from bot.config import Settings
    from bot.identity_bus import SharedWake

    url, prefix = redis_prefix
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        redis_url=url,
        redis_prefix=prefix,
    )
    dp = create_dispatcher(settings)
    try:
        assert isinstance(dp["outbox_wake"], SharedWake)
    finally:
        await dp["redis"].aclose()
        await dp["engine"].dispose()
