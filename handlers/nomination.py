"""/nominate, /nominations, /nomwindow: nominating for commendation, the achievement report, the window."""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import suppress
from typing import Any, Literal

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.clock import fmt_when, parse_day
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is, personal_router
from bot.i18n import get_i18n, t
from bot.services.nomination import (
    MANAGE,
    SUBMIT,
    SUMMARY_MAX,
    SUMMARY_MIN,
    Draft,
    NominationService,
    View,
)
from handlers.pending import pending_part
from handlers.render import nomination as render

LINKED = Allowed("help")  # the nominee writing a report: the service checks who may


# -- callback data (≤ 64 bytes) ------------------------------------------------------------------------
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
    op: Literal["send", "skip", "cancel"]


class NomItemCb(CallbackData, prefix="nmi"):
    id: int
    v: int = 0
    op: Literal["card", "edit", "wd", "rep", "ok", "ret"]


class NomListCb(CallbackData, prefix="nml"):
    r: int = 0
    t: int = 0
    s: str = ""
    p: int = 0
    o: str = ""  # "": show; "fr" / "ft" / "fs": choose a round / a title / a state


class NomExtCb(CallbackData, prefix="nme"):
    id: int


def _btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


class NominationButtons:
    """The buttons on the messages the service queues (JSON-ready dicts)."""

    def for_writer(self, nomination_id: int, locale: str) -> dict[str, Any] | None:
        btn = _btn(t("nomination-btn-write-report", locale=locale), NomItemCb(id=nomination_id, op="rep"))
        return _kb([[btn]]).model_dump(exclude_none=True)

    def for_reviewer(self, nomination_id: int, version: int, locale: str) -> dict[str, Any] | None:
        return review_keyboard(nomination_id, version, locale).model_dump(exclude_none=True)


def review_keyboard(nomination_id: int, version: int, locale: str | None = None) -> InlineKeyboardMarkup:
    return _kb(
        [
            [
                _btn(
                    t("nomination-btn-accept", locale=locale), NomItemCb(id=nomination_id, v=version, op="ok")
                ),
                _btn(
                    t("nomination-btn-return", locale=locale),
                    NomItemCb(id=nomination_id, v=version, op="ret"),
                ),
            ]
        ]
    )


def card_keyboard(view: View) -> InlineKeyboardMarkup | None:
    item = view.item
    rows: list[list[InlineKeyboardButton]] = []
    if view.open and item.state in ("submitted", "withdrawn"):
        if item.report_state == "submitted":
            rows.append(review_keyboard(item.id, item.version).inline_keyboard[0])
        if not view.writer_is_nominee and item.state == "submitted" and item.report_state != "accepted":
            rows.append([_btn(t("nomination-btn-write-report"), NomItemCb(id=item.id, op="rep"))])
        edit_row = [_btn(t("nomination-btn-edit"), NomItemCb(id=item.id, v=item.version, op="edit"))]
        if item.state == "submitted":
            edit_row.append(
                _btn(t("nomination-btn-withdraw"), NomItemCb(id=item.id, v=item.version, op="wd"))
            )
        rows.append(edit_row)
    return _kb(rows) if rows else None


# -- conversations -------------------------------------------------------------------------------------
class NominateSG(StatesGroup):
    round = State()
    who = State()
    name = State()
    title = State()
    summary = State()
    deeds = State()
    file = State()
    confirm = State()


class NomReportSG(StatesGroup):
    text = State()


class NomReturnSG(StatesGroup):
    reason = State()


class NomExtendSG(StatesGroup):
    until = State()


EDIT_PRESS = (NomItemCb.filter(F.op == "edit"), Allowed(SUBMIT))
REPORT_PRESS = (NomItemCb.filter(F.op == "rep"), LINKED)
RETURN_PRESS = (NomItemCb.filter(F.op == "ret"), Allowed(SUBMIT))
EXT_PRESS = (NomExtCb.filter(), Allowed(MANAGE))
conversation(NominateSG, "nomination-flow-nominate", started_by=[EDIT_PRESS])
conversation(NomReportSG, "nomination-flow-report", started_by=[REPORT_PRESS])
conversation(NomReturnSG, "nomination-flow-return", started_by=[RETURN_PRESS])
conversation(NomExtendSG, "nomination-flow-extend", started_by=[EXT_PRESS])

