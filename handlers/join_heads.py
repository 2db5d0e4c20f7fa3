"""The unit head's side of joining: the buttons of the messages about joins, the joins waiting in /pending (a
card per item with the same buttons), and the line of /status. Included by handlers/join.py's router.

Every press is checked again by the service (bot/services/join_heads.py): the person, the unit, the item's
state; a press of a join that was settled meanwhile is told so.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import menus
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed, personal_router
from bot.i18n import t, tn
from bot.roles import Action, Member
from bot.services.join_claims import Waiting, waiting_text
from bot.services.join_heads import JoinHeadsService
from bot.text import esc, plain
from handlers.keyboards import ConfirmJoinerCb, JoinClaimCb, JoinUnlinkCb
from handlers.keyboards import button as _btn
from handlers.pending import pending_part

HEAD_PRESS = Allowed(Action.CONFIRM_JOINER)
LISTED = 30  # items of /pending with a button; the rest are counted


class RefuseJoinerCb(CallbackData, prefix="rjn"):
    id: int  # a person who joined unconfirmed (before issue 18): "not of the unit"


class JoinWaitCb(CallbackData, prefix="jnw"):
    kind: Literal["claim", "person"]
    id: int  # the join_claim, or the person, waiting for the head's word


def router() -> Router:
    r = personal_router("join_heads")
    r.callback_query.register(confirm_joiner, ConfirmJoinerCb.filter(), HEAD_PRESS)
    r.callback_query.register(refuse_joiner, RefuseJoinerCb.filter(), HEAD_PRESS)
    r.callback_query.register(settle_claim, JoinClaimCb.filter(), HEAD_PRESS)
    r.callback_query.register(unlink, JoinUnlinkCb.filter(), HEAD_PRESS)
    r.callback_query.register(card, JoinWaitCb.filter(), HEAD_PRESS)
    r.callback_query.register(
        not_allowed,
        or_f(
            ConfirmJoinerCb.filter(),
            RefuseJoinerCb.filter(),
            JoinClaimCb.filter(),
            JoinUnlinkCb.filter(),
            JoinWaitCb.filter(),
        ),
    )
    return r


def waiting_markup(w: Waiting) -> InlineKeyboardMarkup:
    """The head's two buttons for a waiting join, as the notification has them."""
    if w.kind == "person":
        yes, no = ConfirmJoinerCb(id=w.id), RefuseJoinerCb(id=w.id)
    else:
        yes, no = JoinClaimCb(op="ok", id=w.id), JoinClaimCb(op="no", id=w.id)
    if w.newcomer:
        labels = t("join-btn-confirm-joiner"), t("join-btn-not-of-unit")
    else:
        labels = t("join-btn-claim-ok"), t("join-btn-not-this-person")
    return InlineKeyboardMarkup(inline_keyboard=[[_btn(labels[0], yes)], [_btn(labels[1], no)]])


# -- /pending and /status -----------------------------------------------------------------------------------
@pending_part(5)
async def pending_joins(ctx: Ctx) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The joins waiting for this person's word, for /pending (handlers/pending.py)."""
    items = await JoinHeadsService(ctx).waiting()
    if not items:
        return [], []
    lines = [tn("join-pending-head", len(items))]
    rows = []
    for i, w in enumerate(items[:LISTED], 1):
        lines.append(t("join-pending-line", n=i, name=esc(w.name), unit=esc(w.unit_name)))
        rows.append([_btn(t("join-pending-btn", n=i, name=w.name), JoinWaitCb(kind=w.kind, id=w.id))])  # type: ignore[arg-type]
    return lines, rows


async def status_line(ctx: Ctx, unit_id: int | None = None) -> str:
    """For /status (bot/services/status.py's room): how many joins wait for the actor's word, as a line
    to add under a unit's block (of `unit_id`) or the college's; "" when none."""
    n = len(await JoinHeadsService(ctx).waiting(unit_id))
    return "\n" + tn("join-status-waiting", n) if n else ""


async def card(query: CallbackQuery, callback_data: JoinWaitCb, ctx: Ctx) -> None:
    try:
        w = await JoinHeadsService(ctx).waiting_one(callback_data.kind, callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(waiting_text(w), reply_markup=waiting_markup(w))


# -- the buttons ------------------------------------------------------------------------------------------
async def _outcome(query: CallbackQuery, note: str) -> None:
    """Show the outcome under the head's message, without its buttons."""
    await query.answer(plain(note)[:200])
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_text((query.message.html_text or "") + "\n\n" + note, reply_markup=None)


async def _forget_account(bot: Bot, fsm_storage: BaseStorage, telegram_id: int) -> None:
    """The account's conversation ends with its link (staged in this update's unit of work), and its menu."""
    key = StorageKey(bot_id=bot.id, chat_id=telegram_id, user_id=telegram_id)
    await FSMContext(storage=fsm_storage, key=key).clear()
    await menus.clear_menu(bot, telegram_id)


async def confirm_joiner(query: CallbackQuery, callback_data: ConfirmJoinerCb, ctx: Ctx) -> None:
    try:
        person = await JoinHeadsService(ctx).confirm_joiner(callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await _outcome(query, t("join-confirm-done", name=esc(person.full_name)))


async def refuse_joiner(
    query: CallbackQuery, callback_data: RefuseJoinerCb, ctx: Ctx, bot: Bot, fsm_storage: BaseStorage
) -> None:
    try:
        person, telegram_id = await JoinHeadsService(ctx).refuse_joiner(callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await _forget_account(bot, fsm_storage, telegram_id)
    await _outcome(query, t("join-newcomer-refused-done", name=esc(person.full_name)))


async def settle_claim(query: CallbackQuery, callback_data: JoinClaimCb, ctx: Ctx, bot: Bot) -> None:
    service = JoinHeadsService(ctx)
    try:
        if callback_data.op == "ok":
            joined = await service.confirm_claim(callback_data.id)
            note = t("join-claim-confirmed", name=esc(joined.person.full_name))
        else:
            name = await service.refuse_claim(callback_data.id)
            note = t("join-claim-refused-done", name=esc(name))
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await _outcome(query, note)
    if callback_data.op == "ok":
        await menus.set_menu(bot, joined.member)


async def unlink(
    query: CallbackQuery, callback_data: JoinUnlinkCb, ctx: Ctx, bot: Bot, fsm_storage: BaseStorage
) -> None:
    try:
        person, telegram_id = await JoinHeadsService(ctx).unlink(callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await _forget_account(bot, fsm_storage, telegram_id)
    await _outcome(query, t("join-unlinked", name=esc(person.full_name)))


async def not_allowed(query: CallbackQuery, me: Member | None) -> None:
    await query.answer(t("need-invite") if me is None else t("error-not-allowed"), show_alert=True)
