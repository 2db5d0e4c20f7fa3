"""The Bot object: API server, default properties, and 429 handling for direct answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.config import Settings
from bot.observe import CountSends
from bot.replies import AfterCommit

log = logging.getLogger(__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """A direct answer that meets a 429 waits `retry_after` and tries again; one that meets a server error
    (5xx) or a network error tries again after `backoff`, then twice that, except a message that timed out
    (`_maybe_delivered`: it may be there already). The outbox has its own retries,
    which last through an outage; a direct answer tries `attempts` times in all, since the person waits."""

    def __init__(
        self,
        attempts: int = 3,
        max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,  # the harness's: its clock's sleep
        backoff: float = 1.0,
    ) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.sleep = sleep
        self.backoff = backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        from bot.sender import in_outbox

        for attempt in range(self.attempts):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as e:
                if in_outbox.get() or attempt == self.attempts - 1 or e.retry_after > self.max_wait:
                    raise
                log.info("429 on %s: waiting %s s", type(method).__name__, e.retry_after)
                await self.sleep(e.retry_after)
            except (TelegramServerError, TelegramNetworkError) as e:
                if in_outbox.get() or attempt == self.attempts - 1 or _maybe_delivered(method, e):
                    raise
                wait = self.backoff * 2**attempt
                log.info("%s on %s: trying again in %s s", type(e).__name__, type(method).__name__, wait)
                await self.sleep(wait)
        raise AssertionError("unreachable")


def _maybe_delivered(method: TelegramMethod[Any], e: Exception) -> bool:
    """A timeout on a call that sends something new: Telegram may have taken it (slow, not absent), and
    sent again the person would read it twice. An edit or a callback's answer done twice changes nothing,
    and a call that never connected (aiogram's "ClientConnectorError: …") was not taken."""
    timed_out = isinstance(e, TelegramNetworkError) and e.message == "Request timeout error"  # aiogram's
    return timed_out and method.__api_method__.startswith(("send", "copy", "forward"))


ALERT_MAX = 200  # characters of a callback query's answer (Telegram refuses more: MESSAGE_TOO_LONG)


class FitAlerts(BaseRequestMiddleware):
    """A callback query's answer longer than Telegram's 200 characters is cut to fit, with "…", so the press
    is still answered (a refused answer leaves the person with a spinner and no word)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, AnswerCallbackQuery) and method.text and len(method.text) > ALERT_MAX:
            log.warning("an alert of %s characters cut to %s", len(method.text), ALERT_MAX)
            method = method.model_copy(update={"text": method.text[: ALERT_MAX - 1].rstrip() + "…"})
        return await make_request(bot, method)


def create_bot(
    settings: Settings,
    session: BaseSession | None = None,
    token: str | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Bot:
    token = token or settings.token
    if not token:
        raise ValueError("BOT_TOKEN is not set")
    if session is None:
        session = AiohttpSession()
        if settings.telegram_api_url:
            session.api = TelegramAPIServer.from_base(settings.telegram_api_url.rstrip("/"))
    session.middleware(AfterCommit())  # outermost: a held call waits for the commit before any retry
    session.middleware(FitAlerts())
    session.middleware(RetryAfterMiddleware(sleep=sleep))
    session.middleware(CountSends())  # innermost: each request Telegram answered, retries too
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def chat_leaver(bot: Bot) -> Callable[[int], Awaitable[bool]]:
    """`leaveChat` for due work: True once the bot is out of the chat (left now, or not a member any
    more: Telegram's 400/403), False when it could not tell (a network or server error: try again later)."""

    async def leave(chat_id: int) -> bool:
        try:
            await bot.leave_chat(chat_id)
        except (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound, TelegramMigrateToChat):
            return True
        except Exception as e:
            log.warning("leaving chat %s failed: %s", chat_id, type(e).__name__)
            return False
        return True

    return leave


class RedactFilter(logging.Filter):
    """Removes secrets (the bot token, the webhook secret) from every log record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        msg = record.getMessage()
        text = msg
        for secret in self.secrets:
            text = text.replace(secret, "***")
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self.secrets:
                record.exc_text = record.exc_text.replace(secret, "***")
        if text != msg:
            record.msg, record.args = text, None
        return True


def setup_logging(settings: Settings, **extra: Any) -> None:
    """The root logger at LOG_LEVEL, as text or JSON (LOG_FORMAT), secrets redacted."""
    from bot.logs import formatter

    logging.basicConfig(level=settings.log_level.upper(), **extra)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter(settings.log_format, secrets_of(settings)))
    install_redaction(settings)


def secrets_of(settings: Settings) -> list[str]:
    return [
        settings.token or "",
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else "",
        settings.vote_secret.get_secret_value() if settings.vote_secret else "",
    ]


def install_redaction(settings: Settings) -> None:
    flt = RedactFilter(secrets_of(settings))
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactFilter) for f in handler.filters):
            handler.addFilter(flt)