register_command("nominate", SUBMIT, "nomination-cmd-nominate", order=47)
register_command("nominations", SUBMIT, "nomination-cmd-list", order=48)
register_command("nomwindow", MANAGE, "nomination-cmd-window", order=49)


def router() -> Router:
    r = personal_router("nomination")
    a = Allowed(SUBMIT)
    r.message.register(start, Command("nominate"), a)
    r.message.register(listing, Command("nominations"), a)
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
    # cards and their actions
    r.callback_query.register(press_card, NomItemCb.filter(F.op == "card"), a)
    r.callback_query.register(press_edit, *EDIT_PRESS)
    r.callback_query.register(press_withdraw, NomItemCb.filter(F.op == "wd"), a)
    r.callback_query.register(press_accept, NomItemCb.filter(F.op == "ok"), a)
    r.callback_query.register(press_return, *RETURN_PRESS)
    r.message.register(got_reason, StateFilter(NomReturnSG.reason), TYPED, a)
    # the report
    r.callback_query.register(press_report, *REPORT_PRESS)
    r.message.register(got_report, StateFilter(NomReportSG.text), TYPED, LINKED)
    r.message.register(got_report_file, StateFilter(NomReportSG.text), Is(F.document), LINKED)
    r.message.register(need_text, StateFilter(NomReportSG.text, NomReturnSG.reason), NOT_COMMAND, LINKED)
    # the list and the window
    r.callback_query.register(list_press, NomListCb.filter(), a)
    r.callback_query.register(window_pick, *EXT_PRESS)
    r.message.register(window_until, StateFilter(NomExtendSG.until), TYPED, Allowed(MANAGE))
    r.callback_query.register(not_allowed, or_f(NomItemCb.filter(), NomListCb.filter(), NomExtCb.filter()))
    return r


def service(ctx: Ctx) -> NominationService:
    return NominationService(ctx, render.TEXTS, NominationButtons())


def _lang() -> str:
    return get_i18n().current_locale


def _error_text(e: DomainError) -> str:
    params = {k: (fmt_when(v) if hasattr(v, "tzinfo") else v) for k, v in e.params.items()}
    return t(e.key, **params)


def _name(row: Any) -> str:
    return str(getattr(row, f"name_{_lang()}", None) or row.name_vi)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):
            await query.message.edit_text(text, reply_markup=markup)


async def _alert(query: CallbackQuery, e: DomainError) -> None:
    await query.answer(_error_text(e), show_alert=True)


def _msg(query: CallbackQuery) -> Message:
    assert isinstance(query.message, Message)
    return query.message


# -- /nominate -------------------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    try:
        rounds = await service(ctx).start()
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    if len(rounds) > 1:
        await state.set_state(NominateSG.round)
        rows = [[_btn(_name(r), NomRoundCb(id=r.id))] for r in rounds]
        await message.answer(t("nomination-ask-round"), reply_markup=_kb(rows))
        return
    await _ask_who(message, ctx, state, Draft(round_id=rounds[0].id))


async def pick_round(query: CallbackQuery, callback_data: NomRoundCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).with_round(Draft(), callback_data.id)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await _ask_who(_msg(query), ctx, state, draft)


async def _ask_who(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    units = await service(ctx).headed_units()
    rows = []
    for u in units[:20]:
        rows.append([_btn(t("nomination-btn-person", unit=u.name), NomWhoCb(unit=u.id, kind="p"))])
        rows.append([_btn(t("nomination-btn-unit", unit=u.name), NomWhoCb(unit=u.id, kind="u"))])
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.who)
    await message.answer(t("nomination-ask-who"), reply_markup=_kb(rows))


async def pick_who(query: CallbackQuery, callback_data: NomWhoCb, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    draft = Draft.from_state(await state.get_data())
    if not svc.may_nominate_for(callback_data.unit):
        await query.answer(t("nomination-not-your-unit"), show_alert=True)
        return
    await query.answer()
    if callback_data.kind == "u":
        svc.with_unit(draft, callback_data.unit)
        await _ask_title(_msg(query), ctx, state, draft)
        return
    draft.unit_id = callback_data.unit
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.name)
    await _msg(query).answer(t("nomination-ask-name"))


