"""The global error handler: log with the update id, apologise in the person's language."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import ErrorEvent

from bot.filters import Room
from bot.i18n import normalize_locale, t
from bot.identity import MISSING, IdentityCache

log = logging.getLogger("thidua.errors")


def router() -> Router:
    r = Room(name="errors")
    r.errors.register(on_error)
    return r


def is_not_modified(exc: BaseException) -> bool:
    return isinstance(exc, TelegramBadRequest) and "message is not modified" in exc.message


async def on_error(event: ErrorEvent, bot: Bot, identity: IdentityCache) -> bool:
    exc = event.exception
    update = event.update
    if is_not_modified(exc):
        return True
    if isinstance(exc, TelegramForbiddenError):
        # the person blocked the bot (or it left the chat) while being answered: nothing to apologise to;
        # Telegram's my_chat_member update marks them unreachable (handlers/channels.py)
        log.info("update %s: the answer was forbidden: %s", update.update_id, exc.message)
        return True
    log.error("update %s failed: %s", update.update_id, type(exc).__name__, exc_info=exc)
    user = (
        update.message.from_user
        if update.message
        else (update.callback_query.from_user if update.callback_query else None)
    )
    chat_id = None
    if update.message and update.message.chat.type == "private":
        chat_id = update.message.chat.id
    elif update.callback_query and update.callback_query.message:
        if update.callback_query.message.chat.type == "private":
            chat_id = update.callback_query.message.chat.id
    if user is None or chat_id is None:
        return True
    cached = identity.get(user.id)
    locale = cached.language if cached not in (MISSING, None) else normalize_locale(user.language_code)  # type: ignore[union-attr]
    try:
        if update.callback_query:
            await update.callback_query.answer()
        await bot.send_message(chat_id, t("error-generic", locale=locale))
    except Exception:  # the apology is best effort
        log.warning("could not tell update %s's sender about the error", update.update_id)
    return True
