"""Groups and channels: the bot added or removed (my_chat_member), a group's upgrade, and /channels."""

from __future__ import annotations

from contextlib import suppress
from typing import Literal

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed, Is, Room, personal_router
from bot.i18n import t
from bot.roles import Member
from bot.services.channels import CHANNELS, KIND, ChannelService, ChatRef, Membership
from bot.services.outbox import Outbox
from bot.text import esc, split_message
from handlers.render import channels as render
from storage.models.channels import ChatBinding

register_command("channels", CHANNELS, "channels-cmd", order=50)


class ChBindCb(CallbackData, prefix="chb"):
    id: int
    v: int
    p: Literal["college", "unit", "union", "units"]
    u: int = 0


class ChCb(CallbackData, prefix="chl"):
    op: Literal["un", "leave", "stay"]
    id: int
    v: int


def _btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def purposes_keyboard(b: ChatBinding, locale: str | None = None) -> InlineKeyboardMarkup:
    rows = [
        [_btn(t(f"channels-btn-{p}", locale=locale), ChBindCb(id=b.id, v=b.version, p=p))]  # type: ignore[arg-type]
        for p in ("college", "units", "union")
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def router() -> Router:
    r = Room(name="channels")  # the bot's membership comes from groups and channels too
    r.my_chat_member.register(bot_membership)
    r.message.register(group_migrated, Is(F.migrate_to_chat_id | F.migrate_from_chat_id))
    p = personal_router("channels-private")
    a = Allowed(CHANNELS)
    p.message.register(show, Command("channels"), a)
    p.callback_query.register(press_bind, ChBindCb.filter(), a)
    p.callback_query.register(press_unbind, ChCb.filter(F.op == "un"), a)
    p.callback_query.register(press_leave, ChCb.filter(F.op.in_({"leave", "stay"})), a)
    r.include_router(p)
    return r


def _membership(m: object, chat_type: str) -> Membership:
    status = str(getattr(m, "status", "left"))
    if status == "restricted" and getattr(m, "is_member", True) is False:
        status = "left"
    if chat_type == "channel" and status == "administrator":
        return Membership(status, bool(getattr(m, "can_post_messages", False)))
    if status == "restricted":
        return Membership(status, bool(getattr(m, "can_send_messages", False)))
    return Membership(status)


async def bot_membership(event: ChatMemberUpdated, ctx: Ctx, me: Member | None, bot: Bot) -> None:
    chat = event.chat
    if chat.type == "private":
        if me is not None:  # blocked ("kicked") or unblocked ("member") by the person
            await ChannelService(ctx).private(me.person_id, event.new_chat_member.status == "kicked")
        return
    ref = ChatRef(chat.id, chat.type, chat.title or "")
    old, new = _membership(event.old_chat_member, chat.type), _membership(event.new_chat_member, chat.type)
    change = await ChannelService(ctx).membership(ref, old, new)
    if change.outcome == "leave":  # added by someone not in charge: leave, tell nobody (a new supergroup
        # waits a little instead, "wait": it may be a bound group's upgrade; the due work leaves it)
        with suppress(TelegramBadRequest, TelegramForbiddenError):
            await bot.leave_chat(chat.id)
        return
    if me is None or change.binding is None or change.outcome not in ("offer", "reoffer", "no_post"):
        return
    b, locale = change.binding, me.language
    if change.outcome in ("offer", "reoffer"):
        text = render.offer(b, locale, again=change.outcome == "reoffer")
        markup = purposes_keyboard(b, locale).model_dump(exclude_none=True)
    else:
        text, markup = render.no_post(b, locale), None
    Outbox(ctx).enqueue(me.telegram_id, text, person_id=me.person_id, kind=KIND, reply_markup=markup)


async def group_migrated(message: Message, ctx: Ctx) -> None:
    """A group upgraded to a supergroup: the binding follows the new chat id. Either side's service message
    moves it (the old group's `migrate_to_chat_id`, the supergroup's `migrate_from_chat_id`); the second
    finds it moved."""
    if message.migrate_to_chat_id is not None:
        await ChannelService(ctx).migrated(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        await ChannelService(ctx).migrated(message.migrate_from_chat_id, message.chat.id)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def press_bind(query: CallbackQuery, callback_data: ChBindCb, ctx: Ctx, me: Member) -> None:
    service = ChannelService(ctx)
    cb = callback_data
    try:
        if cb.p == "units":
            b = await service.offered(cb.id, cb.v)
            units = await service.repo.units()
            rows = [[_btn(u.name, ChBindCb(id=cb.id, v=cb.v, p="unit", u=u.id))] for u in units]
            await query.answer()
            text = t("channels-ask-unit", title=esc(b.title))
            await _edit(query, text, InlineKeyboardMarkup(inline_keyboard=rows))
            return
        b = await service.bind(cb.id, cb.v, cb.p, cb.u or None)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    await _edit(query, render.bound(b, await service.repo.unit(b.unit_id)))


async def show(message: Message, ctx: Ctx) -> None:
    service = ChannelService(ctx)
    rows = await service.listing()
    shown = [(b, await service.repo.unit(b.unit_id)) for b in rows]
    buttons = [
        [_btn(t("channels-btn-unbind", title=b.title[:40]), ChCb(op="un", id=b.id, v=b.version))]
        for b in rows
        if b.active
    ]
    pieces = split_message(render.listing(shown))  # many chats: in parts, the buttons under the last
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        markup = InlineKeyboardMarkup(inline_keyboard=buttons) if buttons and last else None
        await message.answer(piece, reply_markup=markup)


async def press_unbind(query: CallbackQuery, callback_data: ChCb, ctx: Ctx) -> None:
    try:
        b = await ChannelService(ctx).unbind(callback_data.id, callback_data.v)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _btn(t("channels-btn-leave"), ChCb(op="leave", id=b.id, v=b.version)),
                _btn(t("channels-btn-stay"), ChCb(op="stay", id=b.id, v=b.version)),
            ]
        ]
    )
    await query.answer()
    await _edit(query, render.unbound(b), markup)


async def press_leave(query: CallbackQuery, callback_data: ChCb, ctx: Ctx, bot: Bot) -> None:
    service = ChannelService(ctx)
    stay = callback_data.op == "stay"
    try:
        if stay:
            b = await service.unbound(callback_data.id, callback_data.v)
        else:
            b = await service.leavable(callback_data.id, callback_data.v)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    if not stay:  # held until the commit (the update has written)
        with suppress(TelegramBadRequest, TelegramForbiddenError):
            await bot.leave_chat(b.chat_id)
    await query.answer()
    await _edit(query, render.left(b, stay))
