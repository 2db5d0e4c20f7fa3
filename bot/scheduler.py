"""Timed work (APScheduler 3). Jobs carry ids only; anything that must not be lost is in the database."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.due import due_context, run_due
from bot.menus import refresh_dated_menus


def create_scheduler(dp: Dispatcher, bot: Bot) -> AsyncIOScheduler:
    settings = dp["settings"]
    clock = dp["clock"]
    scheduler = AsyncIOScheduler(timezone=settings.timezone)

    async def dated_menus() -> None:
        await refresh_dated_menus(bot, dp["sessionmaker"], clock.today(), dp["identity"])

    scheduler.add_job(
        dated_menus, "cron", hour=0, minute=1, id="dated-menus", coalesce=True, replace_existing=True
    )
    scheduler.add_job(
        dp["dedup"].flush,
        "interval",
        seconds=5,
        id="dedup-flush",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )

    async def due() -> None:  # scheduled broadcasts and the other due work (bot/due.py)
        await run_due(due_context(dp), clock.now())

    scheduler.add_job(
        due,
        "interval",
        minutes=1,
        id="due-work",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
        next_run_time=clock.now(),  # once at start-up too
    )
    return scheduler
