"""A nomination's card and its actions (edit, withdraw, review the report, "Xem đầy đủ", "Xem báo cáo"),
and /nominations, the list with its filters. Every press is checked again by the service."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.services.nomination import REASON_MAX, REASON_MIN, SUBMIT, SUMMARY_MAX, SUMMARY_MIN
from bot.text import esc
from handlers.render import nomination as render

from .common import (
    NomExtCb,
    NomItemCb,
    NomListCb,
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
from .nominate import EDIT_PRESS, NominateSG


class NomReturnSG(StatesGroup):
    reason = State()


RETURN_PRESS = (NomItemCb.filter(F.op == "ret"), Allowed(SUBMIT))
conversation(NomReturnSG, "nomination-flow-return", started_by=[RETURN_PRESS])

register_command("nominations", SUBMIT, "nomination-cmd-list", order=48)


def register(r: Router) -> None:
    """The cards' presses and /nominations, on the feature's router."""
    a = Allowed(SUBMIT)
    r.message.register(listing, Command("nominations"), a)
    r.callback_query.register(press_card, NomItemCb.filter(F.op == "card"), a)
    r.callback_query.register(press_full, NomItemCb.filter(F.op == "full"), a)
    r.callback_query.register(press_read_report, NomItemCb.filter(F.op == "rpt"), a)
    r.callback_query.register(press_edit, *EDIT_PRESS)
    r.callback_query.register(press_withdraw, NomItemCb.filter(F.op == "wd"), a)
    r.callback_query.register(press_accept, NomItemCb.filter(F.op == "ok"), a)
    r.callback_query.register(press_return, *RETURN_PRESS)
    r.message.register(got_reason, StateFilter(NomReturnSG.reason), TYPED, a)
    r.callback_query.register(list_press, NomListCb.filter(), a)


def register_last(r: Router) -> None:
    """After every other handler of the feature: a press nobody's role allows."""
    r.callback_query.register(not_allowed, or_f(NomItemCb.filter(), NomListCb.filter(), NomExtCb.filter()))


