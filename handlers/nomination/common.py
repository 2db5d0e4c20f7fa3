"""What the nomination handlers share: callback data (≤ 64 bytes), keyboards, the service, small helpers."""

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
from bot.services.nomination import NominationService, View
from handlers.render import nomination as render


class NomRoundCb(CallbackData, prefix="nmr"):
    id: int


class NomWhoCb(CallbackData, prefix="nmw"):
    unit: int
    kind: Literal["p", "u"]


class NomPersonCb(CallbackData, prefix="nmp"):
    id: int


class NomTitleCb(CallbackData, prefix="nmt"):
    id: int


class NomDeedCb(CallbackData, prefix="nmg"):
    id: int  # 0: done


class NomDraftCb(CallbackData, prefix="nmd"):
    op: Literal["send", "skip", "cancel", "full"]


class NomItemCb(CallbackData, prefix="nmi"):
    id: int
    v: int = 0
    # a card; edit, withdraw; write, accept, return the report; the card whole; the report
    op: Literal["card", "edit", "wd", "rep", "ok", "ret", "full", "rpt"]


class NomReportCb(CallbackData, prefix="nmb"):
    op: Literal["send", "again", "cancel"]  # the report's preview


class NomListCb(CallbackData, prefix="nml"):
    r: int = 0
    t: int = 0
    s: str = ""
    p: int = 0
    o: str = ""  # "": show; "fr" / "ft" / "fs": choose a round / a title / a state


class NomExtCb(CallbackData, prefix="nme"):
    id: int


def btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def review_row(nomination_id: int, version: int, locale: str | None = None) -> list[InlineKeyboardButton]:
    return [
        btn(t("nomination-btn-accept", locale=locale), NomItemCb(id=nomination_id, v=version, op="ok")),
        btn(t("nomination-btn-return", locale=locale), NomItemCb(id=nomination_id, v=version, op="ret")),
    ]


def report_button(nomination_id: int, locale: str | None = None) -> InlineKeyboardButton:
    return btn(t("nomination-btn-read-report", locale=locale), NomItemCb(id=nomination_id, op="rpt"))


def write_button(nomination_id: int, locale: str | None = None, label: str = "") -> InlineKeyboardButton:
    text = label or t("nomination-btn-write-report", locale=locale)
    return btn(text, NomItemCb(id=nomination_id, op="rep"))


class NominationButtons:
    """The buttons on the messages the service queues (JSON-ready dicts)."""

    def for_writer(self, nomination_id: int, locale: str) -> dict[str, Any] | None:
        return kb([[write_button(nomination_id, locale)]]).model_dump(exclude_none=True)

    def for_reviewer(self, nomination_id: int, version: int, locale: str) -> dict[str, Any] | None:
        rows = [review_row(nomination_id, version, locale), [report_button(nomination_id, locale)]]
        return kb(rows).model_dump(exclude_none=True)

    def settled(self, view: View, locale: str, *, kind: str) -> dict[str, Any] | None:
        if kind != "reviewed":
            return None
        return kb([[report_button(view.item.id, locale)]]).model_dump(exclude_none=True)


def card_keyboard(view: View, *, cut: bool = False) -> InlineKeyboardMarkup | None:
    """What the presser may do with the nomination now, and "Xem báo cáo", "Xem đầy đủ"."""
    item = view.item
    rows: list[list[InlineKeyboardButton]] = []
    if view.may_review:
        rows.append(review_row(item.id, item.version))
    if view.may_write:
        rows.append([write_button(item.id)])
    if view.open and item.state in ("submitted", "withdrawn"):
        edit_row = [btn(t("nomination-btn-edit"), NomItemCb(id=item.id, v=item.version, op="edit"))]
        if item.state == "submitted":
            edit_row.append(btn(t("nomination-btn-withdraw"), NomItemCb(id=item.id, v=item.version, op="wd")))
        rows.append(edit_row)
    more = [report_button(item.id)] if item.report_text or item.report_file_id else []
    if cut:
        more.append(btn(t("nomination-btn-full"), NomItemCb(id=item.id, op="full")))
    if more:
        rows.append(more)
    return kb(rows) if rows else None


def service(ctx: Ctx) -> NominationService:
    return NominationService(ctx, render.TEXTS, NominationButtons())


def lang() -> str:
    return get_i18n().current_locale


def error_text(e: DomainError) -> str:
    params = {k: (fmt_when(v) if hasattr(v, "tzinfo") else v) for k, v in e.params.items()}
    return t(e.key, **params)


def name(row: Any) -> str:
    return str(getattr(row, f"name_{lang()}", None) or row.name_vi)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def alert(query: CallbackQuery, e: DomainError) -> None:
    await query.answer(error_text(e), show_alert=True)


def msg(query: CallbackQuery) -> Message:
    assert isinstance(query.message, Message)
    return query.message


async def send_parts(message: Message, parts: list[str], markup: InlineKeyboardMarkup | None = None) -> None:
    """Long texts in parts, the buttons under the last."""
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)


async def show_card(query: CallbackQuery, view: View, *, lead: str = "", in_place: bool = False) -> None:
    """The card (fitted, "Xem đầy đủ" when shortened) as a new message, or in place of the pressed one."""
    fitted = render.card(view, lang(), lead=lead)
    markup = card_keyboard(view, cut=fitted.cut)
    if in_place:
        await edit(query, fitted.text, markup)
    else:
        await msg(query).answer(fitted.text, reply_markup=markup)
