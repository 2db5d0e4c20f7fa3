"""/criteria: the secretary imports a school year's criteria data from chat (issue 19), as `thidua grades
import` and the others do from the command line: the kind (the staff's grades, the units' grades, the
initiatives and research, the discipline), the school year, then the .xlsx sent as a file. Every bad row is
answered by its number and nothing is imported then. The file is downloaded before anything is written, so
no write transaction waits on Telegram."""

from __future__ import annotations

from io import BytesIO

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy import select

from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import NOT_COMMAND, Allowed, Is
from bot.i18n import t
from bot.services.criteria_data import (
    KINDS,
    CriteriaDataService,
    CriteriaHasBadRows,
    read_criteria_bytes,
)
from bot.services.voting import MANAGE
from bot.text import esc, label, split_message
from storage.models.plan import PlanSchoolYear

register_command("criteria", MANAGE, "voting-cmd-criteria", order=56)
MAX_BYTES = 5 * 1024 * 1024  # a roster's grades are a few kilobytes


class CriteriaCb(CallbackData, prefix="cri"):
    k: str  # one of KINDS
    y: int = 0  # the school year's id (0: not chosen yet)


class CriteriaSG(StatesGroup):
    file = State()


conversation(CriteriaSG, "voting-flow-criteria", asks={CriteriaSG.file: "voting-criteria-ask-file-short"})


def register(r: Router) -> None:
    a = Allowed(MANAGE)
    r.message.register(start, Command("criteria"), a)
    r.callback_query.register(pick, CriteriaCb.filter(), a)
    r.message.register(got_file, StateFilter(CriteriaSG.file), Is(F.document), a)
    r.message.register(not_a_file, StateFilter(CriteriaSG.file), NOT_COMMAND, a)


def _btn(text: str, cb: CallbackData) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=label(text), callback_data=cb.pack())]


async def _years(ctx: Ctx) -> list[PlanSchoolYear]:
    rows = await ctx.session.scalars(select(PlanSchoolYear).order_by(PlanSchoolYear.start.desc()))
    seen: dict[str, PlanSchoolYear] = {}
    for y in rows:
        seen.setdefault(y.code, y)
    return list(seen.values())[:4]


async def start(message: Message, state: FSMContext) -> None:
    await state.clear()
    rows = [_btn(t(f"criteria-kind-{k}"), CriteriaCb(k=k)) for k in KINDS]
    await message.answer(
        t("voting-criteria-ask-kind"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def pick(query: CallbackQuery, callback_data: CriteriaCb, state: FSMContext, ctx: Ctx) -> None:
    if callback_data.k not in KINDS:  # forged
        await query.answer(t("button-stale"), show_alert=True)
        return
    years = await _years(ctx)
    await query.answer()
    assert isinstance(query.message, Message)
    if not callback_data.y:
        rows = [_btn(y.code, CriteriaCb(k=callback_data.k, y=y.id)) for y in years]
        if not rows:
            await query.message.answer(t("voting-criteria-no-year"))
            return
        await query.message.answer(
            t("voting-criteria-ask-year"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
        )
        return
    year = next((y for y in years if y.id == callback_data.y), None)
    if year is None:
        await query.message.answer(t("voting-criteria-no-year"))
        return
    await state.set_state(CriteriaSG.file)
    await state.set_data({"kind": callback_data.k, "year": year.code})
    what = t(f"criteria-kind-{callback_data.k}")
    await query.message.answer(t("voting-criteria-ask-file", what=what, year=year.code))


async def got_file(message: Message, state: FSMContext, ctx: Ctx, bot: Bot) -> None:
    doc = message.document
    assert doc is not None
    name = doc.file_name or ""
    if not name.lower().endswith((".xlsx", ".xlsm")):
        await message.answer(t("criteria-import-bad-type", suffix=esc(name or "?")))
        return
    if (doc.file_size or 0) > MAX_BYTES:
        await message.answer(t("voting-criteria-too-big", mb=MAX_BYTES // (1024 * 1024)))
        return
    data = await state.get_data()
    buffer = BytesIO()
    await bot.download(doc.file_id, destination=buffer)  # before anything is written
    try:
        rows = read_criteria_bytes(data["kind"], buffer.getvalue())
        result = await CriteriaDataService(ctx).import_rows(
            data["kind"], rows, data["year"], source_name=name
        )
    except CriteriaHasBadRows as e:
        lines = [e.text()] + [
            t("people-row-problem", row=p.row, text=t(p.key, **p.params)) for p in e.problems
        ]
        for part in split_message("\n".join(esc(x) for x in lines)):
            await message.answer(part)
        return
    except DomainError as e:
        await message.answer(e.text())
        return
    await state.clear()
    await message.answer(
        t(
            "criteria-import-done",
            what=t(f"criteria-kind-{data['kind']}"),
            year=result.school_year,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )


async def not_a_file(message: Message) -> None:
    await message.answer(t("voting-criteria-not-a-file"))
