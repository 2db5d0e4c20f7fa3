"""What the decisions' handlers share: callback data, the conversations, small helpers."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.conversation import conversation
from bot.text import label


class DecCb(CallbackData, prefix="dc"):
    """op: what the press does; id: the object (round, objection, nomination, person); x: a second id."""

    op: str
    id: int = 0
    x: int = 0


class ObjectSG(StatesGroup):
    reason = State()
    confirm = State()


class AnswerSG(StatesGroup):
    text = State()  # a dismissal's reason, a deadline, a re-ballot's close


class CorrectSG(StatesGroup):  # a decision's number, date or signer fixed
    number = State()
    signer = State()
    reason = State()


class RevokeSG(StatesGroup):
    reason = State()


class ApproveSG(StatesGroup):  # the upper decision's number and date
    number = State()


class DelegateSG(StatesGroup):  # the principal's signing delegation to a deputy, with its dates
    who = State()
    dates = State()


class PublishSG(StatesGroup):
    targets = State()  # the list's post previewed, its targets being ticked


class SupplySG(StatesGroup):
    text = State()


class DecideSG(StatesGroup):
    number = State()
    signer = State()
    preview = State()
    leave_reason = State()
    amount = State()


conversation(ObjectSG, "decisions-flow-object", asks={ObjectSG.reason: "decisions-ask-reason"})
conversation(AnswerSG, "decisions-flow-answer")
conversation(SupplySG, "decisions-flow-supply")
conversation(PublishSG, "decisions-flow-publish")
conversation(CorrectSG, "decisions-flow-correct")
conversation(RevokeSG, "decisions-flow-revoke")
conversation(ApproveSG, "decisions-flow-approve")
conversation(DelegateSG, "decisions-flow-delegate")
conversation(DecideSG, "decisions-flow-decide", asks={DecideSG.number: "decisions-ask-number"})


def button(text: str, op: str, id_: int = 0, x: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=label(text), callback_data=DecCb(op=op, id=id_, x=x).pack())


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[r for r in rows if r])


async def drop_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message) and query.message.reply_markup:
        with contextlib.suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def say(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer a press with a message (the buttons of the pressed one dropped)."""
    await query.answer()
    await drop_buttons(query)
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)
