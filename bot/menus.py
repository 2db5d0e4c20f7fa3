"""Per-person command menus (BotCommandScopeChat), in the person's language, with only what they may use.

The default scope (everyone who has no menu of their own: outsiders) shows /start and /help.
Setting a menu is best effort: a failure is logged and never undoes the change that asked for it.
At start-up, the menus that a release changed are set again (`refresh_changed_menus`): each person keeps
the fingerprint of the menu last set that way, so a menu that did not change is not sent again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import date, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
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


def menu_fingerprint(member: Member) -> str:
    """What `set_menu` sends for `member` (language, commands and their descriptions), hashed."""
    commands = [[c.command, c.description] for c in menu_commands(member, member.language)]
    payload = json.dumps([member.language, commands], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


async def set_menu(bot: Bot, member: Member) -> bool:
    """Set `member`'s command menu in their language, with only what their roles allow (True: set)."""
    if not member.telegram_id:
        return False
    commands = menu_commands(member, member.language)
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=member.telegram_id))
    except TelegramAPIError as e:
        log.warning("menu of person %s not set: %s", member.person_id, e)
        return False
    return True


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
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    today: date,
    identity: Any = None,
    since: date | None = None,
) -> int:
    """Menus of people whose dated roles (a deputy's delegation) start today or ended yesterday; with `since`
    (the last day done), of every day after it up to today, so a day of downtime is caught up."""
    first = since + timedelta(days=1) if since is not None and since < today else today
    async with sessionmaker() as s:
        people = (
            await s.scalars(
                select(Person)
                .join(PersonRole)
                .where(
                    or_(
                        PersonRole.valid_from.between(first, today),
                        PersonRole.valid_to.between(first - timedelta(days=1), today - timedelta(days=1)),
                    )
                )
                .distinct()
            )
        ).all()
    for person in people:
        if identity is not None and person.telegram_id:
            identity.invalidate(person.telegram_id)
        await refresh_menu(bot, person, today)
    return len(people)


DATED_MENUS = "dated-menus"  # the due mark: the last local day whose dated menus were set


async def catch_up_dated_menus(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, identity: Any = None
) -> int:
    """The daily job: every day since the last one done (kept in `due_mark`), then mark today done."""
    from storage.models.reminder import DueMark

    today = clock.today()
    async with sessionmaker() as s:
        mark = await s.get(DueMark, DATED_MENUS)
        since = mark.day if mark is not None else None
    if since is not None and since >= today:
        return 0
    n = await refresh_dated_menus(bot, sessionmaker, today, identity, since=since)
    async with sessionmaker() as s:
        mark = await s.get(DueMark, DATED_MENUS)
        if mark is None:
            s.add(DueMark(name=DATED_MENUS, day=today, at=clock.now()))
        else:
            mark.day, mark.at = max(mark.day or today, today), clock.now()
        await s.commit()
    return n


async def refresh_changed_menus(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, per_second: float
) -> int:
    """Set again the menu of every linked, active member whose menu is not the one last set this way
    (a release added or renamed a command, a role or language changed meanwhile), at most `per_second`
    calls a second. Each person's fingerprint is committed as soon as their menu is set, so a restart
    goes on where this stopped. Returns how many menus were set."""
    today = clock.today()
    async with sessionmaker() as s:
        people = (
            await s.scalars(
                select(Person)
                .where(
                    Person.telegram_id.is_not(None), Person.active.is_(True), Person.unreachable.is_(False)
                )
                .order_by(Person.id)
            )
        ).all()
    stale = [
        (person.id, member, fingerprint)
        for person in people
        if (fingerprint := menu_fingerprint(member := to_member(person, today))) != person.menu_fingerprint
    ]
    done = 0
    for i, (person_id, member, fingerprint) in enumerate(stale):
        if i:
            await clock.sleep(1 / per_second)  # the sender's pace: never a burst at start-up
        if not await set_menu(bot, member):
            continue
        async with sessionmaker() as s:
            await s.execute(update(Person).where(Person.id == person_id).values(menu_fingerprint=fingerprint))
            await s.commit()
        done += 1
    if stale:
        log.info("menus: %s of %s changed menus set again", done, len(stale))
    return done


def start_menu_refresh(dp: Any, bot: Bot) -> asyncio.Task[int]:
    """On start-up: refresh the changed menus beside the polling (kept in `dp["menu_refresh"]`)."""
    task = asyncio.create_task(
        refresh_changed_menus(bot, dp["sessionmaker"], dp["clock"], dp["settings"].outbox_rate_global),
        name="menu-refresh",
    )
    dp["menu_refresh"] = task
    return task
