"""/healthz and /metrics (issue 22): the database and Redis reachable; updates, latency, sends, outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.app import create_dispatcher
from bot.devtools.harness import World
from bot.metrics import REGISTRY
from bot.ops import ops_app
from storage.models import OutboxMessage
from tests.conftest import make_settings


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def ops(world: World) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(ops_app(world.dp))) as c:
        yield c


async def test_healthz_is_ok_when_the_database_answers(ops):
    response = await ops.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"database": "ok", "redis": "not used"}


async def test_healthz_is_503_when_the_database_is_unreachable():
    dp = create_dispatcher(make_settings("postgresql+asyncpg://nobody@127.0.0.1:9/none"))
    async with TestClient(TestServer(ops_app(dp))) as c:
        response = await c.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["database"].startswith("failed") and body["redis"] == "not used"
        assert "nobody" not in await response.text()  # the error's name only, never the address
    await dp["engine"].dispose()


async def test_healthz_is_503_when_redis_is_unreachable(world_url):
    redis = Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.5)
    dp = create_dispatcher(make_settings(world_url), redis=redis)
    async with TestClient(TestServer(ops_app(dp))) as c:
        response = await c.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["database"] == "ok" and body["redis"].startswith("failed")
    await dp["engine"].dispose()
    await redis.aclose()


async def test_an_update_is_counted_and_timed_by_its_handler(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    updates = value("thidua_updates_total", type="message")
    timed = value("thidua_handler_seconds_count", handler="common.help_")
    direct = value("thidua_sends_total", source="direct", result="ok")
    await hoa.send("/help")
    assert value("thidua_updates_total", type="message") == updates + 1
    assert value("thidua_handler_seconds_count", handler="common.help_") == timed + 1
    assert value("thidua_sends_total", source="direct", result="ok") == direct + len(hoa.messages())


async def test_outbox_sends_are_counted_by_result(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    minh = await world.staff("Trần Văn Minh")
    await queue(world, hoa.id, "notice")
    await queue(world, minh.id, "notice")
    world.api.block(minh.id)
    ok = value("thidua_sends_total", source="outbox", result="ok")
    refused = value("thidua_sends_total", source="outbox", result="forbidden")
    await world.drain_outbox()
    assert value("thidua_sends_total", source="outbox", result="ok") == ok + 1
    assert value("thidua_sends_total", source="outbox", result="forbidden") == refused + 1


async def test_metrics_show_the_outbox_by_state_and_the_reminders_due(world, ops):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await queue(world, hoa.id, "reminder")
    await queue(world, hoa.id, "reminder", later=True)  # due tomorrow: not due now
    await queue(world, hoa.id, "notice")
    response = await ops.get("/metrics")
    assert response.status == 200 and response.content_type == "text/plain"
    body = await response.text()
    assert 'thidua_outbox_messages{state="pending"} 3.0' in body
    assert 'thidua_outbox_messages{state="sent"} 0.0' in body
    assert "thidua_reminders_due 1.0" in body
    assert "thidua_handler_seconds_bucket" in body and "thidua_updates_total" in body
    await world.drain_outbox()
    body = await (await ops.get("/metrics")).text()
    assert 'thidua_outbox_messages{state="sent"} 2.0' in body
    assert "thidua_reminders_due 0.0" in body


async def queue(world: World, chat_id: int, kind: str, *, later: bool = False) -> None:
    now = world.clock.now()
    async with world.session() as s:
        s.add(
            OutboxMessage(
                chat_id=chat_id,
                kind=kind,
                method="message",
                text=f"{kind} text",
                status="pending",
                attempts=0,
                not_before=now + timedelta(days=1) if later else now,
                created_at=now,
            )
        )
        await s.commit()
