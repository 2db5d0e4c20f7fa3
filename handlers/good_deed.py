"""/gooddeed and /gooddeeds: report a good deed, verify or reject it, list the verified ones."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any, Literal

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message

from bot.clock import fmt_date
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is, personal_router
from bot.i18n import t, tn
from bot.roles import Member
from bot.services.good_deed import LIST, REPORT, Decided, DeedView, GoodDeedService
from bot.services.good_deed_draft import (
    REASON_MAX,
    REASON_MIN,
    Draft,
    Evidence,
    ReasonTooLong,
    ReasonTooShort,
    add_document,
    add_photo,
    check_document,
    check_photo,
    check_text,
)
from bot.text import esc, split_message
from handlers.pending import pending_part
from handlers.render.good_deed import TEXTS, card, listing, preview, whole_card


class GdWhoCb(CallbackData, prefix="gdw"):
    k: Literal["p", "u", "units"]  # a person, a unit, or: show the units
    id: int = 0


class GdDraftCb(CallbackData, prefix="gdd"):
    op: Literal["skip", "done", "anon", "named", "send", "cancel"]


class GdCb(CallbackData, prefix="gdc"):
    op: Literal["ok", "no", "ph", "card", "full"]
    id: int
    v: int = 0


class GoodDeedSG(StatesGroup):
    who = State()
    text = State()
    day = State()
    evidence = State()
    anonymous = State()
    confirm = State()


class GoodDeedRejectSG(StatesGroup):
    reason = State()


register_command("gooddeed", REPORT, "gooddeed-cmd-report", order=45)
register_command("gooddeeds", LIST, "gooddeed-cmd-list", order=46)

REJECT_PRESS = (GdCb.filter(F.op == "no"), Allowed(REPORT))
conversation(GoodDeedSG, "gooddeed-flow-report")
conversation(GoodDeedRejectSG, "gooddeed-flow-reject", started_by=[REJECT_PRESS])


def _btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _more_rows(view: DeedView, locale: str | None) -> list[list[InlineKeyboardButton]]:
    """The evidence's button and, when the card is shortened, "Xem đầy đủ"."""
    rows = []
    if view.photos or view.document is not None:
        label = (
            t("gooddeed-btn-photos", locale=locale, n=len(view.photos))
            if view.photos
            else t("gooddeed-btn-file", locale=locale)
        )
        rows.append([_btn(label, GdCb(op="ph", id=view.deed.id))])
    if card(view, locale).cut:
        rows.append([_btn(t("gooddeed-btn-full", locale=locale), GdCb(op="full", id=view.deed.id))])
    return rows


def decide_keyboard(view: DeedView, locale: str | None = None) -> InlineKeyboardMarkup:
    d = view.deed
    decide = [
        _btn(t("gooddeed-btn-verify", locale=locale), GdCb(op="ok", id=d.id, v=d.version)),
        _btn(t("gooddeed-btn-reject", locale=locale), GdCb(op="no", id=d.id, v=d.version)),
    ]
    return _kb([decide, *_more_rows(view, locale)])


def _photos_only(view: DeedView, locale: str | None = None) -> InlineKeyboardMarkup | None:
    rows = _more_rows(view, locale)
    return _kb(rows) if rows else None


def _continue_keyboard(locale: str | None = None) -> InlineKeyboardMarkup:
    return _kb([[_btn(t("gooddeed-btn-done", locale=locale), GdDraftCb(op="done"))]])


class GoodDeedButtons:
    """The buttons on the messages the service queues (JSON-ready dicts)."""

    def after_album(self, locale: str) -> dict[str, Any] | None:
        return _continue_keyboard(locale).model_dump(exclude_none=True)

    def for_decider(self, view: DeedView, locale: str) -> dict[str, Any] | None:
        return decide_keyboard(view, locale).model_dump(exclude_none=True)

    def after_decision(self, view: DeedView, locale: str) -> dict[str, Any] | None:
        markup = _photos_only(view, locale)
        return markup.model_dump(exclude_none=True) if markup else None


def service(ctx: Ctx) -> GoodDeedService:
    return GoodDeedService(ctx, GoodDeedButtons(), TEXTS)


