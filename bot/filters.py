"""Filters shared by the feature routers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

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


def personal_router(name: str) -> Router:
    """A router for personal commands: they work in private chats only."""
    r = Router(name=name)
    r.message.filter(F.chat.type == "private")
    r.callback_query.filter(F.message.chat.type == "private")
    return r
