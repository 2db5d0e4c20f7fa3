"""The achievement report: written in chat (or sent as a file), previewed, then sent; its part of /pending,
its button in the nominee's /status, and the due work (locking, asking nominees who joined later)."""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.context import Ctx
from bot.conversation import conversation
from bot.due import DueContext, due_work, unit_of_work
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, TYPED, Allowed, Is
from bot.i18n import t
from bot.services.nomination import REPORT_MAX, REPORT_MIN, View, check_file, check_report
from bot.text import esc
from handlers.pending import pending_part
from handlers.render import nomination as render

from .common import (
    NomItemCb,
    NomReportCb,
    alert,
    btn,
    edit,
    error_text,
    kb,
    msg,
    name,
    send_parts,
    service,
    write_button,
)

LINKED = Allowed("help")  # the nominee writing a report: the service checks who may


class NomReportSG(StatesGroup):
    text = State()
    confirm = State()


REPORT_PRESS = (NomItemCb.filter(F.op == "rep"), LINKED)
conversation(NomReportSG, "nomination-flow-report", started_by=[REPORT_PRESS])


def register(r: Router) -> None:
    """The report's conversation, on the feature's router."""
    r.callback_query.register(press_report, *REPORT_PRESS)
    r.message.register(got_report, StateFilter(NomReportSG.text), TYPED, LINKED)
    r.message.register(got_report_file, StateFilter(NomReportSG.text), Is(F.document), LINKED)
    r.message.register(need_report, StateFilter(NomReportSG.text), NOT_COMMAND, LINKED)
    confirm = StateFilter(NomReportSG.confirm)
    r.callback_query.register(send_report, confirm, NomReportCb.filter(F.op == "send"), LINKED)
    r.callback_query.register(write_again, confirm, NomReportCb.filter(F.op == "again"), LINKED)
    r.callback_query.register(drop_report, confirm, NomReportCb.filter(F.op == "cancel"), LINKED)
    r.message.register(need_press, confirm, NOT_COMMAND, LINKED)
    r.callback_query.register(stale_preview, NomReportCb.filter())


async def press_report(query: CallbackQuery, callback_data: NomItemCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).report_target(callback_data.id)
    except DomainError as e:
        await state.clear()
        await alert(query, e)
        return
    await query.answer()
    await state.set_state(NomReportSG.text)
    await state.set_data({"id": callback_data.id, "title": name(view.title)})
    await msg(query).answer(
        t("nomination-ask-report", title=esc(name(view.title)), min=REPORT_MIN, max=REPORT_MAX)
    )


def _preview_keyboard() -> InlineKeyboardMarkup:
    return kb(
        [
            [
                btn(t("nomination-btn-send-report"), NomReportCb(op="send")),
                btn(t("nomination-btn-write-again"), NomReportCb(op="again")),
                btn(t("nomination-btn-cancel"), NomReportCb(op="cancel")),
            ]
        ]
    )


async def got_report(message: Message, state: FSMContext) -> None:
    try:
        text = check_report(message.text)
    except DomainError as e:
        await message.answer(error_text(e))  # the state stays: they send another text
        return
    data = await state.get_data()
    await state.update_data(text=text, file=None)
    await state.set_state(NomReportSG.confirm)
    await send_parts(message, render.report_preview(data.get("title", ""), text), _preview_keyboard())


async def got_report_file(message: Message, state: FSMContext) -> None:
    doc = message.document
    assert doc is not None
    try:
        check_file(doc.file_name, doc.mime_type, doc.file_size)
    except DomainError as e:
        await message.answer(error_text(e))
        return
    data = await state.get_data()
    await state.update_data(text=None, file=[doc.file_id, doc.file_name, doc.mime_type, doc.file_size])
    await state.set_state(NomReportSG.confirm)
    text = t(
        "nomination-report-preview-file", title=esc(data.get("title", "")), name=esc(doc.file_name or "")
    )
    await message.answer(text, reply_markup=_preview_keyboard())


async def send_report(query: CallbackQuery, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    file = data.get("file") or [None, None, None, None]
    try:
        view = await service(ctx).submit_report(
            int(data["id"]),
            text=data.get("text"),
            file_id=file[0],
            file_name=file[1],
            mime=file[2],
            size=file[3],
        )
    except DomainError as e:
        await state.clear()
        await alert(query, e)
        return
    await state.clear()
    await query.answer()
    await edit(query, t("nomination-report-sent", title=esc(name(view.title))))


async def write_again(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(NomReportSG.text)
    await query.answer()
    await edit(
        query,
        t(
            "nomination-ask-report",
            title=esc((await state.get_data()).get("title", "")),
            min=REPORT_MIN,
            max=REPORT_MAX,
        ),
    )


async def drop_report(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit(query, t("nomination-report-dropped"))


async def need_report(message: Message) -> None:
    await message.answer(t("nomination-need-report"))


async def need_press(message: Message) -> None:
    await message.answer(t("nomination-report-need-press"))


async def stale_preview(query: CallbackQuery) -> None:
    await query.answer(t("nomination-report-preview-stale"), show_alert=True)


# -- the nominee's /status (handlers/status.py asks) ---------------------------------------------------------
def status_buttons(views: list[View]) -> list[list[InlineKeyboardButton]]:
    """ "Viết báo cáo thành tích" for each nomination whose report the nominee still has to write."""
    todo = [v for v in views if v.may_write and v.item.report_state in ("missing", "returned")]
    if len(todo) == 1:
        return [[write_button(todo[0].item.id)]]
    return [
        [write_button(v.item.id, label=t("nomination-btn-write-report-for", title=name(v.title)))]
        for v in todo
    ]


def with_status_buttons(
    markup: InlineKeyboardMarkup | None, views: list[View]
) -> InlineKeyboardMarkup | None:
    rows = status_buttons(views)
    if not rows:
        return markup
    return kb([*(markup.inline_keyboard if markup else []), *rows])


# -- /pending (handlers/pending.py) --------------------------------------------------------------------------
@pending_part(30)
async def pending_items(ctx: Ctx) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The achievement reports waiting for the actor's review, as lines and buttons for /pending."""
    views = await service(ctx).pending_reports()
    if not views:
        return [], []
    lines = [t("nomination-pending-head", n=len(views))]
    rows = []
    for v in views[:20]:
        lines.append(render.pending_line(v))
        rows.append(
            [btn(t("nomination-btn-review", n=v.number, name=v.nominee), NomItemCb(id=v.item.id, op="card"))]
        )
    return lines, rows


# -- the due work (bot/due.py) -------------------------------------------------------------------------------
@due_work("nominations")
async def nominations_due(due: DueContext, now: datetime) -> int:
    """Lock the nominations whose window has passed; ask the nominees who joined since for their report."""
    async with unit_of_work(due) as ctx:
        await service(ctx).lock_due()
    async with unit_of_work(due) as ctx:
        return await service(ctx).ask_joined_nominees()
