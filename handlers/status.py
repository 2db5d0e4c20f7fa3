"""/status: one's own acknowledgement and registration; a unit head's unit; the secretary's whole college.

A unit head also gets "Nhắc những người chưa thực hiện" and, for each missing person who has not joined, a
button that creates a new personal invite.
"""

from __future__ import annotations

from typing import Literal

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.clock import fmt_when
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed, personal_router
from bot.i18n import get_i18n, t, tn
from bot.plan import views
from bot.roles import Action, Member, can, units_for
from bot.services.status import (
    CollegeStatus,
    MyStatus,
    NudgeReport,
    OwnRegistration,
    PersonLine,
    Scene,
    StatusService,
    UnitStatus,
    Window,
)
from bot.text import esc, split_message
from handlers import acknowledgement, join_heads, nomination
from handlers.invite import created_text
from handlers.keyboards import button as _btn
from handlers.render import nomination as nomination_render
from handlers.render.status import TEXTS

register_command("status", Action.STATUS_VIEW, "status-cmd", order=25)

INVITE_BUTTONS_MAX = 10  # personal-invite buttons under a unit's status; /invite does the rest


class StatusCb(CallbackData, prefix="st"):
    op: Literal["nudge", "inv"]  # remind the unit's missing people; a new personal invite
    id: int  # the unit (nudge) or the person (inv)


def router() -> Router:
    r = personal_router("status")
    r.message.register(show, Command("status"), Allowed(Action.STATUS_VIEW))
    r.callback_query.register(nudge, StatusCb.filter(F.op == "nudge"), Allowed(Action.STATUS_NUDGE))
    r.callback_query.register(invite, StatusCb.filter(F.op == "inv"), Allowed(Action.STATUS_UNIT))
    r.callback_query.register(not_allowed, StatusCb.filter(), Allowed(Action.STATUS_VIEW))
    return r


def _locale() -> str:
    return get_i18n().current_locale


def pct(value: object) -> str:
    return views.number(value, _locale())  # type: ignore[arg-type]


