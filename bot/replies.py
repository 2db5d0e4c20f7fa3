"""Replies go out after the commit.

While an update is handled, the bot's calls pass through `AfterCommit`, a request middleware. Until the
update's unit of work has written something, a call goes straight to Telegram: it cannot announce a
change, and no write transaction is open while it waits. From the first write on (rows added or flushed, a
statement, a staged FSM change), every call that sends or changes something is held in the update's
`ReplyBuffer` and answered at once with a stand-in. The unit-of-work middleware commits, and only then
sends the held calls in their order (a 429 may wait there: no transaction is open any more). When the
commit fails, the held calls are dropped and the error handler apologises instead, so nobody is told
"saved" for something that was not.

A handler that needs what Telegram answered (the `message_id` of a card it will edit later, the `file_id`
of an upload) registers a follow-up with `after_sent(result, callback)`: the callback gets the real
answer, at once when the call already went out, else right after the held call is sent, in a unit of work
of its own. Queries (`getChat`, `getChatMember`, …) are never held: their answer is needed now and they
change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args, get_origin

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Chat, Message

from bot.i18n import current_locale, t
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

FollowUp = Callable[[Any], Awaitable[None]]


@dataclass
class Held:
    bot: Bot
    method: TelegramMethod[Any]
    stand_in: Any
    locale: str  # the person's, for an apology if Telegram refuses it
    follow_ups: list[FollowUp] = field(default_factory=list)


class ReplyBuffer:
    """The calls one update made after it wrote, to be sent once its unit of work has committed."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.held: list[Held] = []
        self.sending = False

    def holds(self) -> bool:
        return not self.sending and self.uow.wrote()

    def hold(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        stand_in = _stand_in(method)
        self.held.append(Held(bot, method, stand_in, current_locale()))
        return stand_in

    def follow_up(self, stand_in: Any, callback: FollowUp) -> bool:
        for h in self.held:
            if h.stand_in is stand_in:
                h.follow_ups.append(callback)
                return True
        return False

    def drop(self) -> None:
        self.held.clear()

    async def send(self) -> None:
        """Send the held calls in order. The changes are committed: a failure here is logged, never raised."""
        held, self.held = self.held, []
        self.sending = True
        for h in held:
            try:
                result = await h.bot(h.method)
            except TelegramBadRequest as e:
                await self._refused(h, e)
                continue
            except TelegramAPIError as e:
                log.warning("%s after the commit failed: %s", type(h.method).__name__, e)
                continue
            for callback in h.follow_ups:
                try:
                    async with self.uow:  # the update's unit of work again: a new session, its own commit
                        await callback(result)
                except Exception:
                    log.exception("follow-up of %s failed", type(h.method).__name__)

    async def _refused(self, h: Held, e: TelegramBadRequest) -> None:
        """Telegram refused a held call (too long, bad HTML, …): the person is told, unless it changed
        nothing they would miss (an edit that already shows this, a button's answer given too late)."""
        name = type(h.method).__name__
        chat_id = getattr(h.method, "chat_id", None)
        harmless = isinstance(h.method, AnswerCallbackQuery) or "message is not modified" in e.message
        if harmless or not isinstance(chat_id, int) or chat_id < 0:
            log.info("%s after the commit: %s", name, e.message)
            return
        log.warning("%s to %s refused after the commit: %s", name, chat_id, e.message)
        try:
            await h.bot.send_message(chat_id, t("reply-refused", locale=h.locale))
        except TelegramAPIError as again:
            log.warning("could not tell %s that a reply was refused: %s", chat_id, again)


pending_replies: ContextVar[ReplyBuffer | None] = ContextVar("pending_replies", default=None)


def after_sent(result: Any, callback: FollowUp) -> Awaitable[None] | None:
    """Run `callback(real answer)` once the call that gave `result` has gone out.

    Returns an awaitable to await when the call already went out (the callback runs now, in this update's
    unit of work); None when it is held, in which case the callback runs after the send."""
    buffer = pending_replies.get()
    if buffer is not None and buffer.follow_up(result, callback):
        return None
    return callback(result)


class AfterCommit(BaseRequestMiddleware):
    """Holds an update's sending calls from its first write until its commit (see the module's docstring)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        buffer = pending_replies.get()
        if buffer is not None and _changes_something(method) and buffer.holds():
            return buffer.hold(bot, method)  # type: ignore[no-any-return]
        return await make_request(bot, method)


def _changes_something(method: TelegramMethod[Any]) -> bool:
    name = method.__api_method__
    return not name.startswith("get") and name not in ("getUpdates",)


# Templates copied for each stand-in: `model_construct` resolves every default of Message's ~100 fields (0.2
# to 0.5 ms a call, a fifth of a writing step in bench/dispatch.py); a copy with the fields updated is the
# same object (the same fields set, no `message_id`) for 8 µs.
_CHAT = Chat.model_construct(id=0, type="private")
_MESSAGE = Message.model_construct(chat=_CHAT, date=datetime.fromtimestamp(0, UTC))


def _stand_in(method: TelegramMethod[Any]) -> Any:
    """What a held call answers now: True, or a Message without a `message_id` (reading it fails loudly)."""
    returning = method.__returning__
    if returning is bool or bool in get_args(returning):
        return True
    chat_id = getattr(method, "chat_id", None)
    chat = _CHAT.model_copy(update={"id": chat_id if isinstance(chat_id, int) else 0})
    fields: dict[str, Any] = {"chat": chat, "date": datetime.now(UTC)}
    text = getattr(method, "text", None) or getattr(method, "caption", None)
    if text is not None:
        fields["text"] = text
    if returning is Message:
        return _MESSAGE.model_copy(update=fields)
    if get_origin(returning) is list:
        return [_MESSAGE.model_copy(update=fields)]
    construct = getattr(returning, "model_construct", None)
    return construct() if construct is not None else True
