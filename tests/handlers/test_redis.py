"""With REDIS_URL: FSM, isolation and dedup live in Redis under a key prefix of this run."""

from __future__ import annotations

import uuid

import pytest

from bot.devtools.harness import World
from storage.db import make_engine
from tests.conftest import make_settings
from tests.dbs import REDIS_UP, REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_UP, reason="Redis is not reachable")


@pytest.fixture
async def redis_world(world_url, clock):
    from redis.asyncio import Redis

    prefix = f"thidua-test-{uuid.uuid4().hex[:8]}"
    redis = Redis.from_url(REDIS_URL)
    settings = make_settings(world_url, redis_url=REDIS_URL, redis_prefix=prefix)
    w = await World(settings, make_engine(world_url), clock, redis=redis).start()
    yield w
    await w.close()
    keys = [k async for k in redis.scan_iter(f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


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

    assert isinstance(redis_world.dp.fsm.storage, RedisStorage)
