"""/announce: the union and the secretary announce commended exemplars, verified good deeds or free text to
bound channels and groups and to staff. This room holds the router and the composing steps (what to
announce, the draft, a photo); handlers/announce_send.py the steps from the targets on and the buttons of
queued messages; handlers/announce_ui.py what both share (callback data, states)."""

from __future__ import annotations

from contextlib import suppress
from datetime import date

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is, personal_router
from bot.i18n import t
from bot.services.announce import ANNOUNCE, Draft
from bot.services.announce_draft import MESSAGE_MAX, check_line, check_text, decision_example, parse_decision
from bot.text import esc, sender_html, split_message
from handlers import announce_send as send
from handlers.announce_ui import (
    AnCb,
    AnChatCb,
    AnDeedCb,
    AnnounceSG,
    AnPickCb,
    AnTitleCb,
    AnUnitCb,
    BcCb,
    btn,
    chat_of,
    draft_of,
    kb,
    keep,
    ops,
    service,
)
from handlers.render import announce as render

__all__ = ["AnnounceSG", "BcCb", "router"]

register_command("announce", ANNOUNCE, "announce-cmd", order=51)


def router() -> Router:
    r = personal_router("announce")
    a = Allowed(ANNOUNCE)
    s = StateFilter
    r.message.register(start, Command("announce"), a)
    r.callback_query.register(
        pick_source, s(AnnounceSG.source), AnCb.filter(F.op.in_({"ex", "gd", "tx", "dc"})), a
    )
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
    r.callback_query.register(send.ask_targets, s(AnnounceSG.draft), AnCb.filter(F.op == "targets"), a)
    r.callback_query.register(
        send.toggle_target, s(AnnounceSG.targets), or_f(AnChatCb.filter(), AnUnitCb.filter()), a
    )
    r.callback_query.register(
        send.toggle_target, s(AnnounceSG.targets), AnCb.filter(F.op.in_({"staff", "units"})), a
    )
    r.callback_query.register(send.preview, s(AnnounceSG.targets), AnCb.filter(F.op == "preview"), a)
    r.callback_query.register(back, s(AnnounceSG.preview), AnCb.filter(F.op == "back"), a)
    r.callback_query.register(send.send_now, s(AnnounceSG.preview), AnCb.filter(F.op == "now"), a)
    r.callback_query.register(send.ask_when, s(AnnounceSG.preview), AnCb.filter(F.op == "later"), a)
    r.message.register(send.got_when, s(AnnounceSG.when), TYPED, a)
    quiet = or_f(s(AnnounceSG.preview), s(AnnounceSG.when))
    r.callback_query.register(send.quiet_ok, quiet, AnCb.filter(F.op == "qok"), a)
    r.callback_query.register(send.quiet_end, quiet, AnCb.filter(F.op == "qend"), a)
    r.callback_query.register(send.press_broadcast, BcCb.filter(), a)
    stale = or_f(AnCb.filter(), AnPickCb.filter(), AnTitleCb.filter(), AnDeedCb.filter(), AnChatCb.filter())
    r.callback_query.register(stale_button, or_f(stale, AnUnitCb.filter()))
    return r


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(t("button-stale"), show_alert=True)


# -- 1. what to announce -----------------------------------------------------------------------------------
async def start(message: Message, ctx: Ctx, state: FSMContext) -> None:
    await state.clear()
    await state.set_state(AnnounceSG.source)
    await state.update_data(**Draft().as_state())
    await message.answer(
        t("announce-ask-source"),
        reply_markup=ops(
            ("ex", "announce-btn-exemplars"),
            ("dc", "announce-btn-decision"),
            ("gd", "announce-btn-deeds"),
            ("tx", "announce-btn-text"),
        ),
    )
    await send.show_waiting(message, ctx)  # what is waiting can be cancelled (or sent) from here


