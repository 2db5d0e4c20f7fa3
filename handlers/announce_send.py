"""/announce, from the targets on: the preview, now or later (the quiet hours confirmed first), the posts
waiting for their time, and the buttons of the progress message and of an overdue post."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import example_when, fmt_when
from bot.context import Ctx
from bot.errors import DomainError
from bot.exports.announce import failures_csv
from bot.i18n import grouped, t
from bot.roles import Member
from bot.services.announce import Draft, TargetUnbound
from bot.services.announce_draft import QuietTime, parse_when, parts, quiet_window
from handlers.announce_ui import (
    AnCb,
    AnChatCb,
    AnnounceSG,
    AnUnitCb,
    BcCb,
    alert,
    btn,
    chat_of,
    draft_of,
    kb,
    keep,
    ops,
    service,
)
from handlers.render import announce as render
from storage.models.channels import Broadcast


# -- the targets ------------------------------------------------------------------------------------------
async def targets_keyboard(ctx: Ctx, draft: Draft) -> InlineKeyboardMarkup:
    bindings = await service(ctx).channels.active()
    mark = "✓ "
    rows = [
        [btn((mark if b.id in draft.chats else "") + render.chat_button(b), AnChatCb(id=b.id))]
        for b in bindings
    ]
    rows.append([btn((mark if draft.staff else "") + t("announce-btn-staff"), AnCb(op="staff"))])
    unit = None
    if draft.unit is not None:
        unit = await service(ctx).channels.unit(draft.unit)
    label = t("announce-btn-unit-picked", unit=unit.name) if unit else t("announce-btn-unit")
    rows.append([btn((mark if unit else "") + label, AnCb(op="units"))])
    rows.append([btn(t("announce-btn-preview"), AnCb(op="preview"))])
    return kb(rows)


async def _still_bound(ctx: Ctx, state: FSMContext, draft: Draft) -> Draft:
    """The draft without the chats unbound since they were picked (they are not shown to untick)."""
    active = {b.id for b in await service(ctx).channels.active()}
    if any(c not in active for c in draft.chats):
        draft.chats = [c for c in draft.chats if c in active]
        await keep(state, draft)
    return draft


async def ask_targets(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = await _still_bound(ctx, state, await draft_of(state))
    await state.set_state(AnnounceSG.targets)
    await query.answer()
    await chat_of(query).answer(t("announce-ask-targets"), reply_markup=await targets_keyboard(ctx, draft))


async def toggle_target(
    query: CallbackQuery, callback_data: CallbackData, ctx: Ctx, state: FSMContext
) -> None:
    draft = await draft_of(state)
    markup: InlineKeyboardMarkup | None = None
    if isinstance(callback_data, AnChatCb):
        if callback_data.id not in {b.id for b in await service(ctx).channels.active()}:
            await query.answer(t("button-stale"), show_alert=True)
            return
        chats = [c for c in draft.chats if c != callback_data.id]
        draft.chats = chats if len(chats) < len(draft.chats) else [*chats, callback_data.id]
    elif isinstance(callback_data, AnUnitCb):
        unit = await service(ctx).channels.unit(callback_data.id)
        if unit is None or not unit.active:  # a forged press, or a unit retired meanwhile
            await query.answer(t("button-stale"), show_alert=True)
            return
        draft.unit, draft.staff = callback_data.id, False
    elif isinstance(callback_data, AnCb) and callback_data.op == "staff":
        draft.staff, draft.unit = not draft.staff, None
    else:  # the unit picker
        units = await service(ctx).channels.units()
        markup = kb([[btn(u.name, AnUnitCb(id=u.id))] for u in units])
    await keep(state, draft)
    await query.answer()
    with suppress(TelegramBadRequest):
        await chat_of(query).edit_reply_markup(reply_markup=markup or await targets_keyboard(ctx, draft))


# -- the preview, then now or later ------------------------------------------------------------------
async def preview(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = await draft_of(state)
    svc = service(ctx)
    try:
        bindings = await svc.check_targets(draft)
    except DomainError as e:
        await alert(query, e)
        if isinstance(e, TargetUnbound):  # left out, and the keyboard shows what can still be picked
            draft = await _still_bound(ctx, state, draft)
            with suppress(TelegramBadRequest):
                await chat_of(query).edit_reply_markup(reply_markup=await targets_keyboard(ctx, draft))
        return
    await query.answer()
    message = chat_of(query)
    post = parts(draft.text, draft.photo)
    for part in post:  # exactly what each recipient gets
        if part.method == "photo":
            await message.answer_photo(part.file_id or "", caption=part.text)
        else:
            await message.answer(part.text or "")
    people = [r for r in await svc.recipients(draft.targets()) if r.person is not None]
    unit = await svc.channels.unit(draft.unit) if draft.unit else None
    summary = render.targets(
        bindings,
        len(people) if draft.staff else None,
        (unit.name, len(people)) if unit else None,
        len(bindings) + len(people),
        messages=len(post),
    )
    await state.set_state(AnnounceSG.preview)
    markup = ops(("now", "announce-btn-now"), ("later", "announce-btn-later"), ("back", "announce-btn-back"))
    await message.answer(summary, reply_markup=markup)


async def send_now(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await _send_now(query, ctx, state, quiet_ok=False)


async def _send_now(query: CallbackQuery, ctx: Ctx, state: FSMContext, *, quiet_ok: bool) -> None:
    try:
        _, report = await service(ctx).send(await draft_of(state), chat_of(query).chat.id, quiet_ok=quiet_ok)
    except QuietTime as e:
        await query.answer()
        await _ask_quiet(chat_of(query), e)
        return
    except DomainError as e:
        await alert(query, e)
        return  # the conversation stays: the sender can choose other targets
    await state.clear()
    await query.answer()
    with suppress(TelegramBadRequest):
        await chat_of(query).edit_text(t("announce-sending", total=grouped(report.total)))


async def ask_when(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await state.set_state(AnnounceSG.when)
    await query.answer()
    await chat_of(query).answer(t("announce-ask-when", example=example_when(ctx.clock.now(), ctx.clock.tz)))


async def got_when(message: Message, ctx: Ctx, state: FSMContext) -> None:
    try:
        when = parse_when(message.text or "", ctx)
        b = await service(ctx).schedule(await draft_of(state), when, message.chat.id)
    except QuietTime as e:
        await state.update_data(at=when.isoformat())
        await _ask_quiet(message, e)
        return  # the step stays: the sender confirms, or types another time
    except DomainError as e:
        await message.answer(e.text())
        return
    await _scheduled(message, state, b)


async def _ask_quiet(message: Message, e: QuietTime) -> None:
    """In the quiet hours: go on anyway, or at their end."""
    keep_key = "announce-btn-quiet-now" if e.when is None else "announce-btn-quiet-keep"
    rows = [
        [btn(t(keep_key), AnCb(op="qok"))],
        [btn(t("announce-btn-quiet-end", until=fmt_when(e.until)), AnCb(op="qend"))],
    ]
    await message.answer(e.text(), reply_markup=kb(rows))


async def quiet_ok(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    """ "Vẫn gửi ngay" / "Vẫn hẹn giờ này": what the sender chose in the quiet hours, confirmed."""
    if await state.get_state() == AnnounceSG.preview.state:
        await _send_now(query, ctx, state, quiet_ok=True)
        return
    at = (await state.get_data()).get("at")
    if not at:
        await query.answer(t("button-stale"), show_alert=True)
        return
    await _schedule_at(query, ctx, state, datetime.fromisoformat(at), quiet_ok=True)


async def quiet_end(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    """ "Hẹn lúc 07:00 …": the end of the quiet hours that hold now (or the time typed)."""
    at = (await state.get_data()).get("at") if await state.get_state() == AnnounceSG.when.state else None
    when = datetime.fromisoformat(at) if at else ctx.clock.now()
    window = quiet_window(ctx, when)
    if window is None:  # the quiet hours are over: the choice is no longer needed
        await query.answer(t("button-stale"), show_alert=True)
        return
    await _schedule_at(query, ctx, state, window[1], quiet_ok=False)


async def _schedule_at(
    query: CallbackQuery, ctx: Ctx, state: FSMContext, when: datetime, *, quiet_ok: bool
) -> None:
    try:
        b = await service(ctx).schedule(
            await draft_of(state), when, chat_of(query).chat.id, quiet_ok=quiet_ok
        )
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    with suppress(TelegramBadRequest):
        await chat_of(query).edit_reply_markup(reply_markup=None)
    await _scheduled(chat_of(query), state, b)


async def _scheduled(message: Message, state: FSMContext, b: Broadcast) -> None:
    await state.clear()
    markup = kb([[btn(t("announce-btn-unschedule"), BcCb(op="x", id=b.id))]])
    await message.answer(t("announce-scheduled", when=fmt_when(b.scheduled_at)), reply_markup=markup)  # type: ignore[arg-type]


# -- what is waiting, and the buttons of queued messages -----------------------------------------------------
async def show_waiting(message: Message, ctx: Ctx) -> None:
    """The sender's posts not started yet, each with its buttons: cancel, or (overdue) send now."""
    for b in await service(ctx).waiting():
        when = fmt_when(b.scheduled_at)  # type: ignore[arg-type]
        if b.state == "overdue":
            rows = [
                [btn(t("announce-btn-now"), BcCb(op="s", id=b.id))],
                [btn(t("announce-btn-drop"), BcCb(op="x", id=b.id))],
            ]
            await message.answer(t("announce-overdue-item", when=when), reply_markup=kb(rows))
        else:
            markup = kb([[btn(t("announce-btn-unschedule"), BcCb(op="x", id=b.id))]])
            await message.answer(t("announce-scheduled-item", when=when), reply_markup=markup)


async def press_broadcast(query: CallbackQuery, callback_data: BcCb, ctx: Ctx, me: Member) -> None:
    svc = service(ctx)
    op = callback_data.op
    try:
        if op == "x":
            b = await svc.cancel(callback_data.id)
            text = t("announce-unscheduled" if b.started_at is None else "announce-stopping")
        elif op in ("r", "s"):
            report = await (svc.resend if op == "r" else svc.send_overdue)(callback_data.id)
            text = t("announce-resending" if op == "r" else "announce-sending", total=grouped(report.total))
        else:
            rows = await svc.failures(callback_data.id)
            text = ""
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    if op == "f":
        data = failures_csv(rows, me.language)
        await chat_of(query).answer_document(BufferedInputFile(data, filename=t("announce-failures-file")))
        return
    if op == "s" or (op == "x" and b.started_at is None):  # the question's buttons are answered
        with suppress(TelegramBadRequest):
            await chat_of(query).edit_reply_markup(reply_markup=None)
    await chat_of(query).answer(text)
