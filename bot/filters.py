"""Filters shared by the feature routers.

aiogram runs a plain `F.…` filter, being synchronous, in a worker thread (`asyncio.to_thread`), which costs
about half a millisecond per check. Filters checked on every update (router-level ones above all) are
therefore async: use `Is(F.…)` instead of a bare magic filter there.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.filters import BaseFilter, CommandStart
from aiogram.types import CallbackQuery, Message, TelegramObject
from magic_filter import MagicFilter

from bot.roles import Member, can


class Allowed(BaseFilter):
    """Passes when the sender may do `action`. Checked again on every message and every button press."""

    def __init__(self, action: str) -> None:
        self.action = action

    async def __call__(self, event: Message | CallbackQuery, me: Member | None = None) -> bool:
        return can(me, self.action)


class Linked(BaseFilter):
    async def __call__(self, event: Message | CallbackQuery, me: Member | None = None) -> bool:
        return me is not None


class Is(BaseFilter):
    """A magic filter checked in the event loop rather than in a thread."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


# Typed text that is not a command (so /cancel and the other commands still reach their handlers).
TYPED = Is(F.text & ~F.text.startswith("/"))
# Anything but a command: text, a file, a photo, a sticker...
NOT_COMMAND = Is(~F.text.startswith("/"))


class Start(CommandStart):
    """aiogram's CommandStart, which parses every message it is asked about (every update passes two of
    them before /help): a text that does not begin with /start is refused before the parsing."""

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        text = message.text or message.caption
        if text is None or not text.startswith("/start"):
            return False
        return await super().__call__(message, bot)


async def _private_message(event: Message) -> bool:
    return event.chat.type == "private"


async def _private_press(event: CallbackQuery) -> bool:
    return event.message is not None and event.message.chat.type == "private"


class Room(Router):
    """A feature's router, passed through more cheaply than aiogram's (issue 18, G39): every update goes down
    the routers before its own, and aiogram wraps each one's outer middlewares (a `functools.wraps` and two
    calls) even when it has none. Without outer middlewares for the event's type, its handlers are tried
    straight away, as aiogram would once it had wrapped nothing; and a router with no handler for that type
    nor sub-router (the errors router for messages, join_heads) is passed over: it could handle nothing."""

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        observer = self.observers.get(update_type)
        if observer is not None and len(observer.outer_middleware):
            return await super().propagate_event(update_type, event, **kwargs)
        if not self.sub_routers and (observer is None or not observer.handlers):
            return UNHANDLED
        kwargs["event_router"] = self
        return await self._propagate_event(observer=observer, update_type=update_type, event=event, **kwargs)


def personal_router(name: str) -> Router:
    """A router for personal commands: they work in private chats only (checked by plain functions: each
    update passes this check in every router up to its own)."""
    r = Room(name=name)
    r.message.filter(_private_message)
    r.callback_query.filter(_private_press)
    return r
