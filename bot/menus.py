"""Per-person command menus (BotCommandScopeChat). Placeholder: the people feature fills it in."""

from __future__ import annotations

from aiogram import Bot

from bot.roles import Member


async def set_menu(bot: Bot, member: Member) -> None:
    """Set `member`'s command menu in their language, with only what their roles allow."""
    return None
