"""/start (without an invite), /help, /cancel and /lang."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.commands import COMMANDS, commands_for
from bot.context import Ctx
from bot.conversation import open_line
from bot.filters import Allowed, Start, personal_router
from bot.i18n import current_locale, t
from bot.menus import set_menu
from bot.roles import RULES, Action, Member, role_name
from bot.services.profile import ProfileService
from bot.text import esc
from handlers import acknowledgement
from handlers.keyboards import LangCb, lang_keyboard


def router() -> Router:
    r = personal_router("common")
    r.message.register(start, Start(deep_link=False))
    r.message.register(help_, Command("help"))
    r.message.register(cancel, Command("cancel"), Allowed(Action.CANCEL))
    r.message.register(lang, Command("lang"), Allowed(Action.LANG))
    r.callback_query.register(pick_lang, LangCb.filter(), Allowed(Action.LANG))
    return r


def help_text(me: Member | None) -> str:
    lines = [t("help-title") if me else t("help-title-guest"), ""]
    lines.append(commands_text(me))
    if me is None:
        lines += ["", t("help-guest-invite")]
    return "\n".join(lines)


# The lines of /help by (roles, language, registries): the same for everyone alike, made once (they were
# 7 % of a /help in bench/dispatch.py). The registries are in the key, so a command registered later shows.
_COMMANDS_TEXT: dict[tuple[object, ...], str] = {}


def commands_text(me: Member | None) -> str:
    key = (me.grants if me else None, current_locale(), tuple(COMMANDS.values()), len(RULES))
    text = _COMMANDS_TEXT.get(key)
    if text is None:
        if len(_COMMANDS_TEXT) >= 1024:
            _COMMANDS_TEXT.clear()
        text = _COMMANDS_TEXT[key] = "\n".join(f"/{c.name} — {t(c.help_key)}" for c in commands_for(me))
    return text


def commands_text_of(names: tuple[str, ...]) -> str:
    """The lines of /help for these commands only (an account waiting for the head's word)."""
    return "\n".join(f"/{COMMANDS[n].name} — {t(COMMANDS[n].help_key)}" for n in names if n in COMMANDS)


def roles_text(roles: list[tuple[str, str | None]]) -> str:
    """The member's roles by their one name, with the unit when it is not the member's own."""
    names = [role_name(r) + (f" ({esc(unit)})" if unit else "") for r, unit in roles]
    return ", ".join(names) if names else t("start-member-no-roles")


async def start(message: Message, me: Member | None, ctx: Ctx) -> None:
    """Who the member is (name, unit, roles) and what they can do now."""
    if me is None:
        await message.answer(t("start-guest"))
        return
    who = await ProfileService(ctx).whoami(me)
    roles = roles_text([(r.value, unit) for r, unit in who.roles])
    if who.unit_name:
        intro = t("start-member", name=esc(me.full_name), unit=esc(who.unit_name), roles=roles)
    else:
        intro = t("start-member-no-unit", name=esc(me.full_name), roles=roles)
    parts = [intro, t("start-member-can"), commands_text(me), t("start-member-help")]
    offer = await acknowledgement.offer(ctx, me.person_id)  # until the plan is acknowledged
    await message.answer("\n\n".join(parts), reply_markup=offer)


async def help_(message: Message, me: Member | None, state: FSMContext) -> None:
    """What the person may do; in a conversation (which /help keeps), what is still open at the end."""
    text = help_text(me)
    if line := open_line(await state.get_state()):
        text += "\n\n" + line
    await message.answer(text)


async def cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(t("cancel-nothing"))
        return
    await state.clear()
    await message.answer(t("cancel-done"))


async def lang(message: Message) -> None:
    await message.answer(t("lang-ask"), reply_markup=lang_keyboard())


async def pick_lang(query: CallbackQuery, callback_data: LangCb, me: Member, ctx: Ctx) -> None:
    await ProfileService(ctx).set_language(me.person_id, callback_data.code)
    await set_menu(query.bot, replace(me, language=callback_data.code))  # type: ignore[arg-type]
    text = t("lang-set", locale=callback_data.code)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text)


__all__ = ["F", "router"]
