"""Running the bot for real: migrate, then poll, with the outbox sender and the scheduler beside it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.app import create_dispatcher
from bot.config import Settings
from bot.menus import set_default_menu
from bot.scheduler import create_scheduler
from bot.sender import OutboxSender
from bot.telegram import create_bot, setup_logging
from storage.migrate import upgrade

log = logging.getLogger(__name__)


async def run_polling(settings: Settings) -> None:
    setup_logging(settings)
    await upgrade(settings.database_url)
    dp = create_dispatcher(settings)
    bot = create_bot(settings)
    await set_default_menu(bot)
    sender = OutboxSender(bot, dp["sessionmaker"], dp["clock"], settings, dp["identity"], dp["outbox_wake"])
    scheduler = create_scheduler(dp, bot)
    sender_task = asyncio.create_task(sender.run(), name="outbox-sender")
    scheduler.start()
    try:
        await dp.start_polling(bot, handle_signals=True)
    finally:
        scheduler.shutdown(wait=False)
        sender_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender_task
        await dp["dedup"].flush()
        await dp["engine"].dispose()
        await bot.session.close()
