"""/registrations and /regwindow (the secretary): the year's list with its filters, the window's extension."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.clock import fmt_date, fmt_when, parse_day
from bot.context import Ctx
from bot.errors import DomainError
from bot.i18n import t
from bot.text import esc
from handlers.registration_ui import (
    RegCardCb,
    RegExtCb,
    RegExtendSG,
    RegListCb,
    btn,
    edit,
    error_text,
    kb,
    name_of,
    service,
)

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
        return error_text(e), None
    lines = [t("registration-list-head", n=page.total)]
    if page.title_counts:
        lines.append(t("registration-list-counts"))
        lines += [f"• {esc(name)}: {n}" for name, n in page.title_counts]
    lines.append("")
    rows: list[list[InlineKeyboardButton]] = []
    for v in page.items:  # one number per registration (issue 18, D22)
        line = t("registration-list-line", n=v.item.id, name=esc(v.owner), title=esc(v.title))
        lines.append(f"{line} — {esc(v.unit)} — {v.state_label()}")
        rows.append([btn(t("registration-btn-open", n=v.item.id, name=v.owner), RegCardCb(id=v.item.id))])
    if not page.items:
        lines.append(t("registration-list-empty"))
    rows.append(
        [
            btn(t("registration-btn-by-unit"), RegListCb(u=f.u, t=f.t, s=f.s, o="fu")),
            btn(t("registration-btn-by-title"), RegListCb(u=f.u, t=f.t, s=f.s, o="ft")),
            btn(t("registration-btn-by-state"), RegListCb(u=f.u, t=f.t, s=f.s, o="fs")),
        ]
    )
    if f.u or f.t or f.s:
        rows.append([btn(t("registration-btn-all"), RegListCb())])
    nav = []
    if page.page > 0:
        nav.append(btn(t("registration-btn-prev"), RegListCb(u=f.u, t=f.t, s=f.s, p=page.page - 1)))
    if page.page + 1 < page.pages:
        nav.append(btn(t("registration-btn-next"), RegListCb(u=f.u, t=f.t, s=f.s, p=page.page + 1)))
    if nav:
        rows.append(nav)
    return "\n".join(lines), kb(rows)


async def list_press(query: CallbackQuery, callback_data: RegListCb, ctx: Ctx) -> None:
    f = callback_data
    await query.answer()
    if f.o in ("fu", "ft", "fs"):
        try:
            units, titles = await service(ctx).filter_choices()
        except DomainError as e:
            await edit(query, error_text(e))
            return
        if f.o == "fu":
            rows = [[btn(u.name, RegListCb(u=u.id, t=f.t, s=f.s))] for u in units]
        elif f.o == "ft":
            rows = [[btn(name_of(r), RegListCb(u=f.u, t=r.id, s=f.s))] for r in titles]
        else:
            rows = [[btn(t(f"registration-state-{s}"), RegListCb(u=f.u, t=f.t, s=s))] for s in STATES]
        with suppress(TelegramBadRequest):
            if isinstance(query.message, Message):
                await query.message.edit_reply_markup(reply_markup=kb(rows))
        return
    text, markup = await _list_page(ctx, f)
    await edit(query, text, markup)


# -- /regwindow: extend the registration window ------------------------------------------------------
async def window_start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    svc = service(ctx)
    await state.clear()
    try:
        window, _ = await svc.extension_target(None)
        units, _titles = await svc.filter_choices()
    except DomainError as e:
        await message.answer(error_text(e))
        return
    rows = [[btn(t("registration-btn-college"), RegExtCb(unit=0))]]
    rows += [[btn(u.name, RegExtCb(unit=u.id))] for u in units]
    await message.answer(
        t(
            "registration-window-now",
            year=window.school_year.code,
            opens=fmt_when(window.opens_at),
            closes=fmt_when(window.closes_at),
        ),
        reply_markup=kb(rows),
    )


async def window_pick(query: CallbackQuery, callback_data: RegExtCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        window, unit = await service(ctx).extension_target(callback_data.unit or None)
    except DomainError as e:
        await query.answer(error_text(e), show_alert=True)
        return
    await query.answer()
    await state.set_state(RegExtendSG.until)
    await state.set_data({"unit": callback_data.unit})
    target = esc(unit.name) if unit else t("registration-btn-college")
    if isinstance(query.message, Message):
        await query.message.answer(
            t("registration-ask-until", target=target, closes=fmt_when(window.closes_at))
        )


async def window_until(message: Message, ctx: Ctx, state: FSMContext) -> None:
    """A new closing day: checked when typed (the step stays on a refusal); nothing changes until the
    secretary confirms, and the confirmation checks again."""
    day = parse_day(message.text)
    example = fmt_date(ctx.clock.today() + timedelta(days=7))
    if day is None:
        await message.answer(t("registration-ext-bad-date", example=example))
        return
    unit = int((await state.get_data()).get("unit") or 0)
    try:
        await service(ctx).check_extension(unit or None, day)
    except DomainError as e:
        await message.answer(error_text(e))
        return  # still waiting: another day, or /cancel
    await state.update_data(until=day.isoformat())
    await state.set_state(RegExtendSG.confirm)
    await message.answer(
        t("registration-ext-confirm", date=fmt_date(day)),
        reply_markup=kb(
            [
                [
                    btn(t("registration-btn-confirm"), RegExtCb(unit=unit, op="ok")),
                    btn(t("registration-btn-cancel"), RegExtCb(unit=unit, op="no")),
                ]
            ]
        ),
    )


async def window_confirm(query: CallbackQuery, callback_data: RegExtCb, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    await state.clear()
    if callback_data.op == "no":
        await query.answer()
        await edit(query, t("registration-cancelled"))
        return
    try:
        window = await service(ctx).extend(
            int(data.get("unit") or 0) or None, date.fromisoformat(data["until"])
        )
    except DomainError as e:
        await query.answer(error_text(e), show_alert=True)
        await edit(query, error_text(e))
        return
    await query.answer()
    await edit(query, t("registration-ext-done", closes=fmt_when(window.closes_at)))
