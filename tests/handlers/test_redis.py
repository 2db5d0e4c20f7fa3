"""With REDIS_URL: FSM, isolation and dedup live in Redis under a key prefix of this run."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.context import Ctx
from bot.devtools.harness import World
from storage.db import make_engine
from tests.conftest import make_settings
from tests.dbs import REDIS_UP, REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_UP, reason="Redis is not reachable")


@asynccontextmanager
async def redis_world_of(world_url, clock, routers=()):
    """A world whose FSM, isolation and dedup live in Redis under a prefix of its own, dropped afterwards."""
    from redis.asyncio import Redis

    prefix = f"thidua-test-{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(REDIS_URL)
    settings = make_settings(world_url, redis_url=REDIS_URL, redis_prefix=prefix)
    w = await World(
        settings, make_engine(world_url), clock, redis=redis, extra_routers=tuple(routers)
    ).start()
    try:
        yield w
    finally:
        await w.close()
        keys = [k async for k in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture
async def redis_world(world_url, clock):
    async with redis_world_of(world_url, clock) as w:
        yield w


async def test_same_update_twice_is_handled_once_with_redis(redis_world):
    hoa = await redis_world.staff("Nguyễn Thị Hoa")
    update = hoa.message_update("/help")
    await redis_world.feed(update)
    await redis_world.feed(update)
    assert len(hoa.messages()) == 1


async def test_conversation_state_lives_in_redis(redis_world):
    hoa = await redis_world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    await hoa.click("English")
    assert hoa.last_text() == "Switched to English."
    from aiogram.fsm.storage.redis import RedisStorage

    storage = redis_world.dp.fsm.storage
    assert isinstance(storage.inner, RedisStorage)  # behind the staging wrapper that waits for the commit
    assert await storage.inner.get_state(hoa.key()) is None  # the language step ended


class ProbeSG(StatesGroup):
    waiting = State()


def fsm_probe(seen: list[str | None]) -> Router:
    r = Router(name="fsm-probe")

    @r.message(Command("wait"))
    async def wait(message: Message, state: FSMContext, ctx: Ctx) -> None:
        await state.set_state(ProbeSG.waiting)
        inner = ctx_storage[0].inner
        seen.append(await inner.get_state(state.key))  # what another instance would read before the commit
        seen.append(await state.get_state())  # this update reads its own change
        if message.text == "/wait fail":
            raise RuntimeError("handler failed after setting the state")

    return r


ctx_storage: list = []


@pytest.fixture
async def redis_probe(world_url, clock):
    seen: list[str | None] = []
    async with redis_world_of(world_url, clock, (fsm_probe(seen),)) as w:
        ctx_storage[:] = [w.dp.fsm.storage]
        w.seen = seen  # type: ignore[attr-defined]
        yield w


async def test_with_redis_a_state_change_is_written_only_after_the_commit(redis_probe):
    hoa = await redis_probe.staff("Nguyễn Thị Hoa")
    await hoa.send("/wait")
    assert redis_probe.seen == [None, ProbeSG.waiting.state]
    assert await redis_probe.dp.fsm.storage.inner.get_state(hoa.key()) == ProbeSG.waiting.state


async def test_with_redis_a_failed_update_leaves_no_state_behind(redis_probe):
    hoa = await redis_probe.staff("Nguyễn Thị Hoa")
    await hoa.send("/wait fail")
    assert await redis_probe.dp.fsm.storage.inner.get_state(hoa.key()) is None


async def test_with_redis_a_conversations_keys_expire_after_the_retention(redis_probe):
    hoa = await redis_probe.staff("Nguyễn Thị Hoa")
    await hoa.send("/wait")
    inner = redis_probe.dp.fsm.storage.inner
    key = inner.key_builder.build(hoa.key(), "state")
    ttl = await inner.redis.ttl(key)
    days = redis_probe.settings.retention_days
    assert days * 86400 - 60 < ttl <= days * 86400  # RETENTION_DAYS (issue 22, M20), not for ever (-1)
