"""The admin hands a person's open work to another, then deactivates them (issue 22, M20). Included by
handlers/people.py's router; the button is on the deactivation's confirmation.

"Bàn giao việc" asks for the successor's name (the one name search), lists the matches, previews what moves
(the roles, what waits in them, the votes chaired) and does it on "Xác nhận bàn giao". Every press is checked
again by the service (bot/services/handover.py): the admin, both people active, the roles in force.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.menus import refresh_menu
from bot.roles import Action
from bot.services.handover import Handover, HandoverService
from bot.text import esc, plain
from handlers.keyboards import PersonEditCb
from handlers.keyboards import button as _btn

EDIT = Allowed(Action.PEOPLE_EDIT)


class HandoverCb(CallbackData, prefix="pa_ho"):  # "pa_": a forged or refused press meets people's `refused`
    op: Literal["ask", "pick", "go"]
    p: int  # the person leaving
    to: int = 0  # the successor


class HandoverSG(StatesGroup):
    successor = State()  # the successor's name (data: pid)


ASK_PRESS = (HandoverCb.filter(F.op == "ask"), EDIT)
conversation(HandoverSG, "handover-flow", started_by=[ASK_PRESS])


def include(r: Router) -> None:
    r.callback_query.register(ask, *ASK_PRESS)
    r.message.register(successor_name, StateFilter(HandoverSG.successor), TYPED, EDIT)
    r.callback_query.register(pick, HandoverCb.filter(F.op == "pick"), EDIT)
    r.callback_query.register(go, HandoverCb.filter(F.op == "go"), EDIT)


def button(pid: int) -> list[InlineKeyboardButton]:
    """The row for the deactivation's confirmation (handlers/people.py)."""
    return [_btn(t("handover-btn"), HandoverCb(op="ask", p=pid))]


async def _alert(query: CallbackQuery, e: DomainError) -> None:
    await query.answer(plain(e.text()), show_alert=True)


async def ask(query: CallbackQuery, callback_data: HandoverCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        leaver, _ = await HandoverService(ctx).leaving(callback_data.p)
    except DomainError as e:
        await _alert(query, e)
        return
    await state.set_state(HandoverSG.successor)
    await state.set_data({"pid": leaver.id})
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(t("handover-ask", name=esc(leaver.full_name)))


async def successor_name(message: Message, state: FSMContext, ctx: Ctx) -> None:
    pid = int((await state.get_data()).get("pid") or 0)
    try:
        found = await HandoverService(ctx).candidates(pid, message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return  # state kept: another name
    if not found:
        await message.answer(t("handover-none-found"))
        return
    rows = [[_btn(p.full_name, HandoverCb(op="pick", p=pid, to=p.id))] for p in found]
    await message.answer(t("handover-pick"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


def preview_text(h: Handover, roles: list[str]) -> str:
    counts = {k: h.waiting.get(k, 0) for k in ("registrations", "good_deeds", "difficulties", "forwarded")}
    return t(
        "handover-preview",
        name=esc(h.leaver.full_name),
        to=esc(h.successor.full_name),
        roles=esc(", ".join(roles)),
        chairs=len(h.chairs),
        **counts,
    )


async def pick(query: CallbackQuery, callback_data: HandoverCb, ctx: Ctx) -> None:
    service = HandoverService(ctx)
    try:
        h = await service.preview(callback_data.p, callback_data.to)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_btn(t("handover-btn-go"), HandoverCb(op="go", p=h.leaver.id, to=h.successor.id))],
            [_btn(t("people-admin-back"), PersonEditCb(op="card", id=h.leaver.id))],
        ]
    )
    text = preview_text(h, h.role_names(await service.units(h)))
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def go(query: CallbackQuery, callback_data: HandoverCb, ctx: Ctx, state: FSMContext, bot: Bot) -> None:
    try:
        h = await HandoverService(ctx).hand_over(callback_data.p, callback_data.to)
    except DomainError as e:
        await _alert(query, e)
        return
    await state.clear()
    note = t("handover-done", name=esc(h.leaver.full_name), to=esc(h.successor.full_name))
    await query.answer(plain(note)[:200])
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text(note, reply_markup=None)
    today = ctx.clock.today()
    await refresh_menu(bot, h.leaver, today)
    await refresh_menu(bot, h.successor, today)