async def got_name(message: Message, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    try:
        people = await service(ctx).find_nominees(draft.unit_id or 0, message.text or "")
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    if not people:
        await message.answer(t("nomination-name-none"))
        return
    rows = [[_btn(p.full_name, NomPersonCb(id=p.id))] for p in people]
    await message.answer(t("nomination-name-pick", n=len(people)), reply_markup=_kb(rows))


async def pick_person(query: CallbackQuery, callback_data: NomPersonCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).with_person(Draft.from_state(await state.get_data()), callback_data.id)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await _ask_title(_msg(query), ctx, state, draft)


async def _ask_title(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    titles = await service(ctx).titles(draft)
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.title)
    rows = [[_btn(_name(r), NomTitleCb(id=r.id))] for r in titles]
    await message.answer(t("nomination-ask-title"), reply_markup=_kb(rows))


async def pick_title(query: CallbackQuery, callback_data: NomTitleCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).with_title(Draft.from_state(await state.get_data()), callback_data.id)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.summary)
    await _msg(query).answer(t("nomination-ask-summary", min=SUMMARY_MIN, max=SUMMARY_MAX))


async def got_summary(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    try:
        draft = svc.with_summary(Draft.from_state(await state.get_data()), message.text)
    except DomainError as e:
        await message.answer(_error_text(e))  # the state stays: they send another text
        return
    await state.set_data(draft.as_state())
    await _ask_deeds(message, ctx, state, draft)


async def _deeds_keyboard(ctx: Ctx, draft: Draft) -> InlineKeyboardMarkup | None:
    deeds = await service(ctx).deeds(draft)
    if not deeds:
        return None
    rows = [
        [_btn(("✅ " if d.id in draft.deed_ids else "") + render.deed_label(d), NomDeedCb(id=d.id))]
        for d in deeds[:10]
    ]
    rows.append([_btn(t("nomination-btn-done"), NomDeedCb(id=0))])
    return _kb(rows)


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
            await _msg(query).edit_reply_markup(reply_markup=None)
        await _ask_file(_msg(query), state)
        return
    try:
        draft = await service(ctx).toggle_deed(draft, callback_data.id)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    with suppress(TelegramBadRequest):
        await _msg(query).edit_reply_markup(reply_markup=await _deeds_keyboard(ctx, draft))


async def _ask_file(message: Message, state: FSMContext) -> None:
    await state.set_state(NominateSG.file)
    rows = [[_btn(t("nomination-btn-skip"), NomDraftCb(op="skip"))]]
    await message.answer(t("nomination-ask-file"), reply_markup=_kb(rows))


async def got_file(message: Message, ctx: Ctx, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None
    try:
        draft = service(ctx).with_file(
            Draft.from_state(await state.get_data()), doc.file_id, doc.file_name, doc.mime_type, doc.file_size
        )
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    await state.set_data(draft.as_state())
    await _preview(message, ctx, state, draft)


async def skip_file(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await _preview(_msg(query), ctx, state, Draft.from_state(await state.get_data()))


async def _preview(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    view = await service(ctx).preview(draft)
    await state.set_state(NominateSG.confirm)
    rows = [
        [
            _btn(t("nomination-btn-send"), NomDraftCb(op="send")),
            _btn(t("nomination-btn-cancel"), NomDraftCb(op="cancel")),
        ]
    ]
    await message.answer(
        t("nomination-preview") + "\n\n" + render.card(view, _lang(), title_key="nomination-preview-title"),
        reply_markup=_kb(rows),
    )


async def send(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = Draft.from_state(await state.get_data())
    try:
        view = await service(ctx).submit(draft)
    except DomainError as e:
        await state.clear()
        await _alert(query, e)
        await _edit(query, _error_text(e))
        return
    await state.clear()
    await query.answer()
    await _edit(query, t("nomination-sent") + "\n\n" + render.card(view, _lang()), card_keyboard(view))


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit(query, t("nomination-cancelled"))


async def need_text(message: Message) -> None:
    await message.answer(t("nomination-need-text"))


async def need_file(message: Message) -> None:
    await message.answer(t("nomination-need-file"))


async def stale_draft(query: CallbackQuery) -> None:
    await query.answer(t("nomination-draft-stale"), show_alert=True)


# -- a card and its actions ------------------------------------------------------------------------------
async def press_card(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).view(callback_data.id)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await _msg(query).answer(render.card(view, _lang()), reply_markup=card_keyboard(view))


async def press_edit(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).edit_draft(callback_data.id)
        if draft.version != callback_data.v:
            raise DomainError("nomination-stale")
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.summary)
    await _msg(query).answer(
        t("nomination-ask-summary", min=SUMMARY_MIN, max=SUMMARY_MAX)
        + t("nomination-current-summary", text=render.clip(draft.summary, 3000))
    )


async def press_withdraw(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).withdraw(callback_data.id, callback_data.v)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer(t("nomination-withdrawn-alert"))
    await _edit(query, render.card(view, _lang()), card_keyboard(view))


async def press_accept(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).review(callback_data.id, callback_data.v, accept=True)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer(t("nomination-report-accepted-alert"))
    await _edit(query, render.card(view, _lang()), card_keyboard(view))


async def press_return(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).reviewable(callback_data.id, callback_data.v)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await state.set_state(NomReturnSG.reason)
    await state.set_data({"id": callback_data.id, "v": callback_data.v})
    await _msg(query).answer(t("nomination-ask-reason", name=render.esc(view.nominee), min=5, max=500))


async def _typed_step(message: Message, state: FSMContext, step: Awaitable[Any], retry: str) -> Any | None:
    """Run the service call of a typed step. A mistake in what was typed (an error whose key starts with
    `retry`) keeps the step, so they type again; any other refusal ends it. None when refused."""
    try:
        view = await step
    except DomainError as e:
        if not e.key.startswith(retry):
            await state.clear()
        await message.answer(_error_text(e))
        return None
    await state.clear()
    return view


async def got_reason(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    step = service(ctx).review(int(data["id"]), int(data["v"]), accept=False, reason=message.text)
    view = await _typed_step(message, state, step, "nomination-reason")
    if view is not None:
        await message.answer(t("nomination-report-returned-done", name=render.esc(view.nominee)))


# -- the achievement report ----------------------------------------------------------------------------------
async def press_report(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).report_target(callback_data.id)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await state.set_state(NomReportSG.text)
    await state.set_data({"id": callback_data.id})
    await _msg(query).answer(t("nomination-ask-report", title=render.esc(_name(view.title)), max=4000))


async def got_report(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    step = service(ctx).submit_report(int(data["id"]), text=message.text)
    view = await _typed_step(message, state, step, "nomination-report-")
    if view is not None:
        await message.answer(t("nomination-report-sent", title=render.esc(_name(view.title))))


async def got_report_file(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    doc = message.document
    assert doc is not None
    step = service(ctx).submit_report(
        int(data["id"]), file_id=doc.file_id, file_name=doc.file_name, mime=doc.mime_type, size=doc.file_size
    )
    view = await _typed_step(message, state, step, "nomination-file")
    if view is not None:
        await message.answer(t("nomination-report-sent", title=render.esc(_name(view.title))))


async def not_allowed(query: CallbackQuery) -> None:
    await query.answer(t("nomination-not-nominator"), show_alert=True)


# -- /nominations ----------------------------------------------------------------------------------------
STATES = ("submitted", "withdrawn", "locked")


async def listing(message: Message, ctx: Ctx) -> None:
    try:
        text, markup = await _list_page(ctx, NomListCb())
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    await message.answer(text, reply_markup=markup)


async def _filter_page(ctx: Ctx, f: NomListCb) -> tuple[str, InlineKeyboardMarkup]:
    rounds, titles = await service(ctx).filter_choices()
    back = NomListCb(r=f.r, t=f.t, s=f.s)
    if f.o == "fr":
        rows = [[_btn(_name(r), NomListCb(r=r.id, t=f.t, s=f.s))] for r in rounds]
    elif f.o == "ft":
        rows = [[_btn(_name(c), NomListCb(r=f.r, t=c.id, s=f.s))] for c in titles]
    else:
        rows = [[_btn(t(f"nomination-state-{s}"), NomListCb(r=f.r, t=f.t, s=s))] for s in STATES]
    rows.append(
        [
            _btn(
                t("nomination-btn-all"),
                NomListCb(
                    r=0 if f.o == "fr" else f.r, t=0 if f.o == "ft" else f.t, s="" if f.o == "fs" else f.s
                ),
            )
        ]
    )
    rows.append([_btn(t("nomination-btn-back"), back)])
    return t("nomination-list-pick-filter"), _kb(rows)


async def _list_page(ctx: Ctx, f: NomListCb) -> tuple[str, InlineKeyboardMarkup | None]:
    if f.o:
        return await _filter_page(ctx, f)
    page = await service(ctx).listing(round_id=f.r, commendation_id=f.t, state=f.s, page=f.p)
    if not page.items:
        lines = [t("nomination-list-none")]
    else:
        lines = [t("nomination-list-head", n=page.total, page=page.page + 1, pages=page.pages)]
    rows = []
    for i, v in enumerate(page.items, page.page * 5 + 1):
        lines.append(render.list_line(i, v, _lang()))
        rows.append([_btn(t("nomination-btn-open", n=i, name=v.nominee), NomItemCb(id=v.item.id, op="card"))])
    nav = []
    if page.page > 0:
        nav.append(_btn("‹", NomListCb(r=f.r, t=f.t, s=f.s, p=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(_btn("›", NomListCb(r=f.r, t=f.t, s=f.s, p=page.page + 1)))
    if nav:
        rows.append(nav)
    rows.append(
        [
            _btn(t("nomination-btn-filter-round"), NomListCb(r=f.r, t=f.t, s=f.s, o="fr")),
            _btn(t("nomination-btn-filter-title"), NomListCb(r=f.r, t=f.t, s=f.s, o="ft")),
            _btn(t("nomination-btn-filter-state"), NomListCb(r=f.r, t=f.t, s=f.s, o="fs")),
        ]
    )
    return "\n".join(lines), _kb(rows)


async def list_press(query: CallbackQuery, callback_data: NomListCb, ctx: Ctx) -> None:
    try:
        text, markup = await _list_page(ctx, callback_data)
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    await _edit(query, text, markup)


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
                _btn(
                    t("nomination-btn-round-until", round=_name(r), when=fmt_when(await svc.closes(r))),
                    NomExtCb(id=r.id),
                )
            ]
        )
    await message.answer(t("nomination-window-pick"), reply_markup=_kb(rows))


async def window_pick(query: CallbackQuery, callback_data: NomExtCb, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(NomExtendSG.until)
    await state.set_data({"id": callback_data.id})
    await _msg(query).answer(t("nomination-window-ask-until"))


async def window_until(message: Message, ctx: Ctx, state: FSMContext) -> None:
    until = parse_day(message.text, ctx.clock.today())
    if until is None:
        await message.answer(t("nomination-ext-bad-date"))
        return
    data = await state.get_data()
    try:
        closes = await service(ctx).extend(int(data["id"]), until)
    except DomainError as e:
        await message.answer(_error_text(e))
        return
    await state.clear()
    await message.answer(t("nomination-window-extended", when=fmt_when(closes)))


# -- the /pending hook ---------------------------------------------------------------------------------------
@pending_part(30)
async def pending_items(ctx: Ctx) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The achievement reports waiting for the actor's review, as lines and buttons for /pending."""
    views = await service(ctx).pending_reports()
    if not views:
        return [], []
    lines = [t("nomination-pending-head", n=len(views))]
    rows = []
    for i, v in enumerate(views[:20], 1):
        lines.append(f"{i}. {render.esc(v.nominee)} — {render.esc(_name(v.title))}")
        rows.append(
            [_btn(t("nomination-btn-review", n=i, name=v.nominee), NomItemCb(id=v.item.id, op="card"))]
        )
    return lines, rows
