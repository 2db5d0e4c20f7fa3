"""/announce: the union and the secretary announce commended exemplars, verified good deeds or free text to
bound channels and groups and to staff; the live progress message's buttons (stop, failures, re-send)."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Literal

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.clock import example_when, fmt_when
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.exports.announce import failures_csv
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is, personal_router
from bot.i18n import grouped, t
from bot.roles import Member
from bot.services.announce import (
    ANNOUNCE,
    MESSAGE_MAX,
    BroadcastService,
    Draft,
    TargetUnbound,
    check_line,
    check_text,
    parse_decision,
    parts,
)
from bot.text import esc, plain, sender_html, split_message
from handlers.render import announce as render

register_command("announce", ANNOUNCE, "announce-cmd", order=51)


class AnCb(CallbackData, prefix="an"):
    op: Literal[
        "ex", "gd", "tx", "more", "done", "skip", "edit", "photo", "nophoto", "targets", "staff", "units",
        "preview", "now", "later", "back",
    ]  # fmt: skip


class AnPickCb(CallbackData, prefix="anp"):
    k: Literal["p", "u"]
    id: int


class AnTitleCb(CallbackData, prefix="ant"):
    id: int


class AnDeedCb(CallbackData, prefix="and"):
    id: int


class AnChatCb(CallbackData, prefix="anc"):
    id: int


class AnUnitCb(CallbackData, prefix="anu"):
    id: int


class BcCb(CallbackData, prefix="bcf"):  # bot.services.announce.bc_data builds these for queued messages
    op: Literal["x", "f", "r"]
    id: int


class AnnounceSG(StatesGroup):
    source = State()
    who = State()
    title = State()
    achievement = State()
    more = State()
    decision = State()
    deeds = State()
    text = State()
    draft = State()
    edit = State()
    photo = State()
    targets = State()
    preview = State()
    when = State()


conversation(AnnounceSG, "announce-flow")


def _btn(text: str, cb: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=cb.pack())


def _kb(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _ops(*ops: tuple[str, str]) -> InlineKeyboardMarkup:
    return _kb([[_btn(t(key), AnCb(op=op))] for op, key in ops])  # type: ignore[arg-type]


def router() -> Router:
    r = personal_router("announce")
    a = Allowed(ANNOUNCE)
    s = StateFilter
    r.message.register(start, Command("announce"), a)
    r.callback_query.register(pick_source, s(AnnounceSG.source), AnCb.filter(F.op.in_({"ex", "gd", "tx"})), a)
    r.message.register(search, s(AnnounceSG.who), TYPED, a)
    r.callback_query.register(pick_who, s(AnnounceSG.who), AnPickCb.filter(), a)
    r.callback_query.register(pick_title, s(AnnounceSG.title), AnTitleCb.filter(), a)
    r.message.register(got_achievement, s(AnnounceSG.achievement), TYPED, a)
    r.callback_query.register(add_more, s(AnnounceSG.more), AnCb.filter(F.op == "more"), a)
    r.callback_query.register(ask_decision, s(AnnounceSG.more), AnCb.filter(F.op == "done"), a)
    r.message.register(got_decision, s(AnnounceSG.decision), TYPED, a)
    r.callback_query.register(skip_decision, s(AnnounceSG.decision), AnCb.filter(F.op == "skip"), a)
    r.callback_query.register(toggle_deed, s(AnnounceSG.deeds), AnDeedCb.filter(), a)
    r.callback_query.register(deeds_done, s(AnnounceSG.deeds), AnCb.filter(F.op == "done"), a)
    r.message.register(got_text, or_f(s(AnnounceSG.text), s(AnnounceSG.edit)), TYPED, a)
    r.callback_query.register(ask_edit, s(AnnounceSG.draft), AnCb.filter(F.op == "edit"), a)
    r.callback_query.register(ask_photo, s(AnnounceSG.draft), AnCb.filter(F.op == "photo"), a)
    r.message.register(got_photo, s(AnnounceSG.photo), Is(F.photo), a)
    r.callback_query.register(no_photo, s(AnnounceSG.photo), AnCb.filter(F.op == "nophoto"), a)
    r.message.register(wrong_photo, s(AnnounceSG.photo), NOT_COMMAND, a)
    r.callback_query.register(ask_targets, s(AnnounceSG.draft), AnCb.filter(F.op == "targets"), a)
    r.callback_query.register(
        toggle_target, s(AnnounceSG.targets), or_f(AnChatCb.filter(), AnUnitCb.filter()), a
    )
    r.callback_query.register(
        toggle_target, s(AnnounceSG.targets), AnCb.filter(F.op.in_({"staff", "units"})), a
    )
    r.callback_query.register(preview, s(AnnounceSG.targets), AnCb.filter(F.op == "preview"), a)
    r.callback_query.register(back, s(AnnounceSG.preview), AnCb.filter(F.op == "back"), a)
    r.callback_query.register(send_now, s(AnnounceSG.preview), AnCb.filter(F.op == "now"), a)
    r.callback_query.register(ask_when, s(AnnounceSG.preview), AnCb.filter(F.op == "later"), a)
    r.message.register(got_when, s(AnnounceSG.when), TYPED, a)
    r.callback_query.register(press_broadcast, BcCb.filter(), a)
    stale = or_f(AnCb.filter(), AnPickCb.filter(), AnTitleCb.filter(), AnDeedCb.filter(), AnChatCb.filter())
    r.callback_query.register(stale_button, or_f(stale, AnUnitCb.filter()))
    return r


def service(ctx: Ctx) -> BroadcastService:
    return BroadcastService(ctx)


async def _draft(state: FSMContext) -> Draft:
    return Draft.from_state(await state.get_data())


async def _keep(state: FSMContext, draft: Draft, next_state: State | None = None, **extra: object) -> None:
    await state.update_data(**draft.as_state(), **extra)
    if next_state is not None:
        await state.set_state(next_state)


def _chat(event: Message | CallbackQuery) -> Message:
    msg = event if isinstance(event, Message) else event.message
    assert isinstance(msg, Message)
    return msg


async def _alert(query: CallbackQuery, e: DomainError) -> None:
    """A refusal as an alert: plain text (an alert shows no HTML) within Telegram's 200 characters."""
    await query.answer(plain(e.text())[:200], show_alert=True)


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(t("button-stale"), show_alert=True)


