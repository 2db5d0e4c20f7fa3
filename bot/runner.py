"""Running the bot for real: migrate, then poll or serve the webhook, with the outbox sender and the
scheduler beside it, and /healthz and /metrics on their own address.

Several instances share one PostgreSQL (and Redis): every instance takes updates, only the leader
(bot/leader.py) runs the timed work and the sender; without REDIS_URL a second instance is refused.

Shutdown (SIGTERM, SIGINT) in this order: stop taking updates (polling stops, the webhook's listener
closes and its requests in progress finish), then the scheduler, then the lead (the sender with it), then
the dedup's flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Literal

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.app import create_dispatcher
from bot.config import Settings, listen_address
from bot.identity_bus import SharedWake
from bot.leader import make_leader, single_instance
from bot.menus import set_default_menu
from bot.scheduler import catch_up, create_scheduler
from bot.sender import OutboxSender
from bot.telegram import create_bot, setup_logging
from bot.webhook import check_webhook_settings, register_webhook, remove_webhook, webhook_app
from storage.migrate import upgrade

log = logging.getLogger(__name__)
Mode = Literal["polling", "webhook"]
# How long the webhook's requests in progress may take to finish at shutdown (Telegram waits 60 s at most).
SHUTDOWN_GRACE = 30.0


def mode_of(settings: Settings, webhook: bool | None) -> Mode:
    """--webhook / --polling, else the webhook when WEBHOOK_URL is set."""
    if webhook is None:
        webhook = bool(settings.webhook_url)
    return "webhook" if webhook else "polling"


async def run_polling(settings: Settings) -> None:
    await run_bot(settings, "polling")


async def run_bot(settings: Settings, mode: Mode) -> None:
    setup_logging(settings)
    if mode == "webhook":
        check_webhook_settings(settings)  # before anything starts
    await upgrade(settings.database_url)
    alone = await single_instance(settings)  # without Redis on PostgreSQL: SecondInstance if one runs
    dp = create_dispatcher(settings)
    bot = create_bot(settings)
    await set_default_menu(bot)
    sender = OutboxSender(bot, dp["sessionmaker"], dp["clock"], settings, dp["identity"], dp["outbox_wake"])

    async def send_after_a_window() -> None:
        # a leader just gone may have sent a full second's worth right before it went: the first request
        # waits one pace window, so that no second holds both senders' messages
        await asyncio.sleep(1.0)
        await sender.run()

    def lead() -> None:
        leader.spawn(send_after_a_window(), name="outbox-sender")
        catch_up(scheduler)

    leader = make_leader(settings, on_gain=lead)
    scheduler = create_scheduler(dp, bot, leader)
    ops = await start_ops_server(dp, settings)
    scheduler.start()
    leader_task = asyncio.create_task(leader.run(), name="leader")
    bus = dp["identity"].bus
    listener = None
    if bus is not None:
        wake = dp["outbox_wake"]
        shared = wake if isinstance(wake, SharedWake) else None
        listener = asyncio.create_task(bus.listen(dp["identity"], wake=shared), name="identity-bus")
    try:
        if mode == "webhook":
            await serve_webhook(dp, bot, settings)
        else:
            await remove_webhook(bot)
            await dp.start_polling(bot, handle_signals=True)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        scheduler.shutdown(wait=False)
        leader_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leader_task
        await leader.stop()  # the sender and any timed work stop; the next leader may take over
        if alone is not None:
            await alone.release()
        if ops is not None:
            await ops.cleanup()
        await dp["dedup"].flush()
        await dp["engine"].dispose()
        await bot.session.close()


async def serve_webhook(dp: Dispatcher, bot: Bot, settings: Settings) -> None:
    """Serve the webhook at WEBHOOK_LISTEN until SIGTERM or SIGINT, registering it with Telegram first."""
    app = webhook_app(dp, bot, settings)
    setup_application(app, dp, bot=bot)  # the dispatcher's startup and shutdown with the app's
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    host, port = listen_address(settings.webhook_listen)
    await web.TCPSite(runner, host, port).start()
    log.info("webhook listening on %s", settings.webhook_listen)
    try:
        await register_webhook(dp, bot, settings)
        await _until_stopped()
    finally:
        await runner.cleanup()  # stops listening, lets the requests in progress finish


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
    log.info("stopping: no new updates; finishing those in progress")


async def start_ops_server(dp: Dispatcher, settings: Settings) -> web.AppRunner | None:
    """/healthz and /metrics at METRICS_LISTEN (none when it is empty)."""
    if not settings.metrics_listen:
        return None
    from bot.ops import ops_app

    runner = web.AppRunner(ops_app(dp), handle_signals=False)
    await runner.setup()
    host, port = listen_address(settings.metrics_listen)
    await web.TCPSite(runner, host, port).start()
    log.info("health and metrics on %s", settings.metrics_listen)
    return runner
