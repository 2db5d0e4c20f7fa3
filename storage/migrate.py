"""Run Alembic migrations from code: at start-up, from `thidua migrate` and from tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def _run(engine: AsyncEngine, fn: str, revision: str) -> None:
    def go(connection) -> None:  # type: ignore[no-untyped-def]
        cfg = alembic_config(str(engine.url))
        cfg.attributes["connection"] = connection
        getattr(command, fn)(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(go)


async def _migrate(url_or_engine: str | AsyncEngine, fn: str, revision: str) -> None:
    owned = isinstance(url_or_engine, str)
    engine = make_engine(url_or_engine) if owned else url_or_engine
    try:
        await _run(engine, fn, revision)
    finally:
        if owned:
            await engine.dispose()


async def upgrade(url_or_engine: str | AsyncEngine, revision: str = "head") -> None:
    await _migrate(url_or_engine, "upgrade", revision)


async def downgrade(url_or_engine: str | AsyncEngine, revision: str) -> None:
    await _migrate(url_or_engine, "downgrade", revision)