# -- 1. what to announce -----------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(AnnounceSG.source)
    await state.update_data(**Draft().as_state())
    await message.answer(
        t("announce-ask-source"),
        reply_markup=_ops(
            ("ex", "announce-btn-exemplars"), ("gd", "announce-btn-deeds"), ("tx", "announce-btn-text")
        ),
    )
    for b in await service(ctx).scheduled():  # what is waiting can be cancelled from here
        text = t("announce-scheduled-item", when=fmt_when(b.scheduled_at))  # type: ignore[arg-type]
        await message.answer(
            text, reply_markup=_kb([[_btn(t("announce-btn-unschedule"), BcCb(op="x", id=b.id))]])
        )


async def pick_source(query: CallbackQuery, callback_data: AnCb, ctx: Ctx, state: FSMContext) -> None:
    draft = await _draft(state)
    await query.answer()
    if callback_data.op == "tx":
        draft.source = "text"
        await _keep(state, draft, AnnounceSG.text)
        await _chat(query).answer(t("announce-ask-text"))
    elif callback_data.op == "ex":
        draft.source = "exemplars"
        await _keep(state, draft, AnnounceSG.who)
        await _chat(query).answer(t("announce-ask-who"))
    else:
        draft.source = "good_deeds"
        await _keep(state, draft, AnnounceSG.deeds)
        await _show_deeds(_chat(query), ctx, draft, edit=False)