def router() -> Router:
    r = personal_router("good_deed")
    a = Allowed(REPORT)
    r.message.register(start, Command("gooddeed"), a)
    r.message.register(show_list, Command("gooddeeds"), Allowed(LIST))
    r.message.register(search, StateFilter(GoodDeedSG.who), TYPED, a)
    r.callback_query.register(pick_who, StateFilter(GoodDeedSG.who), GdWhoCb.filter(), a)
    r.message.register(got_text, StateFilter(GoodDeedSG.text), TYPED, a)
    r.message.register(got_day, StateFilter(GoodDeedSG.day), TYPED, a)
    r.message.register(got_photo, StateFilter(GoodDeedSG.evidence), Is(F.photo), a)
    r.message.register(got_document, StateFilter(GoodDeedSG.evidence), Is(F.document), a)
    r.message.register(need_evidence, StateFilter(GoodDeedSG.evidence), NOT_COMMAND, a)
    r.callback_query.register(
        evidence_done, StateFilter(GoodDeedSG.evidence), GdDraftCb.filter(F.op.in_({"skip", "done"})), a
    )
    r.callback_query.register(
        pick_anonymous, StateFilter(GoodDeedSG.anonymous), GdDraftCb.filter(F.op.in_({"anon", "named"})), a
    )
    r.callback_query.register(send, StateFilter(GoodDeedSG.confirm), GdDraftCb.filter(F.op == "send"), a)
    r.callback_query.register(drop, StateFilter(GoodDeedSG.confirm), GdDraftCb.filter(F.op == "cancel"), a)
    r.message.register(
        need_text, or_f(StateFilter(GoodDeedSG.text), StateFilter(GoodDeedSG.day)), NOT_COMMAND, a
    )
    r.callback_query.register(stale_draft, or_f(GdWhoCb.filter(), GdDraftCb.filter()))
    # deciding
    r.callback_query.register(press_verify, GdCb.filter(F.op == "ok"), a)
    r.callback_query.register(press_reject, *REJECT_PRESS)
    r.callback_query.register(press_photos, GdCb.filter(F.op == "ph"), a)
    r.callback_query.register(press_card, GdCb.filter(F.op == "card"), a)
    r.callback_query.register(press_full, GdCb.filter(F.op == "full"), a)
    r.message.register(got_reason, StateFilter(GoodDeedRejectSG.reason), TYPED, a)
    r.message.register(need_reason, StateFilter(GoodDeedRejectSG.reason), NOT_COMMAND, a)
    r.callback_query.register(not_linked, GdCb.filter())
    return r


