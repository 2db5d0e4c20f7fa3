"""/register and /pending: registering, endorsing, returning (the list and the window: registration_admin)."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, personal_router
from bot.i18n import t
from bot.roles import Member
from bot.services.registration import (
    REASON_MAX,
    REASON_MIN,
    Draft,
    Stale,
)
from bot.text import esc
from handlers import registration_admin as admin
from handlers.pending import Refused, pending_part
from handlers.registration_ui import (
    EDIT_PRESS,
    EXT_PRESS,
    LINKED,
    MANAGE,
    RETURN_ENDORSED_PRESS,
    RETURN_PRESS,
    SUBMIT,
    RegCardCb,
    RegDecCb,
    RegDraftCb,
    RegExtCb,
    RegExtendSG,
    RegisterSG,
    RegKindCb,
    RegListCb,
    RegMovCb,
    RegOwnCb,
    RegReturnSG,
    RegTitleCb,
    btn,
    decide_keyboard,
    edit,
    endorsed_keyboard,
    error_text,
    kb,
    lang,
    name_of,
    owner_keyboard,
    service,
)
from handlers.render.registration import card
from storage.models.registration import RegistrationState


def router() -> Router:
    r = personal_router("registration")
    r.message.register(start, Command("register"), Allowed(SUBMIT))
    r.message.register(admin.listing, Command("registrations"), Allowed(MANAGE))
    r.message.register(admin.window_start, Command("regwindow"), Allowed(MANAGE))
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
    r.callback_query.register(press_return, *RETURN_ENDORSED_PRESS)
    r.message.register(got_reason, StateFilter(RegReturnSG.reason), TYPED, LINKED)
    r.message.register(need_text, StateFilter(RegReturnSG.reason), NOT_COMMAND, LINKED)
    r.callback_query.register(press_card, RegCardCb.filter(), LINKED)
    # the secretary's list and window
    r.callback_query.register(admin.list_press, RegListCb.filter(), Allowed(MANAGE))
    r.callback_query.register(admin.window_pick, *EXT_PRESS)
    r.message.register(admin.window_until, StateFilter(RegExtendSG.until), TYPED, Allowed(MANAGE))
    r.callback_query.register(
        admin.window_confirm,
        StateFilter(RegExtendSG.confirm),
        RegExtCb.filter(F.op.in_({"ok", "no"})),
        Allowed(MANAGE),
    )
    r.callback_query.register(
        not_allowed,
        or_f(RegOwnCb.filter(), RegDecCb.filter(), RegCardCb.filter(), RegListCb.filter(), RegExtCb.filter()),
    )
    return r


# -- /register -------------------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    await state.clear()
    try:
        units = await svc.headed_units()
        await svc.start()  # linked, a school year, in the window (or something to show)
    except DomainError as e:
        await message.answer(error_text(e))
        return
    if units:
        await state.set_state(RegisterSG.kind)
        rows = [[btn(t("registration-btn-own"), RegKindCb(unit=0))]]
        rows += [[btn(t("registration-btn-collective", unit=u.name), RegKindCb(unit=u.id))] for u in units]
        await message.answer(t("registration-ask-kind"), reply_markup=kb(rows))
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
            await message.answer(t(note) + "\n\n" + card(view, lang()), reply_markup=owner_keyboard(view))
            return
        draft = await svc.new_draft(collective_unit=unit_id)
    except DomainError as e:
        await state.clear()
        await message.answer(error_text(e))
        return
    if s.existing is not None:  # withdrawn: reopen it
        view = await svc.view(s.existing.id)
        await message.answer(t("registration-yours-withdrawn") + "\n\n" + card(view, lang()))
    await state.set_data(draft.as_state())
    await _ask_title(message, ctx, state, draft)


async def _ask_title(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    svc = service(ctx)
    year = await svc._year(draft)
    titles = await svc.titles(year, draft.subject)
    await state.set_state(RegisterSG.title)
    rows = [
        [btn(("✅ " if r.id == draft.title_id else "") + name_of(r), RegTitleCb(id=r.id))] for r in titles
    ]
    await message.answer(t("registration-ask-title", year=year.code), reply_markup=kb(rows))


async def pick_title(query: CallbackQuery, callback_data: RegTitleCb, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    try:
        await svc.with_title(draft, callback_data.id)
    except DomainError as e:
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    title = await svc.title_name(callback_data.id)
    await edit(query, t("registration-title-chosen", title=title))
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
        [btn(("☑️ " if m.id in draft.movement_ids else "▫️ ") + name_of(m), RegMovCb(id=m.id))]
        for m in await svc.movements(year)
    ]
    rows.append([btn(t("registration-btn-done"), RegMovCb(id=0))])
    return kb(rows)


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
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer()
    await state.update_data(draft.as_state())
    if callback_data.id != 0:  # the keyboard edits itself in place
        if isinstance(query.message, Message):
            with suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(reply_markup=await _movements_keyboard(ctx, draft))
        return
    year = await svc._year(draft)
    names = [name_of(m) for m in await svc.movements(year) if m.id in draft.movement_ids]
    await edit(query, t("registration-movements-chosen", movements="; ".join(names)))
    if not isinstance(query.message, Message):
        return
    if draft.commitments and (await state.get_data()).get("reviewing"):
        await _preview(query.message, ctx, state, draft)
        return
    await state.set_state(RegisterSG.commitments)
    hint = t("registration-current-commitments", text=esc(draft.commitments)) if draft.commitments else ""
    await query.message.answer(
        t("registration-ask-commitments", min=10, max=1500) + hint + _reason_hint(draft)
    )


def _reason_hint(draft: Draft) -> str:
    """A returned registration's reason, in sight at each step of its edit (issue 18, D23)."""
    return t("registration-current-reason", reason=esc(draft.return_reason)) if draft.return_reason else ""


