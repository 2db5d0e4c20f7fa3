"""Due work: what must happen at a time, outside any update (scheduled broadcasts, reminders, ...).

A feature registers its work in its own service-side module:

    @due_work("broadcasts")
    async def start_due_broadcasts(ctx: DueContext, now: datetime) -> int: ...

The scheduler (bot/scheduler.py) calls `run_due(due_context(dp), clock.now())` every minute and once at
start-up; the console's `:tick` and the tests' `world.run_due()` call it too. Due work opens its own unit
of work for writes and never calls the Bot API: it enqueues into the outbox. No aiogram here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.identity import IdentityCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueContext:
    """What due work needs outside an update."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    settings: Settings
    identity: IdentityCache
    wake: Callable[[], None] | None = None  # wakes the outbox sender after a commit


DueWork = Callable[[DueContext, datetime], Awaitable[object]]
_WORK: dict[str, DueWork] = {}


def due_work(name: str) -> Callable[[DueWork], DueWork]:
    """Register `fn` under `name` (registering the same name again replaces it)."""

    def register(fn: DueWork) -> DueWork:
        _WORK[name] = fn
        return fn

    return register


async def run_due(ctx: DueContext, now: datetime) -> dict[str, object]:
    """Run every registered work in name order; one that fails is logged and does not stop the others."""
    results: dict[str, object] = {}
    for name in sorted(_WORK):
        try:
            results[name] = await _WORK[name](ctx, now)
        except Exception as e:  # logged without its arguments: they may hold people's data
            log.error("due work %s failed: %s", name, type(e).__name__)
            results[name] = e
    return results


def due_context(dp: Any) -> DueContext:
    """The due context built from the dispatcher's workflow data."""
    wake = dp["outbox_wake"]
    return DueContext(dp["sessionmaker"], dp["clock"], dp["settings"], dp["identity"], wake.set)
