"""The PostgreSQL test databases: one a test changed beyond its rows is not handed to the next test."""

from __future__ import annotations

import asyncio

import pytest

from tests.dbs import PgTemplates


async def _reused(pg: PgTemplates, url: str, sql: str) -> str:
    """`sql` run in the test's database, then the database given back: the one a later test gets."""
    name = url.rsplit("/", 1)[1]
    conn = await pg._connect(name)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
    return await asyncio.wrap_future(pg._pool.submit(pg._reuse, name))


@pytest.mark.parametrize(
    ("change", "probe"),
    [
        (
            "ALTER TABLE person ADD COLUMN leaked integer",
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'person' AND column_name = 'leaked'",
        ),
        (
            "DROP TRIGGER audit_log_append_only ON audit_log",
            "SELECT 1 - count(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only'",
        ),
        (
            "CREATE INDEX leaked ON person (full_name)",
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'leaked'",
        ),
        (
            "CREATE SEQUENCE leaked; SELECT nextval('leaked')",
            "SELECT count(*) FROM information_schema.sequences WHERE sequence_name = 'leaked'",
        ),
    ],
)
async def test_a_changed_schema_is_not_reused(pg_templates, change, probe):
    if pg_templates is None:
        pytest.skip("PostgreSQL is not reachable")
    url = await pg_templates.fresh()
    name = await _reused(pg_templates, url, change)
    conn = await pg_templates._connect(name)
    try:
        assert await conn.fetchval(probe) == 0
    finally:
        await conn.close()
    await pg_templates.drop(f"{url.rsplit('/', 1)[0]}/{name}")


async def test_an_unchanged_schema_is_reused(pg_templates):
    if pg_templates is None:
        pytest.skip("PostgreSQL is not reachable")
    url = await pg_templates.fresh()
    name = await _reused(pg_templates, url, "SELECT 1")
    assert name == url.rsplit("/", 1)[1]  # emptied, not dropped and copied again: the fingerprints match
    await pg_templates.drop(url)
