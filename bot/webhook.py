"""Webhook mode (issue 22, M19): aiogram's aiohttp handler behind Telegram's secret token, and its
registration.

Telegram posts each update to WEBHOOK_URL with the header `X-Telegram-Bot-Api-Secret-Token`; aiogram's
`SimpleRequestHandler` compares it with WEBHOOK_SECRET in constant time (`secrets.compare_digest`) and answers
401 without reading the body when it is missing or wrong. The update is handled before the answer
(`handle_in_background=False`): a 200 means it was committed (or refused by a rule, told to the person), so
nothing acknowledged is lost; one that got no 200 is posted again by Telegram, and the dedup drops it if it
had been handled after all.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/webhook"


class WebhookNotConfigured(ValueError):
    """Webhook mode without WEBHOOK_URL or WEBHOOK_SECRET; `key`: the catalogue text naming what to set."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def webhook_path(settings: Settings) -> str:
    """The path Telegram posts to: WEBHOOK_URL's own (behind a proxy that keeps it), else /webhook."""
    return urlsplit(settings.webhook_url or "").path.rstrip("/") or DEFAULT_PATH


def check_webhook_settings(settings: Settings) -> str:
    """The secret; refuses a webhook without a public HTTPS URL or a secret (it would take anything)."""
    url = urlsplit(settings.webhook_url or "")
    if url.scheme != "https" or not url.netloc:
        raise WebhookNotConfigured("cli-webhook-url")
    if settings.webhook_secret is None:
        raise WebhookNotConfigured("cli-webhook-secret")
    return settings.webhook_secret.get_secret_value()


def webhook_app(
    dp: Dispatcher, bot: Bot, settings: Settings, app: web.Application | None = None
) -> web.Application:
    """An aiohttp application serving the webhook at `webhook_path` (and nothing else)."""
    secret = check_webhook_settings(settings)
    app = app if app is not None else web.Application()
    handler = SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=secret)
    handler.register(app, path=webhook_path(settings))
    return app


async def register_webhook(dp: Dispatcher, bot: Bot, settings: Settings) -> None:
    """setWebhook with the update types the routers use and the secret; the updates queued meanwhile stay."""
    secret = check_webhook_settings(settings)
    allowed = dp.resolve_used_update_types()
    await bot.set_webhook(
        settings.webhook_url or "", secret_token=secret, allowed_updates=allowed, drop_pending_updates=False
    )
    log.info("webhook set: %s (%s)", urlsplit(settings.webhook_url or "").netloc, ", ".join(allowed))


async def remove_webhook(bot: Bot) -> None:
    """Polling: Telegram refuses getUpdates while a webhook is set; the updates queued meanwhile stay."""
    await bot.delete_webhook(drop_pending_updates=False)
