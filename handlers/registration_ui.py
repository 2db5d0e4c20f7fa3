"""The registration's callback data, buttons, conversations and commands; the helpers its handlers share."""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Literal

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import Allowed
from bot.i18n import get_i18n, t
from bot.services.registration import (
    EDITABLE,
    NoSchoolYear,
    RegistrationService,
    View,
    fmt_when,
)
from handlers.pending import PENDING
from handlers.render.registration import TEXTS, no_year_text
from storage.models.registration import RegistrationState

SUBMIT, ENDORSE, MANAGE = "registration_submit", "registration_endorse", "registration_manage"
# A linked person: pressing a decision button or opening a card; the service decides who may act on which.
LINKED = Allowed("help")


# -- callback data (≤ 64 bytes) ------------------------------------------------------------------------
class RegKindCb(CallbackData, prefix="rgk"):
    unit: int  # 0: the person's own registration; else the unit's collective one


class RegTitleCb(CallbackData, prefix="rgt"):
    id: int


class RegMovCb(CallbackData, prefix="rgm"):
    id: int  # 0: done


class RegDraftCb(CallbackData, prefix="rgd"):
    op: Literal["send", "title", "mov", "text", "cancel"]


class RegOwnCb(CallbackData, prefix="rgo"):
    id: int
    op: Literal["edit", "wd"]


class RegDecCb(CallbackData, prefix="rgx"):
    id: int
    v: int
    op: Literal["ok", "ret", "reo"]  # endorse, return a submitted one, return an endorsed one


class RegCardCb(CallbackData, prefix="rgc"):
    id: int


class RegListCb(CallbackData, prefix="rgl"):
    u: int = 0
    t: int = 0
    s: str = ""
    p: int = 0
    o: str = ""  # "": show; "fu" / "ft" / "fs": choose a unit / a title / a state


class RegExtCb(CallbackData, prefix="rge"):
    unit: int  # 0: the whole college
    op: Literal["pick", "ok", "no"] = "pick"


def btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


class RegistrationButtons:
    """The buttons on the messages the service queues (JSON-ready dicts)."""

    def for_decider(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None:
        return decide_keyboard(registration_id, version, locale).model_dump(exclude_none=True)

    def for_owner(self, registration_id: int, locale: str) -> dict[str, Any] | None:
        return kb(
            [[btn(t("registration-btn-edit", locale=locale), RegOwnCb(id=registration_id, op="edit"))]]
        ).model_dump(exclude_none=True)

    def for_endorsed(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None:
        return endorsed_keyboard(registration_id, version, locale).model_dump(exclude_none=True)


def endorsed_keyboard(registration_id: int, version: int, locale: str | None = None) -> InlineKeyboardMarkup:
    """An endorsed registration's one action for its head or the secretary: return it (issue 18, D16)."""
    cb = RegDecCb(id=registration_id, v=version, op="reo")
    return kb([[btn(t("registration-btn-return", locale=locale), cb)]])


def decide_keyboard(registration_id: int, version: int, locale: str | None = None) -> InlineKeyboardMarkup:
    return kb(
        [
            [
                btn(
                    t("registration-btn-endorse", locale=locale),
                    RegDecCb(id=registration_id, v=version, op="ok"),
                ),
                btn(
                    t("registration-btn-return", locale=locale),
                    RegDecCb(id=registration_id, v=version, op="ret"),
                ),
            ]
        ]
    )


def owner_keyboard(view: View) -> InlineKeyboardMarkup | None:
    item = view.item
    if item.state in EDITABLE:
        return kb(
            [
                [
                    btn(t("registration-btn-edit"), RegOwnCb(id=item.id, op="edit")),
                    btn(t("registration-btn-withdraw"), RegOwnCb(id=item.id, op="wd")),
                ]
            ]
        )
    if item.state == RegistrationState.WITHDRAWN.value:
        return kb([[btn(t("registration-btn-reopen"), RegOwnCb(id=item.id, op="edit"))]])
    return None


# -- conversations -------------------------------------------------------------------------------------
class RegisterSG(StatesGroup):
    kind = State()  # a unit head: their own, or the unit's collective one
    title = State()
    movements = State()
    commitments = State()
    confirm = State()


class RegReturnSG(StatesGroup):
    reason = State()


class RegExtendSG(StatesGroup):
    until = State()
    confirm = State()


EDIT_PRESS = (RegOwnCb.filter(F.op == "edit"), Allowed(SUBMIT))
RETURN_PRESS = (RegDecCb.filter(F.op == "ret"), LINKED)
RETURN_ENDORSED_PRESS = (RegDecCb.filter(F.op == "reo"), LINKED)
EXT_PRESS = (RegExtCb.filter(F.op == "pick"), Allowed(MANAGE))
conversation(RegisterSG, "registration-flow-register", started_by=[EDIT_PRESS])
conversation(RegReturnSG, "registration-flow-return", started_by=[RETURN_PRESS, RETURN_ENDORSED_PRESS])
conversation(RegExtendSG, "registration-flow-extend", started_by=[EXT_PRESS])

register_command("register", SUBMIT, "registration-cmd-register", order=30)
register_command("pending", PENDING, "pending-cmd", order=31)
register_command("registrations", MANAGE, "registration-cmd-list", order=32)
register_command("regwindow", MANAGE, "registration-cmd-window", order=33)


def service(ctx: Ctx) -> RegistrationService:
    return RegistrationService(ctx, RegistrationButtons(), TEXTS)


def lang() -> str:
    return get_i18n().current_locale


def error_text(e: DomainError) -> str:
    if isinstance(e, NoSchoolYear):
        return no_year_text(e)
    params = {k: (fmt_when(v) if hasattr(v, "tzinfo") and v is not None else v) for k, v in e.params.items()}
    return t(e.key, **params)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


def name_of(row: Any) -> str:
    return str(getattr(row, f"name_{lang()}", None) or row.name_vi)