async def _send(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    parts = split_message(text)
    for i, part in enumerate(parts):
        await message.answer(part, reply_markup=markup if i == len(parts) - 1 else None)


# -- rendering ----------------------------------------------------------------------------------------
def _not_registered(window: Window | None, locale: str) -> str:
    """Not registered, and what the window says (as /register does): open (extended?), not yet, shut."""
    if window is None:
        return t("status-mine-not-registered")
    if window.not_yet:
        return t("status-mine-not-registered-later", opens=fmt_when(window.opens_at, locale))
    if not window.open:
        return t("status-mine-not-registered-closed", closed=fmt_when(window.closes_at, locale))
    key = "status-mine-not-registered-extended" if window.extended else "status-mine-not-registered-open"
    return t(key, closes=fmt_when(window.closes_at, locale))


def _registration_line(reg: OwnRegistration | None, locale: str, window: Window | None = None) -> str:
    if reg is None:
        return _not_registered(window, locale)
    title = esc(views.pick(reg.title, "name", locale)) if reg.title else ""
    line = t(f"status-state-{reg.state}", title=title)
    if reg.state == "returned" and reg.return_reason:
        line += "\n" + t("status-mine-reason", reason=esc(reg.return_reason))
    if reg.state == "endorsed" and reg.decided_at is not None:
        line += " " + t("status-mine-decided", at=fmt_when(reg.decided_at, locale))
    return line


def mine_text(status: MyStatus, locale: str) -> str:
    scene = status.scene
    lines = [t("status-mine-heading")]
    if scene.period is None:
        lines.append(t("status-no-plan"))
    elif status.acknowledged_at is not None:
        lines.append(t("status-mine-acknowledged", at=fmt_when(status.acknowledged_at, locale)))
    else:
        lines.append(t("status-mine-not-acknowledged"))
    if scene.school_year is None:
        lines.append(t("status-no-school-year"))
    else:
        lines.append(t("status-mine-year", year=esc(scene.school_year.code)))
        lines.append(_registration_line(status.registration, locale, status.window))
    if status.history:
        lines += ["", t("status-mine-history")]
        for reg in status.history:
            lines.append(f"• {esc(reg.school_year.code)}: " + _registration_line(reg, locale))
    if status.nominations:  # issue 12: the summary only where the plan lets the nominee read it
        lines += ["", *(nomination_render.status_line(v, locale) for v in status.nominations)]
    return "\n".join(lines)


def _figures(status: UnitStatus, scene: Scene) -> list[str]:
    lines = []
    if scene.period is not None:
        lines.append(
            t(
                "status-acknowledged",
                done=status.acknowledged,
                total=status.roster,
                pct=pct(status.ack_percent),
            )
        )
    if scene.school_year is not None:
        lines.append(
            t(
                "status-registered",
                year=esc(scene.school_year.code),
                done=status.registered,
                total=status.roster,
                pct=pct(status.reg_percent),
            )
        )
        if status.returned:
            lines.append(t("status-returned", n=status.returned))
        if status.window is not None:
            key = "status-window-extended" if status.window.extended else "status-window"
            lines.append(t(key, closes=fmt_when(status.window.closes_at, _locale())))
    return lines


def _person_line(p: PersonLine, scene: Scene) -> str:
    todo = []
    if scene.period is not None and not p.acknowledged:
        todo.append(t("status-todo-ack"))
    if scene.school_year is not None and p.returned:
        todo.append(t("status-todo-fix"))
    elif scene.school_year is not None and not p.registered:
        todo.append(t("status-todo-register"))
    marks = []
    if not p.joined:
        marks.append(t("status-not-joined"))
    elif p.unreachable:
        marks.append(t("status-blocked"))
    mark = f" ({'; '.join(marks)})" if marks else ""
    return f"• {esc(p.name)}{mark} — {', '.join(todo)}"


def unit_heading(status: UnitStatus) -> str:
    """The unit's name, with its code when the name does not already hold it (not "Phòng KHTC (KHTC)")."""
    if not status.code or status.code.casefold() in status.name.casefold():
        return t("status-unit-heading-name", name=esc(status.name))
    return t("status-unit-heading", code=esc(status.code), name=esc(status.name))


def unit_block(status: UnitStatus, scene: Scene) -> str:
    lines = [unit_heading(status), *_figures(status, scene)]
    if status.missing:
        lines.append(
            tn("status-missing", len(status.missing), joined=len(status.missing) - len(status.not_joined))
        )
        lines += [_person_line(p, scene) for p in status.missing]
    elif scene.period is not None or scene.school_year is not None:
        lines.append(t("status-all-done"))
    return "\n".join(lines)


def unit_keyboard(status: UnitStatus, member: Member) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    if any(p.joined for p in status.missing) and can(member, Action.STATUS_NUDGE, status.unit_id):
        rows.append([_btn(t("status-btn-nudge"), StatusCb(op="nudge", id=status.unit_id))])
    for p in status.not_joined[:INVITE_BUTTONS_MAX]:
        rows.append([_btn(t("status-btn-invite", name=p.name), StatusCb(op="inv", id=p.person_id))])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def college_text(college: CollegeStatus) -> str:
    scene = college.scene
    lines = [t("status-college-heading"), *_figures(college.total, scene)]
    if not college.units:
        lines.append(t("status-no-units"))
    if college.empty:
        lines.append(tn("status-empty-units", college.empty))
    blocks = [unit_block(u, scene) for u in college.units]
    return "\n\n".join(["\n".join(lines), *blocks])


def nudge_text(report: NudgeReport) -> str:
    lines = [tn("status-nudged", report.reminded)]
    if report.later is not None and report.reminded:  # the quiet hours hold it until the morning
        lines = [tn("status-nudged-later", report.reminded, when=fmt_when(report.later))]
    if report.already:
        lines.append(tn("status-nudged-already", report.already))
    if report.not_joined:
        lines.append(tn("status-nudged-not-joined", report.not_joined))
    if report.unreachable:
        lines.append(tn("status-nudged-blocked", report.unreachable))
    return "\n".join(lines)


# -- handlers -----------------------------------------------------------------------------------------
async def show(message: Message, ctx: Ctx, me: Member) -> None:
    service = StatusService(ctx, TEXTS)
    locale = _locale()
    mine = await service.mine()
    offer = await acknowledgement.offer(ctx, me.person_id) if mine.scene.period else None
    offer = nomination.with_status_buttons(offer, mine.nominations)  # "Viết báo cáo thành tích" (issue 18)
    await message.answer(mine_text(mine, locale), reply_markup=offer)
    if not can(me, Action.STATUS_UNIT):
        return
    if units_for(me, Action.STATUS_UNIT) is None:  # the secretary: every unit, lowest first
        await _send(message, college_text(await service.college()) + await join_heads.status_line(ctx))
        return
    for unit in await service.units():
        scene, status = await service.unit(unit.id)
        waiting = await join_heads.status_line(ctx, unit.id)  # joins waiting for the head's word
        await _send(message, unit_block(status, scene) + waiting, unit_keyboard(status, me))


async def nudge(query: CallbackQuery, callback_data: StatusCb, ctx: Ctx) -> None:
    try:
        report = await StatusService(ctx, TEXTS).nudge(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(nudge_text(report))


async def invite(query: CallbackQuery, callback_data: StatusCb, ctx: Ctx, bot: Bot) -> None:
    try:
        created = await StatusService(ctx, TEXTS).invite(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await query.answer()
    me = await bot.me()
    if isinstance(query.message, Message) and created.person is not None:
        lead = t("status-invite-for", name=esc(created.person.full_name))
        await query.message.answer(lead + "\n\n" + created_text(created, me.username or ""))


async def not_allowed(query: CallbackQuery) -> None:
    await query.answer(t("status-not-allowed"), show_alert=True)
