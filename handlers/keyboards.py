"""CallbackData classes and small keyboard builders. Callback data stays under 64 bytes."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t


class LangCb(CallbackData, prefix="lang"):
    code: Literal["vi", "en"]


def lang_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t("lang-vi"), callback_data=LangCb(code="vi").pack()),
                InlineKeyboardButton(text=t("lang-en"), callback_data=LangCb(code="en").pack()),
            ]
        ]
    )
