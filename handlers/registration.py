"""/register, /pending, /registrations, /regwindow: registering, endorsing, the window."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from typing import Any, Literal

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, personal_router
from bot.i18n import get_i18n, t
from bot.roles import Member
from bot.services.registration import (
    EDITABLE,
    Draft,
    NoSchoolYear,
    RegistrationService,
    Stale,
    View,
    fmt_when,
)
from bot.text import esc
from handlers.pending import PENDING, Refused, pending_part
from handlers.render.registration import TEXTS, card, no_year_text
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
    op: Literal["ok", "ret"]


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


def _btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


class RegistrationButtons:
    """The buttons on the messages the service queues (JSON-ready dicts)."""

    def for_decider(self, registration_id: int, version: int, locale: str) -> dict[str, Any] | None:
        return decide_keyboard(registration_id, version, locale).model_dump(exclude_none=True)

    def for_owner(self, registration_id: int, locale: str) -> dict[str, Any] | None:
        return _kb(
            [[_btn(t("registration-btn-edit", locale=locale), RegOwnCb(id=registration_id, op="edit"))]]
        ).model_dump(exclude_none=True)


def decide_keyboard(registration_id: int, version: int, locale: str | None = None) -> InlineKeyboardMarkup:
    return _kb(
        [
            [
                _btn(
                    t("registration-btn-endorse", locale=locale),
                    RegDecCb(id=registration_id, v=version, op="ok"),
                ),
                _btn(
                    t("registration-btn-return", locale=locale),
                    RegDecCb(id=registration_id, v=version, op="ret"),
                ),
            ]
        ]
    )


def owner_keyboard(view: View) -> InlineKeyboardMarkup | None:
    item = view.item
    if item.state in EDITABLE:
        return _kb(
            [
                [
                    _btn(t("registration-btn-edit"), RegOwnCb(id=item.id, op="edit")),
                    _btn(t("registration-btn-withdraw"), RegOwnCb(id=item.id, op="wd")),
                ]
            ]
        )
    if item.state == RegistrationState.WITHDRAWN.value:
        return _kb([[_btn(t("registration-btn-reopen"), RegOwnCb(id=item.id, op="edit"))]])
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
EXT_PRESS = (RegExtCb.filter(F.op == "pick"), Allowed(MANAGE))
conversation(RegisterSG, "registration-flow-register", started_by=[EDIT_PRESS])
conversation(RegReturnSG, "registration-flow-return", started_by=[RETURN_PRESS])
conversation(RegExtendSG, "registration-flow-extend", started_by=[EXT_PRESS])

register_command("register", SUBMIT, "registration-cmd-register", order=30)
register_command("pending", PENDING, "pending-cmd", order=31)
register_command("registrations", MANAGE, "registration-cmd-list", order=32)
register_command("regwindow", MANAGE, "registration-cmd-window", order=33)


def router() -> Router:
    r = personal_router("registration")
    r.message.register(start, Command("register"), Allowed(SUBMIT))
    r.message.register(listing, Command("registrations"), Allowed(MANAGE))
    r.message.register(window_start, Command("regwindow"), Allowed(MANAGE))
    # registering
    r.callback_query.register(pick_kind, StateFilter(RegisterSG.kind), RegKindCb.filter(), Allowed(SUBMIT))
    r.callback_query.register(pick_title, StateFilter(RegisterSG.title), RegTitleCb.filter(), Allowed(SUBMIT))
    r.callback_query.register(
        toggle_movement, StateFilter(RegisterSG.movements), RegMovCb.filter(), Allowed(SUBMIT)
    )
    r.message.register(got_commitments, StateFilter(RegisterSG.commitments), TYPED, Allowed(SUBMIT))
    r.message.register(need_text, StateFilter(RegisterSG.commitments), NOT_COMMAND, Allowed(SUBMIT))
    r.callback_query.register(
        send, StateFilter(RegisterSG.confirm), RegDraftCb.filter(F.op == "send"), Allowed(SUBMIT)
    )
    r.callback_query.register(
        go_back, StateFilter(RegisterSG.confirm), RegDraftCb.filter(F.op != "send"), Allowed(SUBMIT)
    )
    r.callback_query.register(
        stale_draft, or_f(RegKindCb.filter(), RegTitleCb.filter(), RegMovCb.filter(), RegDraftCb.filter())
    )
    # the owner
    r.callback_query.register(press_edit, *EDIT_PRESS)
    r.callback_query.register(press_withdraw, RegOwnCb.filter(F.op == "wd"), Allowed(SUBMIT))
    # the head or the secretary
    r.callback_query.register(press_endorse, RegDecCb.filter(F.op == "ok"), LINKED)
    r.callback_query.register(press_return, *RETURN_PRESS)
    r.message.register(got_reason, StateFilter(RegReturnSG.reason), TYPED, LINKED)
    r.message.register(need_text, StateFilter(RegReturnSG.reason), NOT_COMMAND, LINKED)
    r.callback_query.register(press_card, RegCardCb.filter(), LINKED)
    # the secretary's list and window
    r.callback_query.register(list_press, RegListCb.filter(), Allowed(MANAGE))
    r.callback_query.register(window_pick, *EXT_PRESS)
    r.message.register(window_until, StateFilter(RegExtendSG.until), TYPED, Allowed(MANAGE))
    r.callback_query.register(
        window_confirm,
        StateFilter(RegExtendSG.confirm),
        RegExtCb.filter(F.op.in_({"ok", "no"})),
        Allowed(MANAGE),
    )
    r.callback_query.register(
        not_allowed,
        or_f(RegOwnCb.filter(), RegDecCb.filter(), RegCardCb.filter(), RegListCb.filter(), RegExtCb.filter()),
    )
    return r


def service(ctx: Ctx) -> RegistrationService:
    return RegistrationService(ctx, RegistrationButtons(), TEXTS)


def _lang() -> str:
    return get_i18n().current_locale


def _error_text(e: DomainError) -> str:
    if isinstance(e, NoSchoolYear):
        return no_year_text(e)
    params = {k: (fmt_when(v) if hasattr(v, "tzinfo") and v is not None else v) for k, v in e.params.items()}
    return t(e.key, **params)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


# -- /register -------------------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    await state.clear()
    try:
        units = await svc.headed_units()
        await svc.start()  # linked, a school year, in the window (or something to show)
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    if units:
        await state.set_state(RegisterSG.kind)
        rows = [[_btn(t("registration-btn-own"), RegKindCb(unit=0))]]
        rows += [[_btn(t("registration-btn-collective", unit=u.name), RegKindCb(unit=u.id))] for u in units]
        await message.answer(t("registration-ask-kind"), reply_markup=_kb(rows))
        return
    await _begin(message, ctx, state, None)


async def pick_kind(query: CallbackQuery, callback_data: RegKindCb, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _begin(query.message, ctx, state, callback_data.unit or None)


async def _begin(message: Message, ctx: Ctx, state: FSMContext, unit_id: int | None) -> None:
    """Show the registration already there (with its actions), or start a new one."""
    svc = service(ctx)
    try:
        s = await svc.start(collective_unit=unit_id)
        if s.existing is not None and s.existing.state != RegistrationState.WITHDRAWN.value:
            await state.clear()
            view = await svc.view(s.existing.id)
            note = "registration-yours-endorsed" if s.existing.state == "endorsed" else "registration-yours"
            await message.answer(t(note) + "\n\n" + card(view, _lang()), reply_markup=owner_keyboard(view))
            return
        draft = await svc.new_draft(collective_unit=unit_id)
    except DomainError as e:
        await state.clear()
        await message.answer(_error_text(e))
        return
    if s.existing is not None:  # withdrawn: reopen it
        view = await svc.view(s.existing.id)
        await message.answer(t("registration-yours-withdrawn") + "\n\n" + card(view, _lang()))
    await state.set_data(draft.as_state())
    await _ask_title(message, ctx, state, draft)


async def _ask_title(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    svc = service(ctx)
    year = await svc._year(draft)
    titles = await svc.titles(year, draft.subject)
    await state.set_state(RegisterSG.title)
    rows = [[_btn(("✅ " if r.id == draft.title_id else "") + _name(r), RegTitleCb(id=r.id))] for r in titles]
    await message.answer(t("registration-ask-title", year=year.code), reply_markup=_kb(rows))


def _name(row: Any) -> str:
    return str(getattr(row, f"name_{_lang()}", None) or row.name_vi)


async def pick_title(query: CallbackQuery, callback_data: RegTitleCb, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    try:
        await svc.with_title(draft, callback_data.id)
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    title = await svc.title_name(callback_data.id)
    await _edit(query, t("registration-title-chosen", title=title))
    if isinstance(query.message, Message):
        if await _complete(state):
            await _preview(query.message, ctx, state, draft)
        else:
            await _ask_movements(query.message, ctx, state, draft)


async def _complete(state: FSMContext) -> bool:
    return bool((await state.get_data()).get("reviewing"))


async def _movements_keyboard(ctx: Ctx, draft: Draft) -> InlineKeyboardMarkup:
    svc = service(ctx)
    year = await svc._year(draft)
    rows = [
        [_btn(("☑️ " if m.id in draft.movement_ids else "▫️ ") + _name(m), RegMovCb(id=m.id))]
        for m in await svc.movements(year)
    ]
    rows.append([_btn(t("registration-btn-done"), RegMovCb(id=0))])
    return _kb(rows)


async def _ask_movements(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    await state.set_state(RegisterSG.movements)
    await message.answer(t("registration-ask-movements"), reply_markup=await _movements_keyboard(ctx, draft))


async def toggle_movement(query: CallbackQuery, callback_data: RegMovCb, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    try:
        if callback_data.id == 0:
            svc.movements_chosen(draft)
        else:
            await svc.with_movement_toggled(draft, callback_data.id)
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    await state.update_data(draft.as_state())
    if callback_data.id != 0:  # the keyboard edits itself in place
        if isinstance(query.message, Message):
            with suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(reply_markup=await _movements_keyboard(ctx, draft))
        return
    year = await svc._year(draft)
    names = [_name(m) for m in await svc.movements(year) if m.id in draft.movement_ids]
    await _edit(query, t("registration-movements-chosen", movements="; ".join(names)))
    if not isinstance(query.message, Message):
        return
    if draft.commitments and (await state.get_data()).get("reviewing"):
        await _preview(query.message, ctx, state, draft)
        return
    await state.set_state(RegisterSG.commitments)
    hint = t("registration-current-commitments", text=draft.commitments) if draft.commitments else ""
    await query.message.answer(t("registration-ask-commitments", min=10, max=1500) + hint)


async def got_commitments(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    try:
        svc.with_commitments(draft, message.text)
    except DomainError as e:
        await message.answer(_error_text(e))
        return  # the state stays: they send another text
    await state.update_data(draft.as_state())
    await _preview(message, ctx, state, draft)


async def need_text(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    key = (
        "registration-need-reason"
        if current == RegReturnSG.reason.state
        else "registration-commitments-emoji"
    )
    await message.answer(t(key, min=5))


async def _preview(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    view = await service(ctx).preview(draft)
    await state.set_state(RegisterSG.confirm)
    await state.update_data(reviewing=True)
    markup = _kb(
        [
            [_btn(t("registration-btn-send"), RegDraftCb(op="send"))],
            [
                _btn(t("registration-btn-change-title"), RegDraftCb(op="title")),
                _btn(t("registration-btn-change-movements"), RegDraftCb(op="mov")),
            ],
            [
                _btn(t("registration-btn-change-text"), RegDraftCb(op="text")),
                _btn(t("registration-btn-cancel"), RegDraftCb(op="cancel")),
            ],
        ]
    )
    await message.answer(card(view, _lang(), title_key="registration-preview-title"), reply_markup=markup)


async def go_back(query: CallbackQuery, callback_data: RegDraftCb, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    draft = Draft.from_state(await state.get_data())
    if not isinstance(query.message, Message):
        return
    with suppress(TelegramBadRequest):
        await query.message.edit_reply_markup(reply_markup=None)
    if callback_data.op == "cancel":
        await state.clear()
        await query.message.answer(t("registration-cancelled"))
    elif callback_data.op == "title":
        await _ask_title(query.message, ctx, state, draft)
    elif callback_data.op == "mov":
        await _ask_movements(query.message, ctx, state, draft)
    else:
        await state.set_state(RegisterSG.commitments)
        await query.message.answer(
            t("registration-ask-commitments", min=10, max=1500)
            + t("registration-current-commitments", text=draft.commitments)
        )


async def send(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    try:
        view = await service(ctx).submit(draft)
    except Stale as e:
        await state.clear()
        await query.answer(_error_text(e), show_alert=True)
        await _edit(query, card(e.view, _lang()))
        return
    except DomainError as e:
        await state.clear()
        await query.answer(_error_text(e), show_alert=True)
        await _edit(query, _error_text(e))
        return
    await state.clear()
    await query.answer()
    await _edit(query, t("registration-sent") + "\n\n" + card(view, _lang()), owner_keyboard(view))


async def stale_draft(query: CallbackQuery) -> None:
    await query.answer(t("registration-draft-stale"), show_alert=True)


# -- the owner: edit, withdraw, reopen -----------------------------------------------------------------
async def press_edit(query: CallbackQuery, callback_data: RegOwnCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).edit_draft(callback_data.id)
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    with suppress(TelegramBadRequest):
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
    await state.set_data(draft.as_state() | {"reviewing": True})
    if isinstance(query.message, Message):
        await _preview(query.message, ctx, state, draft)


async def press_withdraw(query: CallbackQuery, callback_data: RegOwnCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).withdraw(callback_data.id)
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    await _edit(query, t("registration-withdrawn") + "\n\n" + card(view, _lang()), owner_keyboard(view))


# -- the head or the secretary: endorse, return ------------------------------------------------------------
async def press_endorse(query: CallbackQuery, callback_data: RegDecCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).endorse(callback_data.id, callback_data.v)
    except Stale as e:
        await query.answer(_error_text(e), show_alert=True)
        await _edit(query, card(e.view, _lang(), title_key="registration-request-title"))
        return
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer(t("registration-endorsed-alert"))
    await _edit(query, card(view, _lang(), title_key="registration-request-title"))


async def press_return(query: CallbackQuery, callback_data: RegDecCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).decidable(callback_data.id, callback_data.v)
    except Stale as e:
        await query.answer(_error_text(e), show_alert=True)
        await _edit(query, card(e.view, _lang(), title_key="registration-request-title"))
        return
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    where = [query.message.chat.id, query.message.message_id] if isinstance(query.message, Message) else None
    await state.set_state(RegReturnSG.reason)
    await state.set_data({"id": callback_data.id, "v": callback_data.v, "where": where})
    if isinstance(query.message, Message):
        await query.message.answer(t("registration-ask-reason", name=esc(view.owner), min=5, max=500))


async def got_reason(message: Message, ctx: Ctx, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    try:
        view = await service(ctx).return_(int(data["id"]), int(data["v"]), message.text)
    except Stale as e:
        await state.clear()
        await message.answer(_error_text(e))
        return
    except DomainError as e:
        if e.key.startswith("registration-reason"):
            await message.answer(_error_text(e))  # the state stays: they type another reason
            return
        await state.clear()
        await message.answer(_error_text(e))
        return
    await state.clear()
    where = data.get("where")
    if where:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                card(view, _lang(), title_key="registration-request-title"),
                chat_id=where[0],
                message_id=where[1],
            )
    await message.answer(t("registration-returned-done", name=esc(view.owner)))


async def press_card(query: CallbackQuery, callback_data: RegCardCb, ctx: Ctx, me: Member) -> None:
    """An item opened from /pending or /registrations, as it is now, with what the presser may do."""
    svc = service(ctx)
    try:
        view = await svc.view(callback_data.id)
        item = view.item
        mine = item.person_id == me.person_id
        if not mine and not await svc.may_decide(item) and not svc.is_secretary():
            raise DomainError("registration-not-your-unit")
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    markup = None
    if mine:
        markup = owner_keyboard(view)
    elif item.state == RegistrationState.SUBMITTED.value and await svc.may_decide(item):
        markup = decide_keyboard(item.id, item.version)
    if isinstance(query.message, Message):
        await query.message.answer(
            card(view, _lang(), title_key="registration-request-title"), reply_markup=markup
        )


async def not_allowed(query: CallbackQuery, me: Member | None) -> None:
    await query.answer(
        t("registration-not-your-unit") if me is not None else t("need-invite"), show_alert=True
    )


# -- /pending ---------------------------------------------------------------------------------------------
@pending_part(10)
async def pending_registrations(ctx: Ctx) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The registrations waiting for this person's endorsement, for /pending (handlers/pending.py)."""
    try:
        views = await service(ctx).pending()
    except DomainError as e:
        raise Refused(_error_text(e)) from e
    if not views:
        return [], []
    lines = [t("registration-pending-head", n=len(views))]
    rows = []
    for i, v in enumerate(views[:30], 1):
        lines.append(f"{i}. {esc(v.owner)} — {esc(v.title)}")
        rows.append([_btn(t("registration-btn-open", n=i, name=v.owner), RegCardCb(id=v.item.id))])
    return lines, rows


