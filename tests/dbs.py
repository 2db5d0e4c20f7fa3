"""Test databases: a migrated template per run, copied for each test; PostgreSQL when reachable."""

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


class PgTemplates:
    """CREATE DATABASE ... TEMPLATE: each test gets its own database; all are dropped at the end.

    A copy takes about 0.4 s of the server's time, so the next ones are made in a thread of their own while
    a test runs (AHEAD of them), and a test waits only when they are not ready yet."""

    AHEAD = 2

    def __init__(self) -> None:
        self.template = f"thidua_{RUN_ID}_tmpl"
        self.created: list[str] = []
        self._n = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pg-templates")
        self._ready: deque[Future[str]] = deque()

    async def _admin(self, sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def prepare(self) -> None:
        run_sync(self._admin, f'CREATE DATABASE "{self.template}"')
        migrate_sync(f"{PG_HOST}/{self.template}")

    def _make_next(self) -> None:
        self._n += 1
        name = f"thidua_{RUN_ID}_{self._n}"
        self.created.append(name)
        sql = f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'
        self._ready.append(self._pool.submit(lambda: (asyncio.run(self._admin(sql)), name)[1]))

    async def fresh(self) -> str:
        while len(self._ready) < self.AHEAD + 1:
            self._make_next()
        name = await asyncio.wrap_future(self._ready.popleft())
        self._make_next()
        return f"{PG_HOST}/{name}"

    async def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        for fut in self._ready:  # the ones made ahead and never used
            fut.exception()
        self._pool.shutdown(wait=True)

        async def go() -> None:
            for name in [*self.created, self.template]:
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        run_sync(go)
