"""What the vote's handlers share: callback data (≤ 64 bytes), the buttons, small helpers.

Callback data never carries authority: every press is checked again by the service (the person, the role,
the vote's state and round). A vote's buttons carry the choice pressed, as they must; nothing the bot keeps
or answers afterwards does (the answer to a press says "recorded", never what).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Literal

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.clock import fmt_when
from bot.context import Ctx
from bot.errors import DomainError
from bot.i18n import get_i18n, t
from bot.services.voting import VotingService
from handlers.keyboards import button


class VoteOpenCb(CallbackData, prefix="vo"):
    """ "Bỏ phiếu" on the opening message and the reminders: the member's review of vote `v`."""

    v: int


class VoteListCb(CallbackData, prefix="vl"):
    v: int
    p: int = 0  # the index's page


class VoteCardCb(CallbackData, prefix="vd"):
    v: int
    d: int
    op: Literal["card", "full"] = "card"


class VoteCb(CallbackData, prefix="vb"):
    v: int
    d: int
    c: Literal["y", "n", "u"]  # agree, disagree, undecided


CHOICE = {"y": "agree", "n": "disagree", "u": "undecided"}


class CouncilCb(CallbackData, prefix="vk"):
    r: int  # the plan round
    op: Literal["show", "rm", "add", "new", "chairs", "chair"]
    p: int = 0  # the person


class DeskCb(CallbackData, prefix="vr"):
    v: int
    op: Literal["show", "close", "wr", "rb"]


class WrittenCb(CallbackData, prefix="vw"):
    v: int
    m: int  # the member
    d: int = 0  # the dossier (0: choose one)
    c: Literal["", "y", "n"] = ""


class TieCb(CallbackData, prefix="vt"):
    v: int
    i: int  # the title's place in the result
    d: int = 0  # a dossier to choose or leave out; 0: go on to the reason
    on: bool = False


class ReballotCb(CallbackData, prefix="vx"):
    v: int
    d: int


def kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


class VotingButtons:
    """The "Bỏ phiếu" button of the messages the vote queues (bot/services/voting/notices.VotingMarkup)."""

    def review(self, voting_id: int, locale: str) -> dict[str, Any] | None:
        markup = kb([[button(t("voting-btn-vote", locale=locale), VoteOpenCb(v=voting_id))]])
        assert markup is not None
        return markup.model_dump(exclude_none=True)


def service(ctx: Ctx) -> VotingService:
    return VotingService(ctx)


def lang() -> str:
    return get_i18n().current_locale


def error_text(e: DomainError) -> str:
    params = {k: (fmt_when(v, lang()) if hasattr(v, "tzinfo") else v) for k, v in e.params.items()}
    return t(e.key, **params)


async def alert(query: CallbackQuery, e: DomainError) -> None:
    await query.answer(error_text(e), show_alert=True)


def msg(query: CallbackQuery) -> Message:
    assert isinstance(query.message, Message)
    return query.message


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the pressed message in place; "message is not modified" (the outcome already shown) is fine."""
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def send_parts(message: Message, parts: list[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Long texts in parts, the buttons under the last."""
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)


def pick(vi: str, en: str) -> str:
    return en if lang() == "en" and en else vi
