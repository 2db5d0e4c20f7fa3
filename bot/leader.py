"""The leader: of several instances on one PostgreSQL, the one that runs the timed work and the sender.

One pace for the whole deployment needs one sender, and the timed work is for one instance to do (it is safe
twice, but twice the load). The leader is whoever holds the advisory lock `storage.locks.LEADER`, on a
connection of its own (never the pool's: a pooled connection goes back to the pool, the lock with it) with
TCP keepalives both ways: the server drops a vanished leader's session, and its lock, within about 25 s
(10 s idle, then 3 probes 5 s apart); a killed process's connection closes at once.

Every LEADER_TICK_SECONDS each instance asks again (`Leader.tick`): the leader makes sure it still holds
the lock (one query, with a timeout shorter than the server's keepalives), the others try to take it. A
leader that cannot tell, or lost it, stops its timed work and its sender at once: the tasks it started
through `spawn` are cancelled. So another instance takes over within a tick of the lock's release, under a
minute in the worst case (LEADER_TICK_SECONDS is at most 30).

On SQLite the one process is the leader: SQLite is one process by design (`Leader(None, ...)`).
`single_instance` is the other lock held this way: without Redis the FSM, the chat's lock and the dedup are
in one process's memory, so a second instance on the same PostgreSQL is refused at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Coroutine
from typing import Any

from storage import locks

log = logging.getLogger(__name__)

# Server side: the session of a client that vanished is dropped after 10 s idle and 3 probes 5 s apart.
SERVER_KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}


def asyncpg_dsn(database_url: str) -> str:
    """SQLAlchemy's `postgresql+asyncpg://…` as asyncpg's own DSN."""
    from sqlalchemy.engine import make_url

    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _client_keepalives(conn: Any) -> None:
    """Our side: notice a server gone quiet (the check's timeout notices it sooner)."""
    sock = conn._transport.get_extra_info("socket") if getattr(conn, "_transport", None) else None
    if sock is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)


class AdvisoryLock:
    """One advisory lock of ours, held on a dedicated asyncpg connection with keepalives."""

    def __init__(self, database_url: str, key: int, *, timeout: float = 5.0) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.key = key
        self.timeout = timeout
        self._conn: Any = None
        self.error: str | None = None  # why the last `hold` could not tell (None: the database answered)

    async def hold(self) -> bool:
        """Take the lock, or make sure it is still held. False when another session holds it, or when the
        database cannot be reached in time: the connection is dropped then, and the lock with it."""
        import asyncpg

        if self._conn is not None and self._conn.is_closed():
            self.error = (
                "ConnectionClosed"  # the session ended since the last check: whatever it held is gone
            )
            self._conn = None
            return False
        try:
            if self._conn is None:
                self._conn = await asyncpg.connect(
                    self.dsn, timeout=self.timeout, server_settings=SERVER_KEEPALIVES
                )
                _client_keepalives(self._conn)
            self.error = None
            return bool(
                await self._conn.fetchval(locks.HOLD, locks.NAMESPACE, self.key, timeout=self.timeout)
            )
        except Exception as e:  # OSError, TimeoutError, asyncpg's errors: whatever it is, it cannot tell
            self.error = type(e).__name__
            log.warning("advisory lock %s: the database did not answer (%s)", self.key, self.error)
            self.drop()
            return False

    def drop(self) -> None:
        """Close the connection at once (its locks go with it), without waiting for the server."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.terminate()
            self._conn = None

    async def release(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._conn.close(), self.timeout)
        self.drop()


class Leader:
    """Whether this instance runs the timed work and the sender; `lock` None: always (SQLite).

    `on_gain` runs when it becomes the leader (start the sender, catch up the due work); whatever was started
    through `spawn` is cancelled at once when it stops being one, then `on_loss` runs."""

    def __init__(
        self,
        lock: AdvisoryLock | None,
        tick: float,
        on_gain: Callable[[], None] = lambda: None,
        on_loss: Callable[[], None] = lambda: None,
    ) -> None:
        self.lock = lock
        self.tick_seconds = tick
        self.on_gain, self.on_loss = on_gain, on_loss
        self.is_leader = False
        self._tasks: set[asyncio.Task[Any]] = set()

    async def tick(self) -> bool:
        held = True if self.lock is None else await self.lock.hold()
        if held and not self.is_leader:
            self.is_leader = True
            log.info("leader: this instance runs the timed work and the sender")
            self.on_gain()
        elif not held and self.is_leader:
            self.step_down()
            log.warning("leader no more: timed work and sender stopped")
        return held

    def step_down(self) -> None:
        self.is_leader = False
        for task in list(self._tasks):
            task.cancel()
        self.on_loss()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any] | None:
        """Run `coro` for as long as this instance leads; None (and `coro` not run) when it does not."""
        if not self.is_leader:
            coro.close()
            return None
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def only(self, fn: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """A timed job's body: run `fn()` if this instance leads; a loss of the lead cancels it at once."""
        task = self.spawn(fn())
        if task is None:
            return
        try:
            await task
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if me is not None and me.cancelling():
                raise
            log.info("timed work stopped: the lead was lost")

    async def run(self) -> None:
        """Forever: ask every tick; stops when cancelled."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("leader check failed")
            await asyncio.sleep(self.tick_seconds)

    async def stop(self) -> None:
        """At shutdown: stop what leads, wait for it, and release the lock for the next leader."""
        tasks = list(self._tasks)
        if self.is_leader:
            self.step_down()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.lock is not None:
            await self.lock.release()


def make_leader(settings: Any, **callbacks: Any) -> Leader:
    lock = None if settings.is_sqlite else AdvisoryLock(settings.database_url, locks.LEADER)
    return Leader(lock, settings.leader_tick_seconds, **callbacks)


class SecondInstance(RuntimeError):
    """Another instance runs on this PostgreSQL without Redis; `key`: the catalogue text saying what to do."""

    key = "cli-second-instance"


async def single_instance(settings: Any) -> AdvisoryLock | None:
    """Without REDIS_URL on PostgreSQL: hold the one-instance lock for the process's life, or refuse."""
    if settings.is_sqlite or settings.redis_url:
        return None
    lock = AdvisoryLock(settings.database_url, locks.DB_FSM)
    if not await lock.hold():
        await lock.release()
        if lock.error is not None:
            raise ConnectionError(f"PostgreSQL did not answer ({lock.error})")
        raise SecondInstance(SecondInstance.key)
    return lock
