"""Reminders (issue 13): the act-now buttons of a reminder, /reminders for the secretary, /settings.

- A reminder's button ("Đăng ký ngay", "Đề xuất ngay", "Xem việc chờ duyệt") starts the missing action
  right away, as its command would: the authority is checked again there.
- /reminders: the reminders of the next 14 days with their expected recipients, a manual nudge per rule
  ("Nhắc ngay"), pausing a school year or a round, and who muted what.
- /settings: mute or unmute the review days' announcements; one's own missing duties cannot be muted.

The due work (bot/due.py) is registered here, where the router is built, with the texts it words through.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Literal

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
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
from bot.due import DueContext, due_work, unit_of_work
from bot.errors import DomainError
from bot.exports.announce import failures_csv
from bot.filters import TYPED, Allowed, personal_router
from bot.i18n import get_i18n, t
from bot.roles import Action, Member, can
from bot.services.nomination import NominationService
from bot.services.reminder_events import CeremonyBadPlace, CeremonyPast, Event, ReminderEvents
from bot.services.reminder_failures import ReminderFailures
from bot.services.reminders import MANAGE, MUTABLE, SETTINGS, ReminderService, Upcoming
from bot.text import esc, split_message
from handlers.keyboards import button as _btn
from handlers.render.reminders import TEXTS, gave_up_label, gave_up_line, nudge_label, upcoming_line
from storage.models.plan import PlanRound, PlanSchoolYear

register_command("reminders", MANAGE, "reminder-cmd-list", order=52)
register_command("settings", SETTINGS, "reminder-cmd-settings", order=89)


class RemActCb(CallbackData, prefix="rm"):
    # pend: all of /pending (older summaries); preg, pdeed, prep: one of its lists; stat: the unit's /status
    act: Literal["reg", "nom", "pend", "preg", "pdeed", "prep", "stat"]


class RemCb(CallbackData, prefix="rmn"):
    rule: int
    y: int  # school year id
    s: str  # scope: all | r<round> | u<unit>


class RemPauseCb(CallbackData, prefix="rmp"):
    op: Literal["p", "r"]  # pause | resume
    s: str  # y<school year> | r<round>


class RemMuteCb(CallbackData, prefix="rmm"):
    kind: Literal["review_meeting", "ceremony"]
    op: Literal["m", "u"]  # mute | unmute: what the button asks, so a double tap does not undo it


class RemFailCb(CallbackData, prefix="rmf"):
    """The file of who one deadline's reminders did not reach (≤ 64 bytes: "rmf:registration_close:…")."""

    k: str  # the deadline's kind
    y: str  # the school year's code
    s: str  # all | r<round> | u<unit>


class RemCerCb(CallbackData, prefix="rmc"):
    round: int
    ev: Literal["m", "c"] = "c"  # the council's review meeting | the award ceremony


class RemCeremonySG(StatesGroup):
    when = State()
    place = State()


CEREMONY_PRESS = (RemCerCb.filter(), Allowed(MANAGE))
conversation(RemCeremonySG, "reminder-flow-ceremony", started_by=[CEREMONY_PRESS])


# -- the due work -----------------------------------------------------------------------------------------
@due_work("reminders")
async def send_due_reminders(ctx: DueContext, now: datetime) -> int:
    """Lock the nominations whose window passed, cancel queued reminders whose deadline moved, then queue
    what is due now; how many were queued. The deadlines are read once a tick, for all three."""
    async with unit_of_work(ctx) as c:
        await NominationService(c).lock_due()
        service = ReminderService(c, TEXTS)
        current = await service.occurrences(now)
        await service.cancel_stale(now, current)
    async with unit_of_work(ctx) as c:
        due = await ReminderService(c).due(now, current)
    queued = 0
    for item in due:  # each rule's offset in its own unit of work: one failing does not undo the others
        async with unit_of_work(ctx) as c:
            queued += await ReminderService(c, TEXTS).send(item)
    async with unit_of_work(ctx) as c:
        queued += await ReminderService(c, TEXTS).summaries(now, current)
    return queued


def router() -> Router:
    r = personal_router("reminders")
    r.message.register(listing, Command("reminders"), Allowed(MANAGE))
    r.message.register(settings, Command("settings"), Allowed(SETTINGS))
    r.callback_query.register(act_now, RemActCb.filter(), Allowed("help"))
    r.callback_query.register(nudge, RemCb.filter(), Allowed(MANAGE))
    r.callback_query.register(pause, RemPauseCb.filter(), Allowed(MANAGE))
    r.callback_query.register(toggle_mute, RemMuteCb.filter(), Allowed(SETTINGS))
    r.callback_query.register(failures_file, RemFailCb.filter(), Allowed(MANAGE))
    r.callback_query.register(ceremony_start, *CEREMONY_PRESS)
    r.message.register(ceremony_when, StateFilter(RemCeremonySG.when), TYPED, Allowed(MANAGE))
    r.message.register(ceremony_place, StateFilter(RemCeremonySG.place), TYPED, Allowed(MANAGE))
    return r


