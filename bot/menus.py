"""Per-person command menus (BotCommandScopeChat), in the person's language, with only what they may use.

The default scope (everyone who has no menu of their own: outsiders) shows /start and /help.
Setting a menu is best effort: a failure is logged and never undoes the change that asked for it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import commands_for
from bot.i18n import LANGUAGES, t
from bot.roles import Member
from storage.models import Person, PersonRole
from storage.repositories.people import to_member

log = logging.getLogger(__name__)


def menu_commands(member: Member | None, locale: str) -> list[BotCommand]:
    """The menu entries `member` may use (an outsider: None), described in `locale`."""
    return [
        BotCommand(command=c.name, description=t(c.help_key, locale=locale)[:256])
        for c in commands_for(member)
    ]


async def set_menu(bot: Bot, member: Member) -> None:
    """Set `member`'s command menu in their language, with only what their roles allow."""
    if not member.telegram_id:
        return
    commands = menu_commands(member, member.language)
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=member.telegram_id))
    except TelegramAPIError as e:
        log.warning("menu of person %s not set: %s", member.person_id, e)


async def clear_menu(bot: Bot, telegram_id: int | None) -> None:
    """Drop a person's own menu (deactivated): they fall back to the default scope."""
    if not telegram_id:
        return
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=telegram_id))
    except TelegramAPIError as e:
        log.warning("menu of chat %s not cleared: %s", telegram_id, e)


async def refresh_menu(bot: Bot, person: Person, today: date) -> None:
    """After a change to a stored person (roles, unit, language, active): set or clear their menu."""
    if not person.telegram_id:
        return
    if not person.active:
        await clear_menu(bot, person.telegram_id)
        return
    await set_menu(bot, to_member(person, today))


async def set_default_menu(bot: Bot) -> None:
    """The menu of the default scope: /start and /help, in Vietnamese, and in English for English clients."""
    try:
        await bot.set_my_commands(menu_commands(None, "vi"), scope=BotCommandScopeDefault())
        for lang in LANGUAGES:
            if lang != "vi":
                await bot.set_my_commands(
                    menu_commands(None, lang), scope=BotCommandScopeDefault(), language_code=lang
                )
    except TelegramAPIError as e:
        log.warning("default menu not set: %s", e)


async def refresh_dated_menus(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], today: date, identity: Any = None
) -> int:
    """Daily: menus of people whose dated roles (a deputy's delegation) start today or ended yesterday."""
    yesterday = today - timedelta(days=1)
    async with sessionmaker() as s:
        people = (
            await s.scalars(
                select(Person)
                .join(PersonRole)
                .where(or_(PersonRole.valid_from == today, PersonRole.valid_to == yesterday))
                .distinct()
            )
        ).all()
    for person in people:
        if identity is not None and person.telegram_id:
            identity.invalidate(person.telegram_id)
        await refresh_menu(bot, person, today)
    return len(people)
