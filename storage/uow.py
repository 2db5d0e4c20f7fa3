"""The unit of work: one session per update, committed once by the middleware, never by handlers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session

from storage.models import AuditEntry

log = logging.getLogger(__name__)

current_uow: ContextVar[UnitOfWork | None] = ContextVar("current_uow", default=None)


class AppendOnlyViolation(RuntimeError):
    pass


class UnitOfWork:
    """Opens its session lazily, so an update that never touches the database costs no round trip."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self._after_commit: list[Callable[[], Any]] = []
        self._after_commit_async: list[Callable[[], Awaitable[None]]] = []
        self.staged: dict[str, Any] = {}  # scratch space for write-through caches (FSM)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Where this unit of work's sessions come from (work that runs after the commit opens its own)."""
        return self._sessionmaker

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessionmaker()
        return self._session

    def wrote(self) -> bool:
        """True when this unit of work has something to commit: pending objects, a flush or a statement that
        wrote (the session's `wrote` flag, set by the listeners below), or a staged change (FSM)."""
        s = self._session
        if self._before_commit or self._after_commit_async:
            return True
        if s is None:
            return False
        return bool(s.new or s.dirty or s.deleted or s.info.get("wrote"))

    def before_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        self._before_commit.append(callback)

    def on_commit(self, callback: Callable[[], Any]) -> None:
        """Run `callback` after a successful commit (cache invalidation, wake-ups)."""
        self._after_commit.append(callback)

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Await `callback` after a successful commit (writes to Redis that must follow the database)."""
        self._after_commit_async.append(callback)

    async def commit(self) -> None:
        hooks, self._before_commit = self._before_commit, []
        for hook in hooks:
            await hook()
        if self._session is not None and (self._session.in_transaction() or self._session.new):
            await self._session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for cb in callbacks:
            try:
                cb()
            except Exception:  # a cache callback must never undo a commit
                log.exception("after-commit callback failed")
        hooks_after, self._after_commit_async = self._after_commit_async, []
        for hook in hooks_after:
            try:
                await hook()
            except Exception:
                log.exception("after-commit hook failed")
        self.staged.clear()

    async def rollback(self) -> None:
        self._before_commit.clear()
        self._after_commit.clear()
        self._after_commit_async.clear()
        self.staged.clear()
        if self._session is not None:
            await self._session.rollback()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> UnitOfWork:
        self._token = current_uow.set(self)
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                try:
                    await self.commit()
                except BaseException:
                    await self.rollback()  # a failed commit leaves nothing behind on the connection
                    raise
            else:
                await self.rollback()
        finally:
            await self.close()
            current_uow.reset(self._token)


@event.listens_for(Session, "do_orm_execute")
def _mark_writes(state: ORMExecuteState) -> None:
    if not state.is_select:  # INSERT, UPDATE, DELETE, and any textual statement: counted as a write
        state.session.info["wrote"] = True
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table == AuditEntry.__tablename__ and not state.is_insert:
            raise AppendOnlyViolation("audit_log is append-only")


@event.listens_for(Session, "after_flush")
def _mark_flush(session: Session, _ctx: Any) -> None:
    """A flush sent rows: `session.new`/`dirty` are empty afterwards, so remember that it wrote."""
    session.info["wrote"] = True


@event.listens_for(Session, "before_flush")
def _guard_audit(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation("audit_log is append-only")


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _reset_wrote(session: Session) -> None:
    session.info.pop("wrote", None)