# -- a card and its actions ------------------------------------------------------------------------------
async def press_card(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).view(callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await show_card(query, view)


async def press_full(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    """ "Xem đầy đủ": the card uncut, every good deed and the whole summary, in parts."""
    try:
        view = await service(ctx).view(callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await send_parts(msg(query), render.whole_card(view, lang()))


async def press_read_report(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    """ "Xem báo cáo": the achievement report, whole (in parts), or its file."""
    try:
        view = await service(ctx).report_of(callback_data.id)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    if view.item.report_file_id:
        await msg(query).answer_document(
            view.item.report_file_id, caption=render.report_caption(view, lang())
        )
        return
    await send_parts(msg(query), render.report_parts(view, lang()))


async def press_edit(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        draft = await service(ctx).edit_draft(callback_data.id)
        if draft.version != callback_data.v:
            raise DomainError("nomination-stale")
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await state.set_data(draft.as_state())
    await state.set_state(NominateSG.summary)
    lead = t("nomination-ask-summary", min=SUMMARY_MIN, max=SUMMARY_MAX)
    await msg(query).answer(render.summary_prompt(lead, draft.summary, lang()))


async def press_withdraw(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).withdraw(callback_data.id, callback_data.v)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer(t("nomination-withdrawn-alert"))
    await show_card(query, view, in_place=True)


async def press_accept(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx) -> None:
    try:
        view = await service(ctx).review(callback_data.id, callback_data.v, accept=True)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer(t("nomination-report-accepted-alert"))
    await show_card(query, view, in_place=True)


async def press_return(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).reviewable(callback_data.id, callback_data.v)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await state.set_state(NomReturnSG.reason)
    await state.set_data({"id": callback_data.id, "v": callback_data.v})
    await msg(query).answer(
        t("nomination-ask-reason", name=esc(view.nominee), min=REASON_MIN, max=REASON_MAX)
    )


async def _typed_step(message: Message, state: FSMContext, step: Awaitable[Any], retry: str) -> Any | None:
    """Run the service call of a typed step. A mistake in what was typed (an error whose key starts with
    `retry`) keeps the step, so they type again; any other refusal ends it. None when refused."""
    try:
        view = await step
    except DomainError as e:
        if not e.key.startswith(retry):
            await state.clear()
        await message.answer(error_text(e))
        return None
    await state.clear()
    return view


async def got_reason(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    step = service(ctx).review(int(data["id"]), int(data["v"]), accept=False, reason=message.text)
    view = await _typed_step(message, state, step, "nomination-reason")
    if view is not None:
        await message.answer(t("nomination-report-returned-done", name=esc(view.nominee)))


async def not_allowed(query: CallbackQuery) -> None:
    await query.answer(t("nomination-not-nominator"), show_alert=True)


# -- /nominations ----------------------------------------------------------------------------------------
STATES = ("submitted", "withdrawn", "locked")


async def listing(message: Message, ctx: Ctx) -> None:
    try:
        text, markup = await _list_page(ctx, NomListCb())
    except DomainError as e:
        await message.answer(error_text(e))
        return
    await message.answer(text, reply_markup=markup)


async def _filter_page(ctx: Ctx, f: NomListCb) -> tuple[str, InlineKeyboardMarkup]:
    rounds, titles = await service(ctx).filter_choices()
    back = NomListCb(r=f.r, t=f.t, s=f.s)
    if f.o == "fr":
        rows = [[btn(name(r), NomListCb(r=r.id, t=f.t, s=f.s))] for r in rounds]
    elif f.o == "ft":
        rows = [[btn(name(c), NomListCb(r=f.r, t=c.id, s=f.s))] for c in titles]
    else:
        rows = [[btn(t(f"nomination-state-{s}"), NomListCb(r=f.r, t=f.t, s=s))] for s in STATES]
    rows.append(
        [
            btn(
                t("nomination-btn-all"),
                NomListCb(
                    r=0 if f.o == "fr" else f.r, t=0 if f.o == "ft" else f.t, s="" if f.o == "fs" else f.s
                ),
            )
        ]
    )
    rows.append([btn(t("nomination-btn-back"), back)])
    return t("nomination-list-pick-filter"), kb(rows)


async def _list_page(ctx: Ctx, f: NomListCb) -> tuple[str, InlineKeyboardMarkup | None]:
    if f.o:
        return await _filter_page(ctx, f)
    page = await service(ctx).listing(round_id=f.r, commendation_id=f.t, state=f.s, page=f.p)
    if not page.items:
        lines = [t("nomination-list-none")]
    else:
        lines = [t("nomination-list-head", n=page.total, page=page.page + 1, pages=page.pages)]
    rows = []
    for v in page.items:
        lines.append(render.list_line(v, lang()))
        rows.append(
            [btn(t("nomination-btn-open", n=v.number, name=v.nominee), NomItemCb(id=v.item.id, op="card"))]
        )
    nav = []
    if page.page > 0:
        nav.append(btn("‹", NomListCb(r=f.r, t=f.t, s=f.s, p=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(btn("›", NomListCb(r=f.r, t=f.t, s=f.s, p=page.page + 1)))
    if nav:
        rows.append(nav)
    rows.append(
        [
            btn(t("nomination-btn-filter-round"), NomListCb(r=f.r, t=f.t, s=f.s, o="fr")),
            btn(t("nomination-btn-filter-title"), NomListCb(r=f.r, t=f.t, s=f.s, o="ft")),
            btn(t("nomination-btn-filter-state"), NomListCb(r=f.r, t=f.t, s=f.s, o="fs")),
        ]
    )
    return "\n".join(lines), kb(rows)


async def list_press(query: CallbackQuery, callback_data: NomListCb, ctx: Ctx) -> None:
    try:
        text, markup = await _list_page(ctx, callback_data)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await edit(query, text, markup)