# -- exemplars: name search, title, achievement ---------------------------------------------------------
async def search(message: Message, ctx: Ctx) -> None:
    try:
        found = await service(ctx).search(message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    if not found:
        await message.answer(t("announce-search-none"))
        return
    rows = [[_btn(name, AnPickCb(k=k, id=i))] for k, i, name in found]  # type: ignore[arg-type]
    await message.answer(t("announce-search-pick"), reply_markup=_kb(rows))


async def pick_who(query: CallbackQuery, callback_data: AnPickCb, ctx: Ctx, state: FSMContext) -> None:
    name = await service(ctx).name_of(callback_data.k, callback_data.id)
    titles = await service(ctx).titles()
    if name is None or not titles:
        await query.answer(t("announce-no-titles" if name else "button-stale"), show_alert=True)
        return
    await query.answer()
    await state.update_data(cur={"k": callback_data.k, "id": callback_data.id, "n": name})
    await state.set_state(AnnounceSG.title)
    en = ctx.actor is not None and ctx.actor.language == "en"
    rows = [[_btn(c.name_en if en else c.name_vi, AnTitleCb(id=c.id))] for c in titles]
    await _chat(query).answer(t("announce-ask-title", name=esc(name)), reply_markup=_kb(rows))


async def pick_title(query: CallbackQuery, callback_data: AnTitleCb, ctx: Ctx, state: FSMContext) -> None:
    if callback_data.id not in {c.id for c in await service(ctx).titles()}:
        await query.answer(t("button-stale"), show_alert=True)
        return
    data = await state.get_data()
    cur = dict(data.get("cur") or {}, c=callback_data.id)
    await state.update_data(cur=cur)
    await state.set_state(AnnounceSG.achievement)
    await query.answer()
    await _chat(query).answer(t("announce-ask-achievement", name=esc(cur.get("n", ""))))


async def got_achievement(message: Message, state: FSMContext) -> None:
    try:
        line = check_line(message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    data = await state.get_data()
    draft = Draft.from_state(data)
    cur = data.get("cur") or {}
    draft.picks.append({"k": cur["k"], "id": cur["id"], "c": cur["c"], "a": line})
    await _keep(state, draft, AnnounceSG.more, cur=None)
    markup = _ops(("more", "announce-btn-more"), ("done", "announce-btn-done"))
    await message.answer(render.picked(len(draft.picks)), reply_markup=markup)


async def add_more(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.who)
    await query.answer()
    await _chat(query).answer(t("announce-ask-who"))


async def ask_decision(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.decision)
    await query.answer()
    await _chat(query).answer(t("announce-ask-decision"), reply_markup=_ops(("skip", "announce-btn-skip")))


async def got_decision(message: Message, ctx: Ctx, state: FSMContext) -> None:
    try:
        number, day = parse_decision(message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = await _draft(state)
    draft.decision = [number, day.isoformat()]
    await _compose(message, ctx, state, draft)


async def skip_decision(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await _compose(_chat(query), ctx, state, await _draft(state))


# -- good deeds -----------------------------------------------------------------------------------------
async def _show_deeds(message: Message, ctx: Ctx, draft: Draft, *, edit: bool) -> None:
    deeds = await service(ctx).deeds()
    if not deeds:
        await message.answer(t("announce-no-deeds"))
        return
    picked = {p["id"] for p in draft.picks}
    rows = [
        [_btn(("✓ " if d.id in picked else "") + f"{who}: {d.text[:40]}", AnDeedCb(id=d.id))]
        for d, who in deeds
    ]
    rows.append([_btn(t("announce-btn-done"), AnCb(op="done"))])
    if edit:
        with suppress(TelegramBadRequest):
            await message.edit_reply_markup(reply_markup=_kb(rows))
    else:
        await message.answer(t("announce-ask-deeds"), reply_markup=_kb(rows))


async def toggle_deed(query: CallbackQuery, callback_data: AnDeedCb, ctx: Ctx, state: FSMContext) -> None:
    if callback_data.id not in {d.id for d, _ in await service(ctx).deeds()}:
        await query.answer(t("button-stale"), show_alert=True)
        return
    draft = await _draft(state)
    picks = [p for p in draft.picks if p["id"] != callback_data.id]
    draft.picks = picks if len(picks) < len(draft.picks) else [*picks, {"id": callback_data.id}]
    await _keep(state, draft)
    await query.answer()
    await _show_deeds(_chat(query), ctx, draft, edit=True)


async def deeds_done(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = await _draft(state)
    if not draft.picks:
        await query.answer(t("announce-pick-a-deed"), show_alert=True)
        return
    await query.answer()
    await _compose(_chat(query), ctx, state, draft)


# -- 2. the draft ---------------------------------------------------------------------------------------
async def _compose(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    """The draft from the catalogue's template."""
    locale = ctx.actor.language if ctx.actor else None
    decision = (draft.decision[0], date.fromisoformat(draft.decision[1])) if draft.decision else None
    exemplars = await service(ctx).exemplars(draft, locale)
    draft.text = render.draft(draft.source, exemplars, decision, locale)
    await _show_draft(message, state, draft)


async def _show_draft(message: Message, state: FSMContext, draft: Draft) -> None:
    await _keep(state, draft, AnnounceSG.draft)
    for part in split_message(draft.text, MESSAGE_MAX):  # a long draft in parts, as it will be posted
        await message.answer(part)
    photo_key = "announce-btn-photo-change" if draft.photo else "announce-btn-photo"
    markup = _ops(("edit", "announce-btn-edit"), ("photo", photo_key), ("targets", "announce-btn-targets"))
    await message.answer(t("announce-draft-hint"), reply_markup=markup)


async def got_text(message: Message, state: FSMContext) -> None:
    """Free text, or an edited draft: the sender's own formatting is kept (the message's HTML form)."""
    try:
        text = check_text(sender_html(message.html_text))
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = await _draft(state)
    draft.text = text
    await _show_draft(message, state, draft)


async def ask_edit(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.edit)
    await query.answer()
    await _chat(query).answer(t("announce-ask-edit"))


# -- 3. a photo -----------------------------------------------------------------------------------------
async def ask_photo(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.photo)
    await query.answer()
    await _chat(query).answer(t("announce-ask-photo"), reply_markup=_ops(("nophoto", "announce-btn-nophoto")))


async def got_photo(message: Message, state: FSMContext) -> None:
    draft = await _draft(state)
    draft.photo = message.photo[-1].file_id  # type: ignore[index]
    await _show_draft(message, state, draft)


async def no_photo(query: CallbackQuery, state: FSMContext) -> None:
    draft = await _draft(state)
    draft.photo = None
    await query.answer()
    await _show_draft(_chat(query), state, draft)


async def wrong_photo(message: Message) -> None:
    await message.answer(t("announce-photo-wrong"))


# -- 4. the targets -------------------------------------------------------------------------------------
async def _targets_keyboard(ctx: Ctx, draft: Draft) -> InlineKeyboardMarkup:
    bindings = await service(ctx).channels.active()
    mark = "✓ "
    rows = [
        [_btn((mark if b.id in draft.chats else "") + render.chat_button(b), AnChatCb(id=b.id))]
        for b in bindings
    ]
    rows.append([_btn((mark if draft.staff else "") + t("announce-btn-staff"), AnCb(op="staff"))])
    unit = None
    if draft.unit is not None:
        unit = await service(ctx).channels.unit(draft.unit)
    label = t("announce-btn-unit-picked", unit=unit.name) if unit else t("announce-btn-unit")
    rows.append([_btn((mark if unit else "") + label, AnCb(op="units"))])
    rows.append([_btn(t("announce-btn-preview"), AnCb(op="preview"))])
    return _kb(rows)


async def _still_bound(ctx: Ctx, state: FSMContext, draft: Draft) -> Draft:
    """The draft without the chats unbound since they were picked (they are not shown to untick)."""
    active = {b.id for b in await service(ctx).channels.active()}
    if any(c not in active for c in draft.chats):
        draft.chats = [c for c in draft.chats if c in active]
        await _keep(state, draft)
    return draft


async def ask_targets(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = await _still_bound(ctx, state, await _draft(state))
    await state.set_state(AnnounceSG.targets)
    await query.answer()
    await _chat(query).answer(t("announce-ask-targets"), reply_markup=await _targets_keyboard(ctx, draft))


async def toggle_target(
    query: CallbackQuery, callback_data: CallbackData, ctx: Ctx, state: FSMContext
) -> None:
    draft = await _draft(state)
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
        markup = _kb([[_btn(u.name, AnUnitCb(id=u.id))] for u in units])
    await _keep(state, draft)
    await query.answer()
    with suppress(TelegramBadRequest):
        await _chat(query).edit_reply_markup(reply_markup=markup or await _targets_keyboard(ctx, draft))


# -- 5. the preview, then now or later ------------------------------------------------------------------
async def preview(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = await _draft(state)
    svc = service(ctx)
    try:
        bindings = await svc.check_targets(draft)
    except DomainError as e:
        await _alert(query, e)
        if isinstance(e, TargetUnbound):  # left out, and the keyboard shows what can still be picked
            draft = await _still_bound(ctx, state, draft)
            with suppress(TelegramBadRequest):
                await _chat(query).edit_reply_markup(reply_markup=await _targets_keyboard(ctx, draft))
        return
    await query.answer()
    message = _chat(query)
    for part in parts(draft.text, draft.photo):  # exactly what each recipient gets
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
    )
    await state.set_state(AnnounceSG.preview)
    markup = _ops(("now", "announce-btn-now"), ("later", "announce-btn-later"), ("back", "announce-btn-back"))
    await message.answer(summary, reply_markup=markup)


async def back(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await _show_draft(_chat(query), state, await _draft(state))


async def send_now(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    try:
        _, report = await service(ctx).send(await _draft(state), _chat(query).chat.id)
    except DomainError as e:
        await _alert(query, e)
        return  # the conversation stays: the sender can choose other targets
    await state.clear()
    await query.answer()
    with suppress(TelegramBadRequest):
        await _chat(query).edit_text(t("announce-sending", total=grouped(report.total)))


async def ask_when(query: CallbackQuery, state: FSMContext, ctx: Ctx) -> None:
    await state.set_state(AnnounceSG.when)
    await query.answer()
    await _chat(query).answer(t("announce-ask-when", example=example_when(ctx.clock.now(), ctx.clock.tz)))


async def got_when(message: Message, ctx: Ctx, state: FSMContext) -> None:
    try:
        b = await service(ctx).schedule(await _draft(state), message.text or "", message.chat.id)
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.clear()
    markup = _kb([[_btn(t("announce-btn-unschedule"), BcCb(op="x", id=b.id))]])
    await message.answer(t("announce-scheduled", when=fmt_when(b.scheduled_at)), reply_markup=markup)  # type: ignore[arg-type]


# -- the progress message's buttons -----------------------------------------------------------------------
async def press_broadcast(query: CallbackQuery, callback_data: BcCb, ctx: Ctx, me: Member) -> None:
    svc = service(ctx)
    try:
        if callback_data.op == "x":
            b = await svc.cancel(callback_data.id)
            text = t("announce-unscheduled" if b.started_at is None else "announce-stopping")
        elif callback_data.op == "r":
            report = await svc.resend(callback_data.id)
            text = t("announce-resending", total=grouped(report.total))
        else:
            rows = await svc.failures(callback_data.id)
            text = ""
    except DomainError as e:
        await _alert(query, e)
        return
    await query.answer()
    if callback_data.op == "f":
        data = failures_csv(rows, me.language)
        await _chat(query).answer_document(BufferedInputFile(data, filename=t("announce-failures-file")))
    else:
        await _chat(query).answer(text)
