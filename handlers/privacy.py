"""/forget (issue 22, M20): the person is told what goes and what stays, and why, before confirming; then
their personal data is removed in this update's unit of work and the account unlinked.

A press is taken only from the preview still open: the FSM holds the preview's random number, the button
carries it and the person's id, so a forged press, a press on an old preview or a second tap after the
first did it is refused (the second tap finds the account unlinked: it is nobody's any more). The
service checks the roles again on the press.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Literal

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot import menus
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.roles import Member
from bot.services import retention  # noqa: F401  (registers the retention due work)
from bot.services.forget import FORGET, ForgetPlan, ForgetService, StillNeeded
from bot.text import esc, plain
from handlers.keyboards import button

register_command("forget", FORGET, "forget-cmd", order=93)  # after /mydata: rarely needed


class ForgetSG(StatesGroup):
    confirm = State()


conversation(ForgetSG, "forget-flow")


class ForgetCb(CallbackData, prefix="fg"):
    op: Literal["y", "n"]
    p: int  # the person the preview was for
    n: int  # the preview's random number, kept in the FSM


def router() -> Router:
    r = personal_router("privacy")
    r.message.register(ask, Command("forget"), Allowed(FORGET))
    r.callback_query.register(press, ForgetCb.filter(), StateFilter(ForgetSG.confirm), Allowed(FORGET))
    r.callback_query.register(stale, ForgetCb.filter())  # anyone else, any other time
    return r


def preview_text(plan: ForgetPlan) -> str:
    gone = [t("forget-gone-contact"), t("forget-gone-link")]
    if plan.difficulties:
        gone.append(t("forget-gone-difficulties", n=plan.difficulties))
    if plan.deeds_blanked:
        gone.append(t("forget-gone-deeds", n=plan.deeds_blanked))
    gone.append(t("forget-gone-messages", n=plan.messages))
    kept = [t("forget-kept-roster"), t("forget-kept-record", **plan.kept)]
    if plan.deeds_anonymised:
        kept.append(t("forget-kept-deeds", n=plan.deeds_anonymised))
    kept.append(t("forget-kept-audit"))
    return "\n".join(
        [
            t("forget-title"),
            t("forget-gone-head"),
            *gone,
            "",
            t("forget-kept-head"),
            *kept,
            "",
            t("forget-final"),
        ]
    )


def refusal(e: DomainError) -> str:
    if isinstance(e, StillNeeded):
        return t(e.key, roles="\n".join("• " + esc(r) for r in e.params["roles"]))
    return e.text()


async def ask(message: Message, me: Member, ctx: Ctx, state: FSMContext) -> None:
    try:
        plan = await ForgetService(ctx).preview(me)
    except DomainError as e:
        await message.answer(refusal(e))
        return
    nonce = secrets.randbelow(2**31)
    await state.set_state(ForgetSG.confirm)
    await state.update_data(forget=nonce)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [button(t("forget-btn-yes"), ForgetCb(op="y", p=me.person_id, n=nonce))],
            [button(t("forget-btn-no"), ForgetCb(op="n", p=me.person_id, n=nonce))],
        ]
    )
    await message.answer(preview_text(plan), reply_markup=markup)


async def _close(query: CallbackQuery, note: str) -> None:
    """The preview loses its buttons and shows the outcome under it."""
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text((query.message.html_text or "") + "\n\n" + note, reply_markup=None)


async def press(
    query: CallbackQuery, callback_data: ForgetCb, me: Member, ctx: Ctx, state: FSMContext, bot: Bot
) -> None:
    if callback_data.p != me.person_id or (await state.get_data()).get("forget") != callback_data.n:
        await stale(query)
        return
    if callback_data.op == "n":
        await state.clear()
        await _close(query, t("forget-cancelled"))
        return
    try:
        _, account = await ForgetService(ctx).forget(me)
    except DomainError as e:
        await state.clear()
        await query.answer()
        if isinstance(query.message, Message):
            with contextlib.suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(refusal(e))
        return
    await state.clear()  # staged: the conversation ends with the commit
    await _close(query, t("forget-done"))
    await menus.clear_menu(bot, account)


async def stale(query: CallbackQuery) -> None:
    await query.answer(plain(t("forget-stale")), show_alert=True)
