"""Migrations run once, under an advisory lock, and a current database is told by one query without Alembic
(issue 22)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from storage import locks
from storage.migrate import alembic_config, downgrade, is_current, newest_revision, upgrade


def test_the_newest_revision_read_from_the_files_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert newest_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_a_database_is_current_only_at_the_newest_revision(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    assert not await is_current(url)  # never migrated: no alembic_version
    await upgrade(url)
    assert await is_current(url)
    from alembic.script import ScriptDirectory

    previous = ScriptDirectory.from_config(alembic_config()).get_revision(newest_revision()).down_revision
    await downgrade(url, previous)
    assert not await is_current(url)
    await upgrade(url)
    assert await is_current(url)


def test_starting_on_a_current_database_imports_no_alembic(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    asyncio.run(upgrade(url))
    code = (
        "import asyncio, sys\n"
        "from storage.migrate import upgrade\n"
        f"asyncio.run(upgrade({url!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_instances_starting_at_once_on_postgresql_migrate_one_after_the_other(pg_db):
    await asyncio.gather(upgrade(pg_db), upgrade(pg_db), upgrade(pg_db))
    assert await is_current(pg_db)


async def test_a_migration_waits_for_the_one_in_progress(pg_db):
    import asyncpg

    from bot.leader import asyncpg_dsn

    holder = await asyncpg.connect(asyncpg_dsn(pg_db))
    try:
        await holder.execute("SELECT pg_advisory_lock($1, $2)", locks.NAMESPACE, locks.MIGRATE)
        waiting = asyncio.create_task(upgrade(pg_db))
        done, _ = await asyncio.wait([waiting], timeout=1.0)
        assert not done and not await is_current(pg_db)
        await holder.execute("SELECT pg_advisory_unlock($1, $2)", locks.NAMESPACE, locks.MIGRATE)
        await asyncio.wait_for(waiting, 120)
    finally:
        await holder.close()
    assert await is_current(pg_db)


@pytest.mark.parametrize("line", ['revision = "0099"', "revision: str = '0099'"])
def test_the_revision_line_is_read_in_either_quoting(tmp_path, line):
    (tmp_path / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (tmp_path / "0099_b.py").write_text(f'{line}\ndown_revision: str | None = "0001"\n')
    assert newest_revision.__wrapped__(tmp_path) == "0099"


def test_a_command_in_vietnamese_compiles_only_the_vietnamese_catalogues():
    code = (
        "from bot.i18n import catalogue, t\n"
        "t('cli-error', locale='vi', message='x')\n"
        "print(catalogue.cache_info().currsize)\n"
        "t('cli-error', locale='en', message='x')\n"
        "print(catalogue.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "2"]  # English is read only once a text in English is asked for
