"""What the steps of /announce share: the callback data, the conversation's states, small helpers."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.i18n import t
from bot.services.announce import BroadcastService, Draft
from bot.text import plain


class AnCb(CallbackData, prefix="an"):
    op: Literal[
        "ex", "gd", "tx", "dc", "more", "done", "skip", "edit", "photo", "nophoto", "targets", "staff",
        "units", "preview", "now", "later", "back", "qok", "qend",
    ]  # fmt: skip


class AnPickCb(CallbackData, prefix="anp"):
    k: Literal["p", "u"]
    id: int


class AnTitleCb(CallbackData, prefix="ant"):
    id: int


class AnDeedCb(CallbackData, prefix="and"):
    id: int


class AnChatCb(CallbackData, prefix="anc"):
    id: int


class AnUnitCb(CallbackData, prefix="anu"):
    id: int


class BcCb(
    CallbackData, prefix="bcf"
):  # bot.services.announce_draft.bc_data builds these for queued messages
    op: Literal["x", "f", "r", "s"]  # stop or cancel, the failures, re-send, send an overdue post now
    id: int


class AnnounceSG(StatesGroup):
    source = State()
    who = State()
    title = State()
    achievement = State()
    more = State()
    decision = State()
    deeds = State()
    text = State()
    draft = State()
    edit = State()
    photo = State()
    targets = State()
    preview = State()
    when = State()


conversation(AnnounceSG, "announce-flow")


def btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def ops(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return kb([[btn(t(key), AnCb(op=op))] for op, key in pairs])  # type: ignore[arg-type]


def service(ctx: Ctx) -> BroadcastService:
    return BroadcastService(ctx)


async def draft_of(state: FSMContext) -> Draft:
    return Draft.from_state(await state.get_data())


async def keep(state: FSMContext, draft: Draft, next_state: State | None = None, **extra: object) -> None:
    await state.update_data(**draft.as_state(), **extra)
    if next_state is not None:
        await state.set_state(next_state)


def chat_of(event: Message | CallbackQuery) -> Message:
    msg = event if isinstance(event, Message) else event.message
    assert isinstance(msg, Message)
    return msg


async def alert(query: CallbackQuery, e: DomainError) -> None:
    """A refusal as an alert: plain text (an alert shows no HTML) within Telegram's 200 characters."""
    await query.answer(plain(e.text())[:200], show_alert=True)
