"""Watching the bot work (issue 22): each update counted, timed and logged; each Bot API send counted.

`install(dp)` puts `Observe` first among the dispatcher's own outer middlewares (after aiogram's errors and
user context), so its time covers the dedup, the chat's lock, the unit of work and its commit, and the
replies sent after it. The handler's name is learnt by an inner middleware on every event type, which
sees the handler that matched. One INFO line per update names its id, the person, the handler and the
latency; never a message's text (those stay at DEBUG, and nothing here logs them at all).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update

from bot.metrics import count_send, count_update

log = logging.getLogger("thidua.updates")
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
SEND_PREFIXES = ("send", "edit", "copy", "forward")
_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (TelegramRetryAfter, "retry_after"),
    (TelegramForbiddenError, "forbidden"),
    (TelegramNotFound, "not_found"),
    (TelegramBadRequest, "bad_request"),
    (TelegramServerError, "server_error"),
    (TelegramNetworkError, "network"),
)


@dataclass
class Seen:
    """Filled while an update goes down: which handler took it."""

    handler: str = "none"


def handler_name(handler: HandlerObject) -> str:
    """ "common.help_" for handlers/common.py's help_; the module and function of any other callback."""
    callback = handler.callback
    module = getattr(callback, "__module__", "") or ""
    name = getattr(callback, "__qualname__", type(callback).__name__)
    return f"{module.removeprefix('handlers.')}.{name}" if module else name


class Observe(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        kind = event.event_type
        seen = data["observed"] = Seen()
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "ok"
            return result
        finally:
            latency = time.perf_counter() - started
            count_update(kind, seen.handler, latency)
            me = data.get("me")
            fields = {
                "update_id": event.update_id,
                "update_type": kind,
                "person_id": getattr(me, "person_id", None),
                "handler": seen.handler,
                "latency_ms": round(latency * 1000, 1),
                "outcome": outcome,
            }
            log.info(
                "update %s (%s) by %s in %.1f ms: %s",
                event.update_id,
                kind,
                seen.handler,
                latency * 1000,
                outcome,
                extra=fields,
            )


class NameHandler(BaseMiddleware):
    """Inner: runs once a handler's filters passed, with that handler in `data["handler"]`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        seen: Seen | None = data.get("observed")
        matched = data.get("handler")
        if seen is not None and isinstance(matched, HandlerObject):
            seen.handler = handler_name(matched)
        return await handler(event, data)


def install(dp: Dispatcher) -> None:
    """Before the dispatcher's other outer middlewares; the handler's name on every event type."""
    dp.update.outer_middleware(Observe())
    namer = NameHandler()
    for name, observer in dp.observers.items():
        if name not in ("update", "error"):
            observer.middleware(namer)


class CountSends(BaseRequestMiddleware):
    """Counts every request that sends or edits a message, by its source and how it ended."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        api = method.__api_method__
        if not api.startswith(SEND_PREFIXES):
            return await make_request(bot, method)
        from bot.sender import in_outbox

        source = "outbox" if in_outbox.get() else "direct"
        try:
            response = await make_request(bot, method)
        except Exception as e:
            count_send(source, next((name for cls, name in _ERRORS if isinstance(e, cls)), "other"))
            raise
        count_send(source, "ok")
        return response
