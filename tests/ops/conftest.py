"""Several instances (issue 22): each test makes and drops its own PostgreSQL database and Redis prefix, and
is skipped where PostgreSQL (127.0.0.1:5432, trust) or Redis (127.0.0.1:6379) is not reachable."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.dbs import PG_HOST, PG_UP, REDIS_UP, REDIS_URL

ADMIN_DSN = PG_HOST.replace("postgresql+asyncpg", "postgresql") + "/test"


@pytest.fixture
async def pg_db() -> AsyncIterator[str]:
    """A database of this test's own, empty (not migrated): its SQLAlchemy URL."""
    if not PG_UP:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    import asyncpg

    name = f"ops_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{PG_HOST}/{name}"
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def backends_of(url: str) -> list[int]:
    """The server pids of the sessions on the test's database, but the one asking."""
    import asyncpg

    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        rows = await admin.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name
        )
        return [r["pid"] for r in rows]
    finally:
        await admin.close()


async def terminate(pid: int) -> None:
    import asyncpg

    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[tuple[str, str]]:
    """(REDIS_URL, a prefix of this test's own); its keys are deleted after."""
    if not REDIS_UP:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    from redis.asyncio import Redis

    prefix = f"ops-{uuid.uuid4().hex[:10]}"
    yield REDIS_URL, prefix
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
