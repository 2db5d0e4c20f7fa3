from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import handlers.render.decisions
import handlers.render.voting  # noqa: F401  (the council vote's wording, for services run without a dispatcher)
from bot.clock import FakeClock
from bot.config import Settings
from bot.devtools.harness import TEST_TOKEN, World
from storage.db import make_engine
from tests.dbs import PG_UP, PgTemplates, SqliteTemplates

# Which database the `world` runs on: sqlite (default) or postgres (THIDUA_TEST_DB=postgres).
WORLD_DB = os.environ.get("THIDUA_TEST_DB", "sqlite")
# THIDUA_TEST_RESTARTS=1: every world restarts its bot before every update and gets each update twice (the
# reliability suite, decision 44; tests/unit/test_conversations_restart.py); the conversation states the
# worlds went through are written to THIDUA_TEST_STATES, one a line, for its account of the StatesGroups
RESTARTS = os.environ.get("THIDUA_TEST_RESTARTS") == "1"
STATES_SEEN: dict[str, set[str]] = {}  # a state -> the tests that went through it


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    t = SqliteTemplates(tmp_path_factory.mktemp("db"))
    t.prepare()
    return t


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[PgTemplates | None]:
    if not PG_UP:
        yield None
        return
    t = PgTemplates()
    t.prepare()
    yield t
    t.drop_all()


async def fresh_database(
    backend: str, request: pytest.FixtureRequest, sqlite_templates: SqliteTemplates
) -> AsyncIterator[str]:
    """A migrated database of its own for one test; PostgreSQL is skipped when not reachable."""
    if backend == "sqlite":
        yield sqlite_templates.fresh()
        return
    pg: PgTemplates | None = request.getfixturevalue("pg_templates")
    if pg is None:
        pytest.skip("PostgreSQL is not reachable")
    url = await pg.fresh()
    yield url
    await pg.drop(url)


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, sqlite_templates: SqliteTemplates) -> AsyncIterator[str]:
    """A migrated database on each backend."""
    async for url in fresh_database(request.param, request, sqlite_templates):
        yield url


EXPORT_DIR = Path(tempfile.gettempdir()) / f"thidua-test-exports-{os.getpid()}"
atexit.register(shutil.rmtree, EXPORT_DIR, ignore_errors=True)


def make_settings(url: str, **kw: object) -> Settings:
    base: dict[str, object] = {
        "bot_token": TEST_TOKEN,
        "database_url": url,
        "redis_url": None,
        "outbox_rate_global": 1000.0,
        "outbox_rate_private": 1000.0,
        "outbox_group_per_minute": 60000.0,
        "vote_secret": "test-vote-secret-not-for-production",  # the council's ballots (issue 19)
        "export_dir": str(EXPORT_DIR),  # issue 21: the built files, removed when the run ends
    }
    base.update(kw)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def world_url(request: pytest.FixtureRequest, sqlite_templates: SqliteTemplates) -> AsyncIterator[str]:
    """The world's database: SQLite, or PostgreSQL with THIDUA_TEST_DB=postgres."""
    async for url in fresh_database(WORLD_DB, request, sqlite_templates):
        yield url


@pytest.fixture
async def world(world_url: str, clock: FakeClock, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    engine = make_engine(world_url)
    w = World(make_settings(world_url), engine, clock)
    marker = request.node.get_closest_marker("restarts")
    w.restarts = RESTARTS or marker is not None
    w.note_states = bool(os.environ.get("THIDUA_TEST_STATES"))
    await w.start()
    try:
        yield w
        for state in w.states_seen:
            STATES_SEEN.setdefault(state, set()).add(request.node.nodeid)
        if marker is not None:  # it went through each named conversation, restarted at every step
            groups = {state.split(":", 1)[0] for state in w.states_seen}
            missing = set(marker.args) - groups
            assert not missing, f"no state of {sorted(missing)} was reached; reached: {sorted(w.states_seen)}"
    finally:
        await w.close()
        await engine.dispose()


@pytest.fixture
async def pg_url(request: pytest.FixtureRequest, sqlite_templates: SqliteTemplates) -> AsyncIterator[str]:
    """A migrated PostgreSQL database of its own (skipped when PostgreSQL is not reachable)."""
    async for url in fresh_database("postgres", request, sqlite_templates):
        yield url


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported (aiogram, SQLAlchemy, pydantic, every feature) lives until the end: freeze it, so
    that a full garbage collection no longer walks its ~300 000 objects each time (THIDUA_TEST_GC_FREEZE=0
    to compare)."""
    if os.environ.get("THIDUA_TEST_GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out = os.environ.get("THIDUA_TEST_STATES")
    if out:
        lines = (f"{state}\t{test}\n" for state in sorted(STATES_SEEN) for test in sorted(STATES_SEEN[state]))
        Path(out).write_text("".join(lines), encoding="utf-8")