def _locale() -> str:
    return get_i18n().current_locale


def _round_name(round_: PlanRound) -> str:
    return (round_.name_en if _locale() == "en" else None) or round_.name_vi


# -- act now ------------------------------------------------------------------------------------------------
async def act_now(
    query: CallbackQuery, callback_data: RemActCb, ctx: Ctx, state: FSMContext, me: Member | None = None
) -> None:
    """Start the missing action as its command would (its own checks answer a person who may not); a
    summary's button opens the list where the head acts, checked again as /pending and /status are."""
    from handlers import good_deed, nomination, pending, registration, status
    from handlers.nomination import report

    act = callback_data.act
    parts = {
        "preg": registration.pending_registrations,
        "pdeed": good_deed.pending_deeds,
        "prep": report.pending_items,
    }
    if (act in parts and not can(me, pending.PENDING)) or (act == "stat" and not can(me, Action.STATUS_UNIT)):
        await query.answer(t("reminder-act-refused"), show_alert=True)  # a forged or stale button
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if act == "reg":
        await registration.start(query.message, ctx, state)
    elif act == "nom":
        await nomination.start(query.message, ctx, state)
    elif act in parts:
        await pending.show_parts(query.message, ctx, [parts[act]])
    elif act == "stat" and me is not None:
        await status.show(query.message, ctx, me)
    else:
        await pending.pending(query.message, ctx)


# -- /reminders ---------------------------------------------------------------------------------------------
async def _listing(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup | None]:
    svc = ReminderService(ctx)
    items = await svc.upcoming()
    paused = await svc.paused_named()
    mutes = await svc.mutes()
    lines = [t("reminder-list-head")]
    lines += [upcoming_line(u, _locale()) for u in items] or [t("reminder-list-none")]
    if mutes:
        lines += ["", t("reminder-muted-head")]
        lines += [
            t("reminder-muted-line", name=name, what=t(f"reminder-mute-{kind}")) for name, kind in mutes
        ]
    gave_up = await ReminderFailures(ctx).listed()
    if gave_up:
        lines += ["", t("reminder-gave-up-head")]
        lines += [gave_up_line(g, _locale()) for g in gave_up]
    events = ReminderEvents(ctx)
    rounds = {"m": await events.rounds("review_meeting"), "c": await events.rounds("ceremony")}
    keyboard = _list_keyboard(items, paused, rounds)
    files = [
        [_btn(gave_up_label(g, _locale()), RemFailCb(k=g.kind, y=g.school_year, s=g.scope))] for g in gave_up
    ]
    if files:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[*(keyboard.inline_keyboard if keyboard else []), *files]
        )
    return "\n".join(lines), keyboard


def _list_keyboard(
    items: list[Upcoming], paused: dict[str, PlanSchoolYear | PlanRound], rounds: dict[str, list[PlanRound]]
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    seen: set[tuple[int, int, str]] = set()
    scopes: dict[str, str] = {}
    for u in items:
        key = (u.rule.id, u.occ.school_year_id, u.occ.scope)
        if key not in seen and u.expected:
            seen.add(key)
            label = nudge_label(u, _locale())
            rows.append([_btn(label, RemCb(rule=u.rule.id, y=u.occ.school_year_id, s=u.occ.scope))])
        scopes.setdefault(f"y{u.occ.school_year_id}", t("reminder-scope-year", year=u.occ.school_year))
        if u.occ.round_id is not None:
            scopes.setdefault(f"r{u.occ.round_id}", u.occ.round_name(_locale()))
    for scope, row in paused.items():  # a paused one with nothing in the next 14 days: named all the same
        if isinstance(row, PlanRound):
            scopes.setdefault(scope, _round_name(row))
        else:
            scopes.setdefault(scope, t("reminder-scope-year", year=row.code))
    for scope in sorted(scopes):
        op: Literal["p", "r"] = "r" if scope in paused else "p"
        label = t(f"reminder-btn-{'resume' if op == 'r' else 'pause'}", what=scopes[scope])
        rows.append([_btn(label, RemPauseCb(op=op, s=scope))])
    for ev, key in (("m", "reminder-btn-meeting"), ("c", "reminder-btn-ceremony")):
        for r in rounds[ev]:
            rows.append([_btn(t(key, round=_round_name(r)), RemCerCb(round=r.id, ev=ev))])  # type: ignore[arg-type]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def listing(message: Message, ctx: Ctx) -> None:
    text, markup = await _listing(ctx)
    parts = split_message(text)
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=markup)