# -- /registrations (the secretary) --------------------------------------------------------------------------
STATES = ("submitted", "returned", "endorsed", "withdrawn")


async def listing(message: Message, ctx: Ctx) -> None:
    text, markup = await _list_page(ctx, RegListCb())
    await message.answer(text, reply_markup=markup)


async def _list_page(ctx: Ctx, f: RegListCb) -> tuple[str, InlineKeyboardMarkup | None]:
    svc = service(ctx)
    try:
        page = await svc.listing(unit_id=f.u or None, title_id=f.t or None, state=f.s or None, page=f.p)
    except DomainError as e:
        return _error_text(e), None
    lines = [t("registration-list-head", n=page.total)]
    if page.title_counts:
        lines.append(t("registration-list-counts"))
        lines += [f"• {esc(name)}: {n}" for name, n in page.title_counts]
    lines.append("")
    start_n = page.page * 5
    rows: list[list[InlineKeyboardButton]] = []
    for i, v in enumerate(page.items, start_n + 1):
        lines.append(f"{i}. {esc(v.owner)} ({esc(v.unit)}) — {esc(v.title)} — {v.state_label()}")
        rows.append([_btn(t("registration-btn-open", n=i, name=v.owner), RegCardCb(id=v.item.id))])
    if not page.items:
        lines.append(t("registration-list-empty"))
    rows.append(
        [
            _btn(t("registration-btn-by-unit"), RegListCb(u=f.u, t=f.t, s=f.s, o="fu")),
            _btn(t("registration-btn-by-title"), RegListCb(u=f.u, t=f.t, s=f.s, o="ft")),
            _btn(t("registration-btn-by-state"), RegListCb(u=f.u, t=f.t, s=f.s, o="fs")),
        ]
    )
    if f.u or f.t or f.s:
        rows.append([_btn(t("registration-btn-all"), RegListCb())])
    nav = []
    if page.page > 0:
        nav.append(_btn(t("registration-btn-prev"), RegListCb(u=f.u, t=f.t, s=f.s, p=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(_btn(t("registration-btn-next"), RegListCb(u=f.u, t=f.t, s=f.s, p=page.page + 1)))
    if nav:
        rows.append(nav)
    return "\n".join(lines), _kb(rows)


async def list_press(query: CallbackQuery, callback_data: RegListCb, ctx: Ctx) -> None:
    f = callback_data
    await query.answer()
    if f.o in ("fu", "ft", "fs"):
        try:
            units, titles = await service(ctx).filter_choices()
        except DomainError as e:
            await _edit(query, _error_text(e))
            return
        if f.o == "fu":
            rows = [[_btn(u.name, RegListCb(u=u.id, t=f.t, s=f.s))] for u in units]
        elif f.o == "ft":
            rows = [[_btn(_name(r), RegListCb(u=f.u, t=r.id, s=f.s))] for r in titles]
        else:
            rows = [[_btn(t(f"registration-state-{s}"), RegListCb(u=f.u, t=f.t, s=s))] for s in STATES]
        with suppress(TelegramBadRequest):
            if isinstance(query.message, Message):
                await query.message.edit_reply_markup(reply_markup=_kb(rows))
        return
    text, markup = await _list_page(ctx, f)
    await _edit(query, text, markup)


# -- /regwindow: extend the registration window ------------------------------------------------------
async def window_start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    await state.clear()
    try:
        window, _ = await svc.extension_target(None)
        units, _titles = await svc.filter_choices()
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    rows = [[_btn(t("registration-btn-college"), RegExtCb(unit=0))]]
    rows += [[_btn(u.name, RegExtCb(unit=u.id))] for u in units]
    await message.answer(
        t(
            "registration-window-now",
            year=window.school_year.code,
            opens=fmt_when(window.opens_at),
            closes=fmt_when(window.closes_at),
        ),
        reply_markup=_kb(rows),
    )


async def window_pick(query: CallbackQuery, callback_data: RegExtCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        window, unit = await service(ctx).extension_target(callback_data.unit or None)
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        return
    await query.answer()
    await state.set_state(RegExtendSG.until)
    await state.set_data({"unit": callback_data.unit})
    target = esc(unit.name) if unit else t("registration-btn-college")
    if isinstance(query.message, Message):
        await query.message.answer(
            t("registration-ask-until", target=target, closes=fmt_when(window.closes_at))
        )


_DMY = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*")


def _parse_day(text: str | None) -> date | None:
    m = _DMY.fullmatch(text or "")
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


async def window_until(message: Message, state: FSMContext) -> None:
    day = _parse_day(message.text)
    if day is None:
        await message.answer(t("registration-ext-bad-date"))
        return
    await state.update_data(until=day.isoformat())
    await state.set_state(RegExtendSG.confirm)
    unit = int((await state.get_data()).get("unit") or 0)
    await message.answer(
        t("registration-ext-confirm", date=day.strftime("%d/%m/%Y")),
        reply_markup=_kb(
            [
                [
                    _btn(t("registration-btn-confirm"), RegExtCb(unit=unit, op="ok")),
                    _btn(t("registration-btn-cancel"), RegExtCb(unit=unit, op="no")),
                ]
            ]
        ),
    )


async def window_confirm(query: CallbackQuery, callback_data: RegExtCb, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    if callback_data.op == "no":
        await query.answer()
        await _edit(query, t("registration-cancelled"))
        return
    try:
        window = await service(ctx).extend(
            int(data.get("unit") or 0) or None, date.fromisoformat(data["until"])
        )
    except DomainError as e:
        await query.answer(_error_text(e), show_alert=True)
        await _edit(query, _error_text(e))
        return
    await query.answer()
    await _edit(query, t("registration-ext-done", closes=fmt_when(window.closes_at)))
