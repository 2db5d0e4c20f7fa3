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


# -- people administration (/people) ------------------------------------------------------------------
class PeoplePageCb(CallbackData, prefix="pa_pg"):
    q: str  # the normalised search words (bot.services.people_admin.query_key), at most 40 bytes
    p: int


class PersonCb(CallbackData, prefix="pa_cd"):
    id: int


class PersonEditCb(CallbackData, prefix="pa_ed"):
    op: Literal["card", "units", "unit", "roles", "role", "deleg", "undeleg", "off", "off!", "on"]
    id: int
    arg: str = ""
