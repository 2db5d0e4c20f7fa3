"""Timed work (APScheduler 3). Jobs carry ids only; anything that must not be lost is in the database."""

from __future__ import annotations

from aiogram import Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler


def create_scheduler(dp: Dispatcher) -> AsyncIOScheduler:
    settings = dp["settings"]
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    scheduler.add_job(
        dp["dedup"].flush,
        "interval",
        seconds=5,
        id="dedup-flush",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    return scheduler
