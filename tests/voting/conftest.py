from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import fresh_database
from tests.voting.college import Env


@pytest.fixture
async def env(request: pytest.FixtureRequest, sqlite_templates: Any) -> AsyncIterator[Env]:
    """The college's database on SQLite."""
    async for url in fresh_database("sqlite", request, sqlite_templates):
        e = Env(url)
        yield e
        await e.engine.dispose()


@pytest.fixture
async def both_env(db_url: str) -> AsyncIterator[Env]:
    """The college's database on SQLite, then on PostgreSQL (skipped when it is not reachable)."""
    e = Env(db_url)
    yield e
    await e.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def twins(request: pytest.FixtureRequest, sqlite_templates: Any) -> AsyncIterator[tuple[Env, Env]]:
    """Two colleges' databases of one backend, to compare what two runs leave behind."""
    makers = [fresh_database(request.param, request, sqlite_templates) for _ in range(2)]
    envs = [Env(await anext(maker)) for maker in makers]
    yield envs[0], envs[1]
    for e, maker in zip(envs, makers, strict=True):
        await e.engine.dispose()
        async for _ in maker:  # drops or empties the database
            pass
