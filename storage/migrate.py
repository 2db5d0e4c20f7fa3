"""Run Alembic migrations from code: at start-up, from `thidua migrate` and from tests.

`upgrade` first asks whether the database is current (`is_current`: one query on `alembic_version` against
the newest revision read from the versions' files), and only then imports Alembic: a start, or an
operator's command, on a current database pays neither Alembic's import nor its script directory. On
PostgreSQL the migration runs under the advisory lock `storage.locks.MIGRATE`, so instances starting at once
migrate one after the other; the next one finds the database current and does nothing.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import locks
from storage.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision(?:\s*:[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]*)?\s*=\s*(.+)$", re.M)


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@cache
def newest_revision(versions: Path = MIGRATIONS / "versions") -> str | None:
    """The head revision, read from the files' `revision` and `down_revision` lines (None: not one head)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found[1])
        down = _DOWN.search(source)
        if down is not None:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down[1]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def _current(conn: AsyncConnection) -> bool:
    head = newest_revision()
    if head is None:
        return False
    try:
        async with conn.begin_nested() if conn.in_transaction() else conn.begin():
            rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except Exception:  # no alembic_version table: never migrated
        return False
    return list(rows) == [head]


async def is_current(url_or_engine: str | AsyncEngine) -> bool:
    """Whether the database is at the newest revision: one query, no Alembic."""
    owned = isinstance(url_or_engine, str)
    engine = make_engine(url_or_engine) if owned else url_or_engine
    try:
        async with engine.connect() as conn:
            return await _current(conn)
    finally:
        if owned:
            await engine.dispose()


async def _run(engine: AsyncEngine, fn: str, revision: str) -> None:
    def go(connection: Any) -> None:
        from alembic import command

        cfg = alembic_config(str(engine.url))
        cfg.attributes["connection"] = connection
        getattr(command, fn)(cfg, revision)

    pg = engine.dialect.name == "postgresql"
    async with engine.connect() as conn:
        if pg:  # one migration at a time: held by this session until it ends (or unlocks below)
            await conn.execute(
                text("SELECT pg_advisory_lock(:ns, :key)"), {"ns": locks.NAMESPACE, "key": locks.MIGRATE}
            )
            await conn.commit()
        try:
            if fn == "upgrade" and revision == "head" and await _current(conn):
                return  # another instance migrated while this one waited for the lock
            async with conn.begin():
                await conn.run_sync(go)
        finally:
            if pg:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(:ns, :key)"),
                    {"ns": locks.NAMESPACE, "key": locks.MIGRATE},
                )
                await conn.commit()


async def _migrate(url_or_engine: str | AsyncEngine, fn: str, revision: str) -> None:
    owned = isinstance(url_or_engine, str)
    engine = make_engine(url_or_engine) if owned else url_or_engine
    try:
        if fn == "upgrade" and revision == "head" and await is_current(engine):
            return
        await _run(engine, fn, revision)
    finally:
        if owned:
            await engine.dispose()


async def upgrade(url_or_engine: str | AsyncEngine, revision: str = "head") -> None:
    await _migrate(url_or_engine, "upgrade", revision)


async def downgrade(url_or_engine: str | AsyncEngine, revision: str) -> None:
    await _migrate(url_or_engine, "downgrade", revision)
