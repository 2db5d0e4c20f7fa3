"""Timed work (APScheduler 3). Jobs carry ids only; anything that must not be lost is in the database.

- `due`: every minute, and once at start-up, `run_due` (bot/due.py) works out from the plan and the
  database what is due now (reminders, and what other features register), so a time that passed while the
  bot was down is caught up when it comes back.
- `dated-menus`: after midnight, and once at start-up, the menus of delegations that start or end, for
  every day since the last one done (`due_mark`): a day of downtime is caught up, not skipped.
- `dedup-flush`: every 5 s, the handled update ids kept in memory are stored.

With a `leader` (bot/leader.py), `due` and `dated-menus` run only while this instance leads, and a loss of
the lead cancels them at once; their start-up runs wait for the lead (`catch_up`, when it is gained). The
dedup's flush runs on every instance: the ids it stores are this process's.
"""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.due import due_context, run_due
from bot.leader import Leader
from bot.menus import catch_up_dated_menus

ONCE = {"coalesce": True, "max_instances": 1, "replace_existing": True, "misfire_grace_time": None}


def create_scheduler(dp: Dispatcher, bot: Bot, leader: Leader | None = None) -> AsyncIOScheduler:
    settings = dp["settings"]
    clock = dp["clock"]
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    once = ONCE

    async def dated_menus_now() -> None:
        await catch_up_dated_menus(bot, dp["sessionmaker"], clock, dp["identity"])

    async def due_now() -> None:
        await run_due(due_context(dp, bot), clock.now())

    async def dated_menus() -> None:
        await (dated_menus_now() if leader is None else leader.only(dated_menus_now))

    async def due() -> None:
        await (due_now() if leader is None else leader.only(due_now))

    scheduler.add_job(dated_menus, "cron", hour=0, minute=1, id="dated-menus", **once)
    scheduler.add_job(due, "interval", minutes=1, id="due", **once)
    if leader is None:
        catch_up(scheduler)
    scheduler.add_job(dp["dedup"].flush, "interval", seconds=5, id="dedup-flush", **once)
    return scheduler


def catch_up(scheduler: AsyncIOScheduler) -> None:
    """Run the due work and the dated menus once now: at start-up, or when this instance starts leading."""
    scheduler.add_job(scheduler.get_job("dated-menus").func, "date", id="dated-menus-start", **ONCE)
    scheduler.add_job(scheduler.get_job("due").func, "date", id="due-start", **ONCE)
