"""What the operator's commands share: running a service in one unit of work, as the system."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.config import Settings

T = TypeVar("T")


def run_in_uow(fn: Callable[[Any], Awaitable[T]], settings: Settings | None = None) -> T:
    """Migrate, then run `fn(ctx)` in one unit of work (committed on return, rolled back on error).

    Commands run as the system: the Ctx has no actor, so audit entries carry no person."""
    from bot.clock import Clock
    from bot.context import Ctx
    from bot.identity import IdentityCache
    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from storage.uow import UnitOfWork

    settings = settings or Settings()

    async def go() -> T:
        await upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            async with UnitOfWork(make_sessionmaker(engine)) as uow:
                return await fn(Ctx(uow, Clock(settings.tz), IdentityCache(), settings))
        finally:
            await engine.dispose()

    return asyncio.run(go())
