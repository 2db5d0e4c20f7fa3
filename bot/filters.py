"""Filters shared by the feature routers.

aiogram runs a plain `F.…` filter, being synchronous, in a worker thread (`asyncio.to_thread`), which costs
about half a millisecond per check. Filters checked on every update (router-level ones above all) are
therefore async: use `Is(F.…)` instead of a bare magic filter there.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import BaseFilter
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


def personal_router(name: str) -> Router:
    """A router for personal commands: they work in private chats only."""
    r = Router(name=name)
    r.message.filter(Is(F.chat.type == "private"))
    r.callback_query.filter(Is(F.message.chat.type == "private"))
    return r
