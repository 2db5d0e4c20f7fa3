"""Migrations (stairway, models = migrations), the append-only audit log, the unit of work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, text, update

from bot.clock import FakeClock
from bot.context import Ctx
from bot.identity import IdentityCache
from bot.services.audit import Audit
from storage.db import Base, make_engine, make_sessionmaker
from storage.migrate import alembic_config, downgrade, upgrade
from storage.models import AuditEntry
from storage.uow import AppendOnlyViolation, UnitOfWork
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def test_stairway_each_revision_goes_up_and_down(db_url):
    engine = make_engine(db_url)
    await downgrade(engine, "base")  # db_url comes migrated
    for rev in revisions():
        await upgrade(engine, rev)
        await downgrade(engine, "-1")
        await upgrade(engine, rev)
    await engine.dispose()


async def model_changes(db_url: str, metadata: MetaData) -> list[object]:
    engine = make_engine(db_url)

    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)

    async with engine.connect() as conn:
        changes = await conn.run_sync(diff)
    await engine.dispose()
    return changes


async def test_models_match_the_migrations(db_url):
    assert await model_changes(db_url, Base.metadata) == []


async def test_the_models_check_sees_a_drift(db_url):
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(drifted)
    drifted.tables["outbox"].append_column(Column("forgotten", Integer))  # a model change, no migration
    drifted.tables["person"].c.email.type = String(50)  # a changed type
    changes = await model_changes(db_url, drifted)
    assert any(c[0] == "add_column" and c[3].name == "forgotten" for c in changes)  # type: ignore[index]
    assert any(isinstance(c, list) and c[0][0] == "modify_type" for c in changes)


async def audit_entry(db_url: str) -> tuple[object, int]:
    engine = make_engine(db_url)
    sm = make_sessionmaker(engine)
    async with UnitOfWork(sm) as uow:
        ctx = Ctx(uow, FakeClock(), IdentityCache(), make_settings(db_url))
        entry = Audit(ctx).record("test.done", "thing", 1, before={"a": 1}, after={"a": 2})
        await uow.session.flush()
        entry_id = entry.id
    return engine, entry_id


async def test_audit_entries_cannot_be_changed_through_the_orm(db_url):
    engine, entry_id = await audit_entry(db_url)
    sm = make_sessionmaker(engine)
    async with sm() as s:
        entry = await s.get(AuditEntry, entry_id)
        entry.action = "forged"
        with pytest.raises(AppendOnlyViolation):
            await s.flush()
    async with sm() as s:
        await s.delete(await s.get(AuditEntry, entry_id))
        with pytest.raises(AppendOnlyViolation):
            await s.flush()
    async with sm() as s:
        with pytest.raises(AppendOnlyViolation):
            await s.execute(update(AuditEntry).values(action="forged"))
    await engine.dispose()


async def test_audit_entries_cannot_be_changed_even_with_raw_sql(db_url):
    engine, _ = await audit_entry(db_url)
    for sql in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(sql))
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT action FROM audit_log"))).scalar_one() == "test.done"
    await engine.dispose()


def test_no_code_path_updates_or_deletes_the_audit_log():
    pattern = re.compile(r"(update|delete)\(\s*AuditEntry|(UPDATE|DELETE FROM)\s+audit_log", re.I)
    offenders = []
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


async def test_unit_of_work_rolls_back_on_error(db_url):
    engine = make_engine(db_url)
    sm = make_sessionmaker(engine)
    with pytest.raises(RuntimeError):
        async with UnitOfWork(sm) as uow:
            ctx = Ctx(uow, FakeClock(), IdentityCache(), make_settings(db_url))
            Audit(ctx).record("test.half", "thing", 1)
            await uow.session.flush()
            raise RuntimeError("half-way")
    async with sm() as s:
        assert (await s.execute(text("SELECT count(*) FROM audit_log"))).scalar_one() == 0
    await engine.dispose()
