"""Due work: what must happen at a time, worked out from the plan and the database on every tick.

Nothing that must not be lost lives only in the scheduler's memory. The scheduler (bot/scheduler.py) calls
`run_due(due_context(dp), clock.now())` every minute and once at start-up; the console's `:tick` and the
tests' `world.run_due(now)` call the same function with the FakeClock. Each feature registers its work in
its own service-side module (`@due_work("reminders")`), imported where its router is built, so whatever
builds the dispatcher registers it. A work opens its own units of work, never calls the Bot API (it
enqueues into the outbox) but to leave a chat (`leave_chat`, which the outbox does not carry), and must be
safe to run twice for the same `now`: two overlapping runs, a restart or two processes on one database
never do it twice (idempotency keys, conditional updates).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.context import Ctx
from bot.identity import IdentityCache
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class DueContext:
    """What due work needs outside an update."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: Settings
    identity: IdentityCache
    wake: Callable[[], None] | None = None  # wakes the outbox sender after a commit
    # leaves a group or channel: True when the bot is out (or was already), False to try again later
    leave_chat: Callable[[int], Awaitable[bool]] | None = None
    fsm: Any = None  # the dispatcher's FSM storage (the retention drops what it removed from its cache)


DueWork = Callable[[DueContext, datetime], Awaitable[object]]

_REGISTRY: dict[str, DueWork] = {}


def due_work(name: str) -> Callable[[DueWork], DueWork]:
    """Register `fn` as the due work `name` (registering a name again replaces it)."""

    def register(fn: DueWork) -> DueWork:
        _REGISTRY[name] = fn
        return fn

    return register


def registered() -> dict[str, DueWork]:
    """The registered works by name (a copy)."""
    return dict(_REGISTRY)


async def run_due(ctx: DueContext, now: datetime) -> dict[str, object]:
    """Run every registered work in name order; one failing is logged (with its traceback) and does not stop
    the others."""
    results: dict[str, object] = {}
    for name in sorted(_REGISTRY):
        try:
            results[name] = await _REGISTRY[name](ctx, now)
        except Exception as e:
            log.exception("due work %s failed", name)  # with its traceback: where it failed, not only what
            results[name] = e
    return results


HOURLY = timedelta(hours=1)
# When each throttled work last ran, per database (its sessionmaker: one per dispatcher), by the clock given
# to run_due. In memory: a process that starts runs them on its first tick.
_LAST_RUN: WeakKeyDictionary[async_sessionmaker[AsyncSession], dict[str, datetime]] = WeakKeyDictionary()


async def hourly(due: DueContext, name: str, now: datetime, work: Callable[[], Awaitable[T]]) -> T | None:
    """`work()`, unless it last ran less than an hour before `now` (None then): on the first tick, once an
    hour has passed, and when the clock went back, it runs. One that failed runs again at the next tick.
    For work that may be done an hour late and otherwise costs its statements every minute for nothing
    (the retention's, whose cut-offs are days)."""
    last = _LAST_RUN.setdefault(due.sessionmaker, {})
    before = last.get(name)
    if before is not None and before <= now < before + HOURLY:
        return None
    result = await work()
    last[name] = now
    return result


def due_context(dp: Any, bot: Any = None) -> DueContext:
    """The context built from the dispatcher's workflow data (and the Bot, to leave chats)."""
    wake = dp["outbox_wake"]
    leave_chat = None
    if bot is not None:
        from bot.telegram import chat_leaver

        leave_chat = chat_leaver(bot)
    return DueContext(
        sessionmaker=dp["sessionmaker"],
        clock=dp["clock"],
        settings=dp["settings"],
        identity=dp["identity"],
        wake=wake.set if wake is not None else None,
        leave_chat=leave_chat,
        fsm=getattr(getattr(dp, "fsm", None), "storage", None),
    )


class _Wake:
    """What `Ctx.outbox_wake` is asked for (`.set()`), over the context's plain callable."""

    def __init__(self, fn: Callable[[], None]) -> None:
        self.set = fn


@asynccontextmanager
async def unit_of_work(ctx: DueContext) -> AsyncIterator[Ctx]:
    """One unit of work for due work, as the system (no actor): committed on exit, rolled back on error."""
    async with UnitOfWork(ctx.sessionmaker) as uow:
        wake: Any = _Wake(ctx.wake) if ctx.wake is not None else None
        yield Ctx(uow, ctx.clock, ctx.identity, ctx.settings, outbox_wake=wake)