async def got_commitments(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    try:
        svc.with_commitments(draft, message.text)
    except DomainError as e:
        await message.answer(error_text(e))
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
    markup = kb(
        [
            [btn(t("registration-btn-send"), RegDraftCb(op="send"))],
            [
                btn(t("registration-btn-change-title"), RegDraftCb(op="title")),
                btn(t("registration-btn-change-movements"), RegDraftCb(op="mov")),
            ],
            [
                btn(t("registration-btn-change-text"), RegDraftCb(op="text")),
                btn(t("registration-btn-cancel"), RegDraftCb(op="cancel")),
            ],
        ]
    )
    await message.answer(card(view, lang(), title_key="registration-preview-title"), reply_markup=markup)


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
            + t("registration-current-commitments", text=esc(draft.commitments))
            + _reason_hint(draft)
        )


async def send(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    try:
        view = await service(ctx).submit(draft)
    except Stale as e:
        await state.clear()
        await query.answer(error_text(e), show_alert=True)
        await edit(query, card(e.view, lang()))
        return
    except DomainError as e:
        await state.clear()
        await query.answer(error_text(e), show_alert=True)
        await edit(query, error_text(e))
        return
    await state.clear()
    await query.answer()
    _deciders, to_secretary = await service(ctx).deciders(view.item)
    sent = t("registration-sent-secretary" if to_secretary else "registration-sent")
    await edit(query, sent + "\n\n" + card(view, lang()), owner_keyboard(view))


async def stale_draft(query: CallbackQuery) -> None:
    await query.answer(t("registration-draft-stale"), show_alert=True)


# -- the owner: edit, withdraw, reopen -----------------------------------------------------------------
async def press_edit(query: CallbackQuery, callback_data: RegOwnCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).edit_draft(callback_data.id)
    except DomainError as e:
        await query.answer(error_text(e), show_alert=True)
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
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer()
    await edit(query, t("registration-withdrawn") + "\n\n" + card(view, lang()), owner_keyboard(view))


# -- the head or the secretary: endorse, return ------------------------------------------------------------
async def press_endorse(query: CallbackQuery, callback_data: RegDecCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).endorse(callback_data.id, callback_data.v)
    except Stale as e:
        await query.answer(error_text(e), show_alert=True)
        await edit(query, card(e.view, lang(), title_key="registration-request-title"))
        return
    except DomainError as e:
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer(t("registration-endorsed-alert"))
    markup = endorsed_keyboard(view.item.id, view.item.version)
    await edit(query, card(view, lang(), title_key="registration-request-title"), markup)


async def press_return(query: CallbackQuery, callback_data: RegDecCb, ctx: Ctx, state: FSMContext) -> None:
    """ "Trả lại": a submitted one ("ret"), or an endorsed one while registration is open ("reo")."""
    endorsed = callback_data.op == "reo"
    svc = service(ctx)
    try:
        if endorsed:
            view = await svc.returnable(callback_data.id, callback_data.v)
        else:
            view = await svc.decidable(callback_data.id, callback_data.v)
    except Stale as e:
        await query.answer(error_text(e), show_alert=True)
        await edit(query, card(e.view, lang(), title_key="registration-request-title"))
        return
    except DomainError as e:
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer()
    where = [query.message.chat.id, query.message.message_id] if isinstance(query.message, Message) else None
    await state.set_state(RegReturnSG.reason)
    await state.set_data({"id": callback_data.id, "v": callback_data.v, "where": where, "endorsed": endorsed})
    if isinstance(query.message, Message):
        key = "registration-ask-reason-endorsed" if endorsed else "registration-ask-reason"
        await query.message.answer(t(key, name=esc(view.owner), min=REASON_MIN, max=REASON_MAX))


async def got_reason(message: Message, ctx: Ctx, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    try:
        svc = service(ctx)
        decide = svc.return_endorsed if data.get("endorsed") else svc.return_
        view = await decide(int(data["id"]), int(data["v"]), message.text)
    except Stale as e:
        await state.clear()
        await message.answer(error_text(e))
        return
    except DomainError as e:
        if e.key.startswith("registration-reason"):
            await message.answer(error_text(e))  # the state stays: they type another reason
            return
        await state.clear()
        await message.answer(error_text(e))
        return
    await state.clear()
    where = data.get("where")
    if where:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                card(view, lang(), title_key="registration-request-title"),
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
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer()
    markup = None
    if mine:
        markup = owner_keyboard(view)
    elif item.state == RegistrationState.SUBMITTED.value and await svc.may_decide(item):
        markup = decide_keyboard(item.id, item.version)
    elif item.state == RegistrationState.ENDORSED.value and await svc.may_return_endorsed(item):
        markup = endorsed_keyboard(item.id, item.version)
    if isinstance(query.message, Message):
        await query.message.answer(
            card(view, lang(), title_key="registration-request-title"), reply_markup=markup
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
        raise Refused(error_text(e)) from e
    if not views:
        return [], []
    lines = [t("registration-pending-head", n=len(views))]
    rows = []
    for v in views[:30]:  # one number per registration: its own, in the list, on the button and the card
        lines.append(t("registration-list-line", n=v.item.id, name=esc(v.owner), title=esc(v.title)))
        rows.append([btn(t("registration-btn-open", n=v.item.id, name=v.owner), RegCardCb(id=v.item.id))])
    return lines, rows