async def _drop_buttons(query: CallbackQuery) -> None:
    if isinstance(query.message, Message) and query.message.reply_markup:
        with suppress(TelegramBadRequest):
            await query.message.edit_reply_markup(reply_markup=None)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def _say(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        await query.message.answer(text, reply_markup=markup)


# -- whom ----------------------------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(GoodDeedSG.who)
    markup = _kb([[_btn(t("gooddeed-btn-unit"), GdWhoCb(k="units"))]])
    await message.answer(t("gooddeed-ask-who"), reply_markup=markup)


async def search(message: Message, ctx: Ctx) -> None:
    try:
        matches = await service(ctx).search(message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    if not matches:
        await message.answer(t("gooddeed-search-none"))
        return
    rows = [[_btn(f"{m.name} — {m.unit}" if m.unit else m.name, GdWhoCb(k="p", id=m.id))] for m in matches]
    await message.answer(tn("gooddeed-search-found", len(matches)), reply_markup=_kb(rows))


async def pick_who(query: CallbackQuery, callback_data: GdWhoCb, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    if callback_data.k == "units":
        units = await svc.units()
        await query.answer()
        rows = [[_btn(u.name, GdWhoCb(k="u", id=u.id))] for u in units[:40]]
        await _say(query, t("gooddeed-ask-unit"), _kb(rows))
        return
    try:
        pick = svc.pick_person if callback_data.k == "p" else svc.pick_unit
        draft = await pick(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await state.set_state(GoodDeedSG.text)
    await state.set_data(draft.as_state())
    await query.answer()
    await _drop_buttons(query)
    await _say(query, t("gooddeed-ask-text", name=esc(draft.label)))


# -- what and when -------------------------------------------------------------------------------------------
async def got_text(message: Message, state: FSMContext) -> None:
    try:
        text = check_text(message.text)
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = Draft.from_state(await state.get_data())
    draft.text = text
    await state.update_data(draft.as_state())
    await state.set_state(GoodDeedSG.day)
    await message.answer(t("gooddeed-ask-day"))


async def need_text(message: Message) -> None:
    await message.answer(t("gooddeed-need-text"))


async def got_day(message: Message, ctx: Ctx, state: FSMContext) -> None:
    try:
        day = await service(ctx).check_day(message.text)
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = Draft.from_state(await state.get_data())
    draft.happened_on = day.isoformat()
    await state.update_data(draft.as_state())
    await state.set_state(GoodDeedSG.evidence)
    skip = _kb([[_btn(t("gooddeed-btn-skip"), GdDraftCb(op="skip"))]])
    await message.answer(t("gooddeed-ask-evidence", max=5), reply_markup=skip)


# -- evidence ------------------------------------------------------------------------------------------------
async def got_photo(message: Message, ctx: Ctx, state: FSMContext) -> None:
    assert message.photo
    photo = message.photo[-1]  # the largest size
    draft = Draft.from_state(await state.get_data())
    group = message.media_group_id
    try:
        check_photo(photo.file_size)
        step = add_photo(
            draft, Evidence("photo", photo.file_id, photo.file_unique_id, photo.file_size or 0, group=group)
        )
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.update_data(draft.as_state())
    if step is None:  # one photo alone: answered at once
        await message.answer(
            tn("gooddeed-photo-received", draft.photos(), max=5), reply_markup=_continue_keyboard()
        )
        return
    await service(ctx).album_confirmation(step)  # one confirmation, after the album's last photo


async def got_document(message: Message, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None
    draft = Draft.from_state(await state.get_data())
    try:
        check_document(doc.file_name, doc.mime_type, doc.file_size)
        add_document(
            draft, Evidence("document", doc.file_id, doc.file_unique_id, doc.file_size or 0, doc.file_name)
        )
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.update_data(draft.as_state())
    await message.answer(
        t("gooddeed-document-received", name=esc(doc.file_name or "")), reply_markup=_continue_keyboard()
    )


async def need_evidence(message: Message) -> None:
    skip = _kb([[_btn(t("gooddeed-btn-skip"), GdDraftCb(op="skip"))]])
    await message.answer(t("gooddeed-need-evidence", max=5), reply_markup=skip)


async def evidence_done(query: CallbackQuery, callback_data: GdDraftCb, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    if callback_data.op == "skip":
        draft.files = []
        await state.update_data(draft.as_state())
    await state.set_state(GoodDeedSG.anonymous)
    await query.answer()
    await _drop_buttons(query)
    if draft.subject == "person":
        markup = _kb(
            [
                [_btn(t("gooddeed-btn-named"), GdDraftCb(op="named"))],
                [_btn(t("gooddeed-btn-anonymous"), GdDraftCb(op="anon"))],
            ]
        )
        await _say(query, t("gooddeed-ask-anonymous", name=esc(draft.label)), markup)
        return
    await _preview(query, state, draft)


async def pick_anonymous(query: CallbackQuery, callback_data: GdDraftCb, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    draft.anonymous = callback_data.op == "anon"
    await state.update_data(draft.as_state())
    await query.answer()
    await _drop_buttons(query)
    await _preview(query, state, draft)


async def _preview(query: CallbackQuery, state: FSMContext, draft: Draft) -> None:
    key = "gooddeed-preview-about-unit" if draft.subject == "unit" else "gooddeed-preview-about"
    lines = [t("gooddeed-preview-title"), t(key, name=esc(draft.label))]
    lines.append(t("gooddeed-card-day", date=fmt_date(date.fromisoformat(draft.happened_on))))
    if draft.photos():
        lines.append(tn("gooddeed-card-photos", draft.photos()))
    elif draft.files:
        lines.append(t("gooddeed-card-document", name=esc(draft.files[0].name or "")))
    if draft.anonymous:
        lines.append(t("gooddeed-preview-anonymous"))
    shown = preview(lines, draft.text, t("gooddeed-preview-ask"))
    await state.set_state(GoodDeedSG.confirm)
    markup = _kb(
        [
            [
                _btn(t("gooddeed-btn-send"), GdDraftCb(op="send")),
                _btn(t("gooddeed-btn-cancel"), GdDraftCb(op="cancel")),
            ]
        ]
    )
    await _say(query, shown.text, markup)


async def send(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    await state.clear()
    try:
        view = await service(ctx).submit(draft)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        await _drop_buttons(query)
        return
    await query.answer()
    await _edit(query, t("gooddeed-sent", about=esc(view.about)))


async def drop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit(query, t("gooddeed-dropped"))


async def stale_draft(query: CallbackQuery) -> None:
    await query.answer(t("gooddeed-draft-stale"), show_alert=True)


# -- deciding ------------------------------------------------------------------------------------------------
async def _refused(query: CallbackQuery, e: DomainError) -> None:
    await query.answer(e.text(), show_alert=True)
    if isinstance(e, Decided):
        await _edit(query, card(e.view).text, _photos_only(e.view))


async def press_verify(query: CallbackQuery, callback_data: GdCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).verify(callback_data.id, callback_data.v)
    except DomainError as e:
        await _refused(query, e)
        return
    await query.answer(t("gooddeed-verified-alert"))
    await _edit(query, card(view).text, _photos_only(view))


async def press_reject(query: CallbackQuery, callback_data: GdCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).decidable(callback_data.id, callback_data.v)
    except DomainError as e:
        await state.clear()
        await _refused(query, e)
        return
    where = [query.message.chat.id, query.message.message_id] if isinstance(query.message, Message) else None
    await state.set_state(GoodDeedRejectSG.reason)
    await state.set_data({"id": view.deed.id, "v": view.deed.version, "card": where})
    await query.answer()
    await _say(query, t("gooddeed-ask-reason", about=esc(view.about), min=REASON_MIN, max=REASON_MAX))


async def got_reason(message: Message, ctx: Ctx, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    try:
        view = await service(ctx).reject(int(data.get("id") or 0), int(data.get("v") or 0), message.text)
    except (ReasonTooShort, ReasonTooLong) as e:
        await message.answer(e.text())
        return
    except DomainError as e:
        await state.clear()
        await message.answer(e.text())
        return
    await state.clear()
    where = data.get("card")
    if where:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                text=card(view).text, chat_id=where[0], message_id=where[1], reply_markup=_photos_only(view)
            )
    await message.answer(t("gooddeed-rejected-done", about=esc(view.about)))


async def need_reason(message: Message) -> None:
    await message.answer(t("gooddeed-need-reason"))


async def press_photos(query: CallbackQuery, callback_data: GdCb, ctx: Ctx) -> None:
    """The evidence as a direct answer: an album (no buttons can ride on it), one photo, or the document."""
    try:
        view = await service(ctx).opened(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    photos, doc = view.photos, view.document
    if len(photos) >= 2:
        await query.message.answer_media_group([InputMediaPhoto(media=p.file_id) for p in photos])
    elif photos:
        await query.message.answer_photo(photos[0].file_id)
    elif doc is not None:
        await query.message.answer_document(doc.file_id)
    else:
        await query.message.answer(t("gooddeed-no-evidence"))


async def press_card(query: CallbackQuery, callback_data: GdCb, ctx: Ctx) -> None:
    """A deed opened from /pending, as it is now, with the buttons its presser may use."""
    svc = service(ctx)
    try:
        view = await svc.opened(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    decide = view.deed.state == "submitted" and await svc.may_decide(view.deed)
    await _say(query, card(view).text, decide_keyboard(view) if decide else _photos_only(view))


async def press_full(query: CallbackQuery, callback_data: GdCb, ctx: Ctx) -> None:
    """ "Xem đầy đủ": the card uncut, in parts (the same people as the card may read it)."""
    try:
        view = await service(ctx).opened(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        for part in whole_card(view):
            await query.message.answer(part)


async def not_linked(query: CallbackQuery, me: Member | None) -> None:
    await query.answer(t("gooddeed-not-yours") if me is not None else t("need-invite"), show_alert=True)


# -- /gooddeeds and /pending ---------------------------------------------------------------------------------
async def show_list(message: Message, ctx: Ctx) -> None:
    unit, views, counts = await service(ctx).recent()
    for part in split_message(listing(unit, views, counts)):
        await message.answer(part)


@pending_part(20)
async def pending_deeds(ctx: Ctx) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The good deeds waiting for this person's verification, for /pending (handlers/pending.py)."""
    views = await service(ctx).pending()
    if not views:
        return [], []
    lines = [tn("gooddeed-pending-head", len(views))]
    rows = []
    for i, v in enumerate(views[:30], 1):
        lines.append(f"{i}. {esc(v.about)} — {fmt_date(v.deed.happened_on)}")
        rows.append([_btn(t("gooddeed-btn-open", n=i, name=v.about), GdCb(op="card", id=v.deed.id))])
    return lines, rows