async def pick_source(query: CallbackQuery, callback_data: AnCb, ctx: Ctx, state: FSMContext) -> None:
    draft = await draft_of(state)
    await query.answer()
    if callback_data.op == "tx":
        draft.source = "text"
        await keep(state, draft, AnnounceSG.text)
        await chat_of(query).answer(t("announce-ask-text"))
    elif callback_data.op == "dc":  # a recorded decision: its commended, by the decisions room's button
        from handlers.decisions.recording import decision_buttons

        markup = await decision_buttons(ctx)
        await chat_of(query).answer(
            t("announce-ask-decision-pick" if markup else "announce-no-decision"), reply_markup=markup
        )
    elif callback_data.op == "ex":
        draft.source = "exemplars"
        await keep(state, draft, AnnounceSG.who)
        await chat_of(query).answer(t("announce-ask-who"))
    else:
        draft.source = "good_deeds"
        await keep(state, draft, AnnounceSG.deeds)
        await _show_deeds(chat_of(query), ctx, draft, edit=False)


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
    rows = [[btn(name, AnPickCb(k=k, id=i))] for k, i, name in found]  # type: ignore[arg-type]
    await message.answer(t("announce-search-pick"), reply_markup=kb(rows))


async def pick_who(query: CallbackQuery, callback_data: AnPickCb, ctx: Ctx, state: FSMContext) -> None:
    """A person or a unit: the titles offered are those given to that subject (individual, collective)."""
    name = await service(ctx).name_of(callback_data.k, callback_data.id)
    titles = await service(ctx).titles(callback_data.k)
    if name is None:
        await query.answer(t("button-stale"), show_alert=True)
        return
    if not titles:  # the plan gives nothing to this subject (a unit, a person)
        await query.answer(
            t("announce-no-titles", whom=t(f"announce-whom-{callback_data.k}")), show_alert=True
        )
        return
    await query.answer()
    await state.update_data(cur={"k": callback_data.k, "id": callback_data.id, "n": name})
    await state.set_state(AnnounceSG.title)
    en = ctx.actor is not None and ctx.actor.language == "en"
    rows = [[btn(c.name_en if en else c.name_vi, AnTitleCb(id=c.id))] for c in titles]
    await chat_of(query).answer(t("announce-ask-title", name=esc(name)), reply_markup=kb(rows))


async def pick_title(query: CallbackQuery, callback_data: AnTitleCb, ctx: Ctx, state: FSMContext) -> None:
    cur = dict((await state.get_data()).get("cur") or {})
    if callback_data.id not in {c.id for c in await service(ctx).titles(cur.get("k", ""))}:
        await query.answer(t("button-stale"), show_alert=True)  # forged, or another subject's title
        return
    cur["c"] = callback_data.id
    await state.update_data(cur=cur)
    await state.set_state(AnnounceSG.achievement)
    await query.answer()
    await chat_of(query).answer(t("announce-ask-achievement", name=esc(cur.get("n", ""))))


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
    await keep(state, draft, AnnounceSG.more, cur=None)
    markup = ops(("more", "announce-btn-more"), ("done", "announce-btn-done"))
    await message.answer(render.picked(len(draft.picks)), reply_markup=markup)


async def add_more(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.who)
    await query.answer()
    await chat_of(query).answer(t("announce-ask-who"))


async def ask_decision(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.decision)
    await query.answer()
    text = t("announce-ask-decision", example=decision_example(ctx.clock.today()))
    await chat_of(query).answer(text, reply_markup=ops(("skip", "announce-btn-skip")))


async def got_decision(message: Message, ctx: Ctx, state: FSMContext) -> None:
    try:
        number, day = parse_decision(message.text or "", ctx.clock.today())
    except DomainError as e:
        await message.answer(e.text())
        return  # the step stays: the sender types it again
    draft = await draft_of(state)
    draft.decision = [number, day.isoformat()]
    await _compose(message, ctx, state, draft)


