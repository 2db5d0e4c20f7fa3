"""Timed work (APScheduler 3). Jobs carry ids only; anything that must not be lost is in the database.

- `due`: every minute, and once at start-up, `run_due` (bot/due.py) works out from the plan and the
  database what is due now (reminders, and what other features register), so a time that passed while the
  bot was down is caught up when it comes back.
- `dated-menus`: after midnight, and once at start-up, the menus of delegations that start or end, for
  every day since the last one done (`due_mark`): a day of downtime is caught up, not skipped.
- `dedup-flush`: every 5 s, the handled update ids kept in memory are stored.
"""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.due import due_context, run_due
from bot.menus import catch_up_dated_menus


def create_scheduler(dp: Dispatcher, bot: Bot) -> AsyncIOScheduler:
    settings = dp["settings"]
    clock = dp["clock"]
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    once = {"coalesce": True, "max_instances": 1, "replace_existing": True, "misfire_grace_time": None}

    async def dated_menus() -> None:
        await catch_up_dated_menus(bot, dp["sessionmaker"], clock, dp["identity"])

    async def due() -> None:
        await run_due(due_context(dp, bot), clock.now())

    scheduler.add_job(dated_menus, "cron", hour=0, minute=1, id="dated-menus", **once)
    scheduler.add_job(dated_menus, "date", id="dated-menus-start", **once)  # at start-up
    scheduler.add_job(due, "interval", minutes=1, id="due", **once)
    scheduler.add_job(due, "date", id="due-start", **once)  # at start-up
    scheduler.add_job(dp["dedup"].flush, "interval", seconds=5, id="dedup-flush", **once)
    return scheduler
