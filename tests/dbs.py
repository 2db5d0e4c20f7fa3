"""Test databases: a migrated template per run, copied for each test (a PostgreSQL one emptied and reused
while its schema is the template's); PostgreSQL when reachable."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

PG_HOST = os.environ.get("THIDUA_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("THIDUA_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:8]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


PG_UP = reachable("127.0.0.1", 5432)
REDIS_UP = reachable("127.0.0.1", 6379)


def run_sync(coro_fn, *args):  # type: ignore[no-untyped-def]
    """Run a coroutine to completion from sync code, even inside a running loop (fixtures)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(coro_fn(*args))).result()


def migrate_sync(url: str) -> None:
    from storage.migrate import upgrade

    run_sync(upgrade, url)


class SqliteTemplates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        self._n = 0

    def prepare(self) -> None:
        migrate_sync(f"sqlite+aiosqlite:///{self.template}")

    def fresh(self) -> str:
        self._n += 1
        path = self.root / f"t{self._n}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"


# Everything but the rows that a test could change and a TRUNCATE would not put back.
_FINGERPRINT = """
SELECT 'n ' || nspname FROM pg_namespace
 WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
UNION ALL
SELECT 'c ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
       || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'k ' || conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 't ' || tgrelid::regclass::text || '.' || tgname || ' ' || tgenabled::text
  FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 's ' || sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'
UNION ALL
SELECT 'f ' || oid::regprocedure::text || ' ' || md5(prosrc) FROM pg_proc
 WHERE pronamespace = 'public'::regnamespace
UNION ALL
SELECT 'v ' || table_name FROM information_schema.views WHERE table_schema = 'public'
ORDER BY 1
"""


_SEQUENCES = """SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences
WHERE schemaname = 'public' ORDER BY 1"""


class PgTemplates:
    """Each test gets a migrated database of its own, emptied for the next test rather than dropped.

    CREATE DATABASE ... TEMPLATE takes about 0.4 s of the server's time (it copies the whole catalogue);
    emptying one (its sessions ended, every table's rows deleted, its identities restarted) takes a few
    milliseconds. A database whose schema a test changed (a migration test) is dropped and copied again.
    The work is done in a thread of its own while the next test runs, so a test seldom waits for it."""

    AHEAD = 1  # databases ready beyond the one a test takes

    def __init__(self) -> None:
        self.template = f"thidua_{RUN_ID}_tmpl"
        self.created: list[str] = []
        self._n = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pg-templates")
        self._ready: deque[Future[str]] = deque()
        self._tables: list[str] = []
        self._version: str | None = None
        self._sequences: list[str] = []
        self._fingerprint: list[str] = []

    @staticmethod
    async def _connect(database: str):  # type: ignore[no-untyped-def]
        import asyncpg

        return await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")

    async def _admin(self, sql: str) -> None:
        conn = await self._connect("postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def _schema(self, conn) -> tuple[list[str], str | None, list[str]]:  # type: ignore[no-untyped-def]
        """The tables, the migration and a fingerprint of the rest of the schema: a test that added a column,
        an index, a sequence, a function or a schema, or dropped a trigger, leaves a database not reused."""
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [r["tablename"] for r in rows]
        version = (
            await conn.fetchval("SELECT version_num FROM alembic_version")
            if "alembic_version" in tables
            else None
        )
        return tables, version, [r[0] for r in await conn.fetch(_FINGERPRINT)]

    def prepare(self) -> None:
        run_sync(self._admin, f'CREATE DATABASE "{self.template}"')
        migrate_sync(f"{PG_HOST}/{self.template}")

        async def schema() -> None:
            conn = await self._connect(self.template)
            try:
                self._tables, self._version, self._fingerprint = await self._schema(conn)
                self._sequences = [r[0] for r in await conn.fetch(_SEQUENCES)]
            finally:
                await conn.close()

        run_sync(schema)

    def _copy(self) -> str:
        self._n += 1
        name = f"thidua_{RUN_ID}_{self._n}"
        self.created.append(name)
        asyncio.run(self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    async def _empty(self, name: str) -> bool:
        """End the database's sessions and empty it; False when its schema is not the template's."""
        conn = await self._connect(name)
        try:
            others = "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
            await conn.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) AS s", name)
            if await self._schema(conn) != (self._tables, self._version, self._fingerprint):
                return False
            # DELETE, not TRUNCATE: a TRUNCATE of every table makes new files for each and took 0.4 s, as
            # long as a copy; the rows of one test go in milliseconds. As the replication role no trigger
            # fires (neither the foreign keys' nor the audit log's append-only guard). Identities restart.
            tables = "".join(f'DELETE FROM "{t}";' for t in self._tables if t != "alembic_version")
            sequences = "".join(f"SELECT setval('{q}', 1, false);" for q in self._sequences)
            await conn.execute(f"SET session_replication_role = replica;{tables}{sequences}")
            return True
        finally:
            await conn.close()

    def _reuse(self, name: str) -> str:
        try:
            if asyncio.run(self._empty(name)):
                return name
        except Exception:  # whatever went wrong, a fresh copy replaces it
            pass
        asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return self._copy()

    async def fresh(self) -> str:
        while len(self._ready) < self.AHEAD + 1:
            self._ready.append(self._pool.submit(self._copy))
        name = await asyncio.wrap_future(self._ready.popleft())
        return f"{PG_HOST}/{name}"

    async def drop(self, url: str) -> None:
        """The test is over: its database is emptied, in the thread, for a later test."""
        self._ready.append(self._pool.submit(self._reuse, url.rsplit("/", 1)[1]))

    def drop_all(self) -> None:
        for fut in self._ready:  # the ones made ahead and never used
            fut.exception()
        self._pool.shutdown(wait=True)

        async def go() -> None:
            for name in [*self.created, self.template]:
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        run_sync(go)