async def skip_decision(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    await query.answer()
    await _compose(chat_of(query), ctx, state, await draft_of(state))


# -- good deeds -----------------------------------------------------------------------------------------
async def _show_deeds(message: Message, ctx: Ctx, draft: Draft, *, edit: bool) -> None:
    deeds = await service(ctx).deeds()
    if not deeds:
        await message.answer(t("announce-no-deeds"))
        return
    picked = {p["id"] for p in draft.picks}
    rows = [
        [btn(("✓ " if d.id in picked else "") + f"{who}: {d.text[:40]}", AnDeedCb(id=d.id))]
        for d, who in deeds
    ]
    rows.append([btn(t("announce-btn-done"), AnCb(op="done"))])
    if edit:
        with suppress(TelegramBadRequest):
            await message.edit_reply_markup(reply_markup=kb(rows))
    else:
        await message.answer(t("announce-ask-deeds"), reply_markup=kb(rows))


async def toggle_deed(query: CallbackQuery, callback_data: AnDeedCb, ctx: Ctx, state: FSMContext) -> None:
    if callback_data.id not in {d.id for d, _ in await service(ctx).deeds()}:
        await query.answer(t("button-stale"), show_alert=True)
        return
    draft = await draft_of(state)
    picks = [p for p in draft.picks if p["id"] != callback_data.id]
    draft.picks = picks if len(picks) < len(draft.picks) else [*picks, {"id": callback_data.id}]
    await keep(state, draft)
    await query.answer()
    await _show_deeds(chat_of(query), ctx, draft, edit=True)


async def deeds_done(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    draft = await draft_of(state)
    if not draft.picks:
        await query.answer(t("announce-pick-a-deed"), show_alert=True)
        return
    await query.answer()
    await _compose(chat_of(query), ctx, state, draft)


# -- 2. the draft ---------------------------------------------------------------------------------------
async def _compose(message: Message, ctx: Ctx, state: FSMContext, draft: Draft) -> None:
    """The draft from the catalogue's template."""
    locale = ctx.actor.language if ctx.actor else None
    decision = (draft.decision[0], date.fromisoformat(draft.decision[1])) if draft.decision else None
    exemplars = await service(ctx).exemplars(draft, locale)
    draft.text = render.draft(draft.source, exemplars, decision, locale)
    await _show_draft(message, state, draft)


async def _show_draft(message: Message, state: FSMContext, draft: Draft) -> None:
    await keep(state, draft, AnnounceSG.draft)
    for part in split_message(draft.text, MESSAGE_MAX):  # a long draft in parts, as it will be posted
        await message.answer(part)
    photo_key = "announce-btn-photo-change" if draft.photo else "announce-btn-photo"
    markup = ops(("edit", "announce-btn-edit"), ("photo", photo_key), ("targets", "announce-btn-targets"))
    await message.answer(t("announce-draft-hint"), reply_markup=markup)


async def got_text(message: Message, state: FSMContext) -> None:
    """Free text, or an edited draft: the sender's own formatting is kept (the message's HTML form)."""
    try:
        text = check_text(sender_html(message.html_text))
    except DomainError as e:
        await message.answer(e.text())
        return
    draft = await draft_of(state)
    draft.text = text
    await _show_draft(message, state, draft)


async def ask_edit(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.edit)
    await query.answer()
    await chat_of(query).answer(t("announce-ask-edit"))


# -- 3. a photo -----------------------------------------------------------------------------------------
async def ask_photo(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AnnounceSG.photo)
    await query.answer()
    await chat_of(query).answer(
        t("announce-ask-photo"), reply_markup=ops(("nophoto", "announce-btn-nophoto"))
    )


async def got_photo(message: Message, state: FSMContext) -> None:
    draft = await draft_of(state)
    draft.photo = message.photo[-1].file_id  # type: ignore[index]
    await _show_draft(message, state, draft)


async def no_photo(query: CallbackQuery, state: FSMContext) -> None:
    draft = await draft_of(state)
    draft.photo = None
    await query.answer()
    await _show_draft(chat_of(query), state, draft)


async def wrong_photo(message: Message) -> None:
    await message.answer(t("announce-photo-wrong"))


# -- 4. back from the preview -----------------------------------------------------------------------------
async def back(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await _show_draft(chat_of(query), state, await draft_of(state))
