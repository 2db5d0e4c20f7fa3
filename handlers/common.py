"""/start (without an invite), /help, /cancel and /lang."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.commands import commands_for
from bot.context import Ctx
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.menus import set_menu
from bot.roles import Action, Member
from bot.services.profile import ProfileService
from bot.text import esc
from handlers import acknowledgement
from handlers.keyboards import LangCb, lang_keyboard


def router() -> Router:
    r = personal_router("common")
    r.message.register(start, CommandStart(deep_link=False))
    r.message.register(help_, Command("help"))
    r.message.register(cancel, Command("cancel"), Allowed(Action.CANCEL))
    r.message.register(lang, Command("lang"), Allowed(Action.LANG))
    r.callback_query.register(pick_lang, LangCb.filter(), Allowed(Action.LANG))
    return r


def help_text(me: Member | None) -> str:
    lines = [t("help-title") if me else t("help-title-guest"), ""]
    lines += [f"/{c.name} — {t(c.help_key)}" for c in commands_for(me)]
    if me is None:
        lines += ["", t("help-guest-invite")]
    return "\n".join(lines)


async def start(message: Message, me: Member | None, ctx: Ctx) -> None:
    if me is None:
        await message.answer(t("start-guest"))
        return
    offer = await acknowledgement.offer(ctx, me.person_id)  # until the plan is acknowledged
    await message.answer(
        t("start-member", name=esc(me.full_name)) + "\n\n" + help_text(me), reply_markup=offer
    )


async def help_(message: Message, me: Member | None) -> None:
    await message.answer(help_text(me))


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