async def nudge(query: CallbackQuery, callback_data: RemCb, ctx: Ctx) -> None:
    try:
        queued, skipped, later = await ReminderService(ctx, TEXTS).nudge(
            callback_data.rule, callback_data.y, callback_data.s
        )
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        text = t("reminder-nudged", queued=queued, skipped=skipped)
        if later is not None:  # the quiet hours hold it
            text = t("reminder-nudged-later", queued=queued, skipped=skipped, when=fmt_when(later))
        await query.message.answer(text)


async def pause(query: CallbackQuery, callback_data: RemPauseCb, ctx: Ctx) -> None:
    try:
        changed = await ReminderService(ctx).set_paused(callback_data.s, callback_data.op == "p")
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer(
        t("reminder-paused" if callback_data.op == "p" else "reminder-resumed") if changed else None
    )
    if isinstance(query.message, Message):  # the list's last part (the one with the buttons), edited
        text, markup = await _listing(ctx)
        with suppress(TelegramBadRequest):  # "message is not modified": a double tap, already shown
            await query.message.edit_text(split_message(text)[-1], reply_markup=markup)


async def failures_file(query: CallbackQuery, callback_data: RemFailCb, ctx: Ctx) -> None:
    """Who a deadline's reminders did not reach, as a broadcast's failures are: a CSV file."""
    try:
        rows = await ReminderFailures(ctx).of(callback_data.k, callback_data.y, callback_data.s)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    if not rows:  # a stale button: since reached another way, or a forged one
        await query.answer(t("reminder-gave-up-none"), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        data = failures_csv(rows, _locale())
        await query.message.answer_document(BufferedInputFile(data, filename=t("announce-failures-file")))


# -- /settings ----------------------------------------------------------------------------------------------
async def _settings(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup]:
    muted = await ReminderService(ctx).my_mutes()
    lines = [t("reminder-settings-head")]
    rows = []
    for kind in MUTABLE:
        state = "off" if kind in muted else "on"
        lines.append(t(f"reminder-settings-{state}", what=t(f"reminder-mute-{kind}")))
        label = t(f"reminder-btn-{'unmute' if kind in muted else 'mute'}", what=t(f"reminder-mute-{kind}"))
        op: Literal["m", "u"] = "u" if kind in muted else "m"
        rows.append([_btn(label, RemMuteCb(kind=kind, op=op))])  # type: ignore[arg-type]
    lines.append(t("reminder-settings-duties"))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def settings(message: Message, ctx: Ctx) -> None:
    text, markup = await _settings(ctx)
    await message.answer(text, reply_markup=markup)


async def toggle_mute(query: CallbackQuery, callback_data: RemMuteCb, ctx: Ctx) -> None:
    muted = await ReminderService(ctx).set_mute(callback_data.kind, callback_data.op == "m")
    await query.answer(t("reminder-muted" if muted else "reminder-unmuted"))
    if isinstance(query.message, Message):
        text, markup = await _settings(ctx)
        with suppress(TelegramBadRequest):  # "message is not modified": the outcome is already shown
            await query.message.edit_text(text, reply_markup=markup)


# -- the review meeting's and the award ceremony's time and place (the secretary, in chat) -----------------
def _event(code: str) -> Event:
    return "review_meeting" if code == "m" else "ceremony"


async def ceremony_start(query: CallbackQuery, callback_data: RemCerCb, ctx: Ctx, state: FSMContext) -> None:
    event = _event(callback_data.ev)
    try:
        round_ = await ReminderEvents(ctx).round(event, callback_data.round)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    await state.set_state(RemCeremonySG.when)
    await state.set_data({"round": round_.id, "ev": callback_data.ev})
    if isinstance(query.message, Message):
        example = example_when(ctx.clock.now(), ctx.clock.tz)
        await query.message.answer(
            t(f"reminder-{event}-ask-when", round=esc(_round_name(round_)), example=example)
        )


async def ceremony_when(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    events, event = ReminderEvents(ctx), _event(data.get("ev", "c"))
    try:
        when = events.check_time(message.text, await events.round(event, int(data["round"])), event)
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.update_data(when=when.isoformat())
    await state.set_state(RemCeremonySG.place)
    await message.answer(t("reminder-ceremony-ask-place"))


async def ceremony_place(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    event = _event(data.get("ev", "c"))
    try:
        round_ = await ReminderEvents(ctx).set(
            event, int(data["round"]), datetime.fromisoformat(data["when"]), message.text or ""
        )
    except DomainError as e:
        await message.answer(e.text())
        if isinstance(e, CeremonyPast):  # the time passed while the place was typed: ask it again
            await state.set_state(RemCeremonySG.when)
        elif not isinstance(e, CeremonyBadPlace):
            await state.clear()
        return
    await state.clear()
    when = round_.review_meeting_at if event == "review_meeting" else round_.ceremony_set_at
    place = round_.review_meeting_place if event == "review_meeting" else round_.ceremony_place
    assert when is not None
    text = t(
        f"reminder-{event}-saved", round=esc(_round_name(round_)), when=fmt_when(when), place=esc(place or "")
    )
    await message.answer(text)
