"""/nominate (a head or the secretary nominates) and /nomwindow (the secretary extends the window)."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import fmt_date, fmt_when, parse_day
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is
from bot.i18n import t
from bot.roles import Member, can
from bot.services.nomination import MANAGE, SUBMIT, SUMMARY_MAX, SUMMARY_MIN, Draft
from handlers.render import nomination as render

from .common import (
    NomDeedCb,
    NomDraftCb,
    NomExtCb,
    NomItemCb,
    NomPersonCb,
    NomRoundCb,
    NomTitleCb,
    NomWhoCb,
    alert,
    btn,
    edit,
    error_text,
    kb,
    lang,
    msg,
    name,
    send_parts,
    service,
    show_card,
)


class NominateSG(StatesGroup):
    round = State()
    who = State()
    name = State()
    title = State()
    summary = State()
    deeds = State()
    file = State()
    confirm = State()


class NomExtendSG(StatesGroup):
    until = State()


EDIT_PRESS = (NomItemCb.filter(F.op == "edit"), Allowed(SUBMIT))
EXT_PRESS = (NomExtCb.filter(), Allowed(MANAGE))
conversation(NominateSG, "nomination-flow-nominate", started_by=[EDIT_PRESS])
conversation(NomExtendSG, "nomination-flow-extend", started_by=[EXT_PRESS])

register_command("nominate", SUBMIT, "nomination-cmd-nominate", order=47)
register_command("nomwindow", MANAGE, "nomination-cmd-window", order=49)


def register(r: Router) -> None:
    """The conversation of /nominate, and /nomwindow, on the feature's router."""
    a = Allowed(SUBMIT)
    r.message.register(start, Command("nominate"), a)
    r.message.register(window_start, Command("nomwindow"), Allowed(MANAGE))
    r.callback_query.register(pick_round, StateFilter(NominateSG.round), NomRoundCb.filter(), a)
    r.callback_query.register(pick_who, StateFilter(NominateSG.who), NomWhoCb.filter(), a)
    r.message.register(got_name, StateFilter(NominateSG.name), TYPED, a)
    r.callback_query.register(pick_person, StateFilter(NominateSG.name), NomPersonCb.filter(), a)
    r.callback_query.register(pick_title, StateFilter(NominateSG.title), NomTitleCb.filter(), a)
    r.message.register(got_summary, StateFilter(NominateSG.summary), TYPED, a)
    r.callback_query.register(toggle_deed, StateFilter(NominateSG.deeds), NomDeedCb.filter(), a)
    r.message.register(got_file, StateFilter(NominateSG.file), Is(F.document), a)
    r.callback_query.register(skip_file, StateFilter(NominateSG.file), NomDraftCb.filter(F.op == "skip"), a)
    r.callback_query.register(send, StateFilter(NominateSG.confirm), NomDraftCb.filter(F.op == "send"), a)
    full = NomDraftCb.filter(F.op == "full")
    r.callback_query.register(draft_whole, StateFilter(NominateSG.confirm), full, a)
    r.callback_query.register(cancel, NomDraftCb.filter(F.op == "cancel"), a)
    r.message.register(need_text, StateFilter(NominateSG.name, NominateSG.summary), NOT_COMMAND, a)
    r.message.register(need_file, StateFilter(NominateSG.file), NOT_COMMAND, a)
    r.callback_query.register(
        stale_draft,
        or_f(
            NomRoundCb.filter(),
            NomWhoCb.filter(),
            NomPersonCb.filter(),
            NomTitleCb.filter(),
            NomDeedCb.filter(),
            NomDraftCb.filter(),
        ),
    )
    r.callback_query.register(window_pick, *EXT_PRESS)
    r.message.register(window_until, StateFilter(NomExtendSG.until), TYPED, Allowed(MANAGE))


# -- /nominate -------------------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    try:
        rounds = await service(ctx).start()
    except DomainError as e:
        await message.answer(error_text(e))
        return
    if len(rounds) > 1:
        await state.set_state(NominateSG.round)
        rows = [[btn(name(r), NomRoundCb(id=r.id))] for r in rounds]
        await message.answer(t("nomination-ask-round"), reply_markup=kb(rows))
        return
    await _ask_who(message, ctx, state, Draft(round_id=rounds[0].id))


async def pick_round(query: CallbackQuery, callback_data: NomRoundCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).with_round(Draft(), callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await _ask_who(msg(query), ctx, state, draft)


async def _ask_who(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    units = await service(ctx).headed_units()
    rows = []
    for u in units[:20]:
        rows.append([btn(t("nomination-btn-person", unit=u.name), NomWhoCb(unit=u.id, kind="p"))])
        rows.append([btn(t("nomination-btn-unit", unit=u.name), NomWhoCb(unit=u.id, kind="u"))])
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.who)
    await message.answer(t("nomination-ask-who"), reply_markup=kb(rows))


async def pick_who(query: CallbackQuery, callback_data: NomWhoCb, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    if not svc.may_nominate_for(callback_data.unit):
        await query.answer(t("nomination-not-your-unit"), show_alert=True)
        return
    await query.answer()
    if callback_data.kind == "u":
        svc.with_unit(draft, callback_data.unit)
        await _ask_title(msg(query), ctx, state, draft)
        return
    draft.unit_id = callback_data.unit
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.name)
    await msg(query).answer(t("nomination-ask-name"))


async def got_name(message: Message, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    try:
        people = await service(ctx).find_nominees(draft.unit_id or 0, message.text or "")
    except DomainError as e:
        await message.answer(error_text(e))
        return
    if not people:
        await message.answer(t("nomination-name-none"))
        return
    rows = [[btn(p.full_name, NomPersonCb(id=p.id))] for p in people]
    await message.answer(t("nomination-name-pick", n=len(people)), reply_markup=kb(rows))


async def pick_person(query: CallbackQuery, callback_data: NomPersonCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).with_person(Draft.from_state(await state.get_data()), callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await _ask_title(msg(query), ctx, state, draft)


async def _ask_title(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    titles = await service(ctx).titles(draft)
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.title)
    rows = [[btn(name(r), NomTitleCb(id=r.id))] for r in titles]
    await message.answer(t("nomination-ask-title"), reply_markup=kb(rows))


async def pick_title(query: CallbackQuery, callback_data: NomTitleCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).with_title(Draft.from_state(await state.get_data()), callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.summary)
    await msg(query).answer(t("nomination-ask-summary", min=SUMMARY_MIN, max=SUMMARY_MAX))


async def got_summary(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    try:
        draft = svc.with_summary(Draft.from_state(await state.get_data()), message.text)
    except DomainError as e:
        await message.answer(error_text(e))  # the state stays: they send another text
        return
    await state.set_data(draft.as_state())
    await _ask_deeds(message, ctx, state, draft)


async def _deeds_keyboard(ctx: Ctx, draft: Draft) -> InlineKeyboardMarkup | None:
    deeds = await service(ctx).deeds(draft)
    if not deeds:
        return None
    rows = [
        [btn(("✅ " if d.id in draft.deed_ids else "") + render.deed_label(d), NomDeedCb(id=d.id))]
        for d in deeds[:10]
    ]
    rows.append([btn(t("nomination-btn-done"), NomDeedCb(id=0))])
    return kb(rows)


async def _ask_deeds(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    markup = await _deeds_keyboard(ctx, draft)
    if markup is None:
        await _ask_file(message, state)
        return
    await state.set_state(NominateSG.deeds)
    await message.answer(t("nomination-ask-deeds"), reply_markup=markup)


async def toggle_deed(query: CallbackQuery, callback_data: NomDeedCb, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    if callback_data.id == 0:
        await query.answer()
        with suppress(TelegramBadRequest):
            await msg(query).edit_reply_markup(reply_markup=None)
        await _ask_file(msg(query), state)
        return
    try:
        draft = await service(ctx).toggle_deed(draft, callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    with suppress(TelegramBadRequest):
        await msg(query).edit_reply_markup(reply_markup=await _deeds_keyboard(ctx, draft))


async def _ask_file(message: Message, state: FSMContext) -> None:
    await state.set_state(NominateSG.file)
    rows = [[btn(t("nomination-btn-skip"), NomDraftCb(op="skip"))]]
    await message.answer(t("nomination-ask-file"), reply_markup=kb(rows))


async def got_file(message: Message, ctx: Ctx, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None
    try:
        draft = service(ctx).with_file(
            Draft.from_state(await state.get_data()), doc.file_id, doc.file_name, doc.mime_type, doc.file_size
        )
    except DomainError as e:
        await message.answer(error_text(e))
        return
    await state.set_data(draft.as_state())
    await _preview(message, ctx, state, draft)


async def skip_file(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await _preview(msg(query), ctx, state, Draft.from_state(await state.get_data()))


async def _preview(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    view = await service(ctx).preview(draft)
    await state.set_state(NominateSG.confirm)
    fitted = render.card(view, lang(), title_key="nomination-preview-title", lead=t("nomination-preview"))
    row = [
        btn(t("nomination-btn-send"), NomDraftCb(op="send")),
        btn(t("nomination-btn-cancel"), NomDraftCb(op="cancel")),
    ]
    if fitted.cut:
        row.append(btn(t("nomination-btn-full"), NomDraftCb(op="full")))
    await message.answer(fitted.text, reply_markup=kb([row]))


async def draft_whole(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    """The draft uncut, in parts: what "Xem đầy đủ" shows before sending."""
    view = await service(ctx).preview(Draft.from_state(await state.get_data()))
    await query.answer()
    await send_parts(msg(query), render.whole_card(view, lang(), title_key="nomination-preview-title"))


async def send(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    try:
        view = await service(ctx).submit(draft)
    except DomainError as e:
        await state.clear()
        await alert(query, e)
        await edit(query, error_text(e))
        return
    await state.clear()
    await query.answer()
    await show_card(query, view, lead=t("nomination-sent"), in_place=True)


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit(query, t("nomination-cancelled"))


async def need_text(message: Message) -> None:
    await message.answer(t("nomination-need-text"))


async def need_file(message: Message) -> None:
    await message.answer(t("nomination-need-file"))


async def stale_draft(query: CallbackQuery, me: Member | None) -> None:
    """An old draft's button: /nominate again, for one who still may (never a command outside one's roles)."""
    key = "nomination-draft-stale" if can(me, SUBMIT) else "nomination-not-nominator"
    await query.answer(t(key), show_alert=True)


# -- /nomwindow (the secretary) ---------------------------------------------------------------------------
async def window_start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    svc = service(ctx)
    rounds = [r for r in (await svc.filter_choices())[0] if r.nominations_open_at <= ctx.clock.now()]
    if not rounds:
        await message.answer(t("nomination-no-round"))
        return
    rows = []
    for r in rounds:
        rows.append(
            [
                btn(
                    t("nomination-btn-round-until", round=name(r), when=fmt_when(await svc.closes(r))),
                    NomExtCb(id=r.id),
                )
            ]
        )
    await message.answer(t("nomination-window-pick"), reply_markup=kb(rows))


def _example_day(ctx: Ctx) -> str:
    """A day to show as the form: a week from today, in the current school year's days."""
    return fmt_date(ctx.clock.today() + timedelta(days=7))


async def window_pick(query: CallbackQuery, callback_data: NomExtCb, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(NomExtendSG.until)
    await state.set_data({"id": callback_data.id})
    await msg(query).answer(t("nomination-window-ask-until", example=_example_day(ctx)))


async def window_until(message: Message, ctx: Ctx, state: FSMContext) -> None:
    until = parse_day(message.text, ctx.clock.today())
    if until is None:
        await message.answer(t("nomination-ext-bad-date", example=_example_day(ctx)))
        return
    data = await state.get_data()
    try:
        closes = await service(ctx).extend(int(data["id"]), until)
    except DomainError as e:
        await message.answer(error_text(e))
        return
    await state.clear()
    await message.answer(t("nomination-window-extended", when=fmt_when(closes)))
